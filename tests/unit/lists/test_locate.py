"""The import-time locator's caches give exactly what engine.compliance says for each contact."""

from __future__ import annotations

import itertools

from engine.compliance import windows, zones
from engine.lists.locate import ComplianceLocator

NUMBERS = ["+13055550101", "+13055560101", "+12125550101", "+19075550101", "+442071838750"]
ZIPS = [None, "33101", "10001", "99501", "00000", "96799"]
STATES = [None, "FL", "NY", "AK", "ZZ"]


def test_cached_locations_match_the_compliance_tables() -> None:
    locator = ComplianceLocator()
    # Twice over, so the second pass is answered from the caches.
    for e164, zip_code, state in [*itertools.product(NUMBERS, ZIPS, STATES)] * 2:
        resolved = state or zones.state_for(e164, zip_code)
        expected = windows.window_key(zones.candidate_zones(e164, zip_code=zip_code, state=resolved), resolved)
        found = locator.locate(e164, zip_code, state)
        assert (found.state, found.window_key) == (resolved, expected), (e164, zip_code, state)
