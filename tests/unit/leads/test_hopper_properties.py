"""Property: whatever the contacts, lists, hours and instant, the hopper never leases a lead
outside its calling window and never leases a number on a do-not-call list that applies."""

from __future__ import annotations

import csv
import itertools
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session

from engine.compliance.hours import CallingHours
from engine.compliance.windows import is_dialable
from engine.compliance.zones import DATA_DIR, candidate_zones, state_for, zones_for_states
from engine.dnc import add_number
from engine.leads.hopper import next_dialable
from engine.store.db import make_engine, migrate
from tests.unit.leads import seed


def _prefixes(name: str, width: int) -> list[str]:
    with (DATA_DIR / name).open() as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return sorted({row["prefix"] for row in rows if len(row["prefix"]) == width})


AREA_CODES = _prefixes("nanp_zones.csv", 3)
ZIP3S = _prefixes("zip_zones.csv", 3)
STATES = ["AZ", "CA", "FL", "HI", "IN", "KY", "NY", "PR", "TX", "ND", "AK", "GU"]

# Instants where calendars misbehave: US DST starts and ends, year ends, federal holidays.
ANCHORS = [
    datetime(2024, 3, 10, 7, 0, tzinfo=UTC), datetime(2024, 11, 3, 6, 0, tzinfo=UTC),
    datetime(2025, 3, 9, 7, 0, tzinfo=UTC), datetime(2025, 11, 2, 6, 0, tzinfo=UTC),
    datetime(2024, 12, 31, 23, 0, tzinfo=UTC), datetime(2025, 1, 1, 2, 0, tzinfo=UTC),
    datetime(2024, 7, 4, 16, 0, tzinfo=UTC), datetime(2024, 11, 28, 14, 0, tzinfo=UTC),
    datetime(2024, 12, 25, 20, 0, tzinfo=UTC), datetime(2024, 5, 27, 13, 0, tzinfo=UTC),
]
instants = st.builds(
    lambda anchor, minutes: anchor + timedelta(minutes=minutes),
    st.sampled_from(ANCHORS), st.integers(min_value=-36 * 60, max_value=36 * 60),
)
windows = st.sampled_from(["08:00-21:00", "09:00-20:30", "10:00-18:00", "12:00-21:00", None])
hours = st.fixed_dictionaries({
    "weekday": windows, "saturday": windows, "sunday": windows,
    "holidays": st.sampled_from(["open", "closed"]),
})
contacts = st.lists(
    st.fixed_dictionaries({
        "area": st.sampled_from(AREA_CODES),
        "exchange": st.integers(min_value=200, max_value=999),
        "zip": st.one_of(st.none(), st.builds(lambda z, n: f"{z}{n:02d}", st.sampled_from(ZIP3S), st.integers(0, 99))),
        "state": st.one_of(st.none(), st.sampled_from(STATES)),
        "dnc": st.sampled_from([None, "internal", "campaign", "other-campaign"]),
    }),
    min_size=1, max_size=12,
)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    url = f"sqlite:///{tmp_path_factory.mktemp('props') / 'props.db'}"
    migrate(url)
    return make_engine(url)


_names = itertools.count()


def _inside_federal_window(at: datetime, zones: tuple[str, ...]) -> bool:
    return all(time(8) <= at.astimezone(ZoneInfo(z)).time() < time(21) for z in zones)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=contacts, at=instants, campaign_hours=hours, campaign_states=st.lists(st.sampled_from(STATES), max_size=3, unique=True))
def test_never_outside_a_window_never_on_a_list(
    engine: Engine, people: list[dict[str, object]], at: datetime,
    campaign_hours: dict[str, object], campaign_states: list[str],
) -> None:
    campaign_id = seed.campaign(engine, f"c{next(_names)}", calling_hours=campaign_hours, states=campaign_states)
    other_id = seed.campaign(engine, f"c{next(_names)}")
    blocked: set[str] = set()
    by_number: dict[str, dict[str, object]] = {}
    with Session(engine) as session:
        for index, person in enumerate(people):
            e164 = f"+1{person['area']}{person['exchange']}{index:04d}"
            by_number[e164] = person
            if person["dnc"] in ("internal", "campaign"):
                blocked.add(e164)
            if person["dnc"] is not None:
                scope_id = {"internal": None, "campaign": campaign_id, "other-campaign": other_id}[str(person["dnc"])]
                add_number(session, e164, campaign_id=scope_id, source="property test")
        session.commit()
    for e164, person in by_number.items():
        seed.contact(engine, campaign_id, e164, zip_code=person["zip"], state=person["state"])  # type: ignore[arg-type]

    leases = next_dialable(engine, campaign_id, at, len(people), "prop")

    parsed_hours = CallingHours.parse(campaign_hours)
    for lease in leases:
        person = by_number[lease.e164]
        assert lease.e164 not in blocked
        zip_code = person["zip"]
        state = person["state"] or state_for(lease.e164, zip_code)  # type: ignore[arg-type]
        zones = candidate_zones(lease.e164, zip_code, state)  # type: ignore[arg-type]
        # No usable location: the window must hold across every zone of the campaign's states.
        assert _inside_federal_window(at, zones or zones_for_states(campaign_states))
        assert is_dialable(zones, state, parsed_hours, at, campaign_states)  # type: ignore[arg-type]
