"""Where a contact is, for calling hours: its state and its window key, cached per exchange and ZIP."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from engine.compliance import windows, zones


@dataclass(frozen=True)
class Location:
    state: str | None
    window_key: str


class Locator(Protocol):
    def locate(self, e164: str, zip_code: str | None, state: str | None) -> Location:
        """The contact's state (given or derived) and the key of its calling window."""
        ...


@dataclass
class ComplianceLocator:
    """Asks engine.compliance once per distinct (NPA-NXX, ZIP, state) and remembers the answer.

    A million-row file has a few tens of thousands of such combinations, so the zone look-up
    costs nothing per row.
    """

    _cache: dict[tuple[str, str | None, str | None], Location] = field(default_factory=dict)

    def locate(self, e164: str, zip_code: str | None, state: str | None) -> Location:
        # NANP time zones follow the exchange (+1 NPA NXX); elsewhere the whole number.
        exchange = e164[:8] if e164.startswith("+1") else e164
        key = (exchange, zip_code, state)
        found = self._cache.get(key)
        if found is None:
            resolved_state = state or zones.state_for(e164, zip_code)
            candidates = zones.candidate_zones(e164, zip_code=zip_code, state=resolved_state)
            found = Location(resolved_state, windows.window_key(candidates, resolved_state))
            self._cache[key] = found
        return found
