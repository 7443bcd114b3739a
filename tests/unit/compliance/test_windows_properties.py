"""Property tests: the window check against an independent, literal reading of the rule."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.compliance.holidays import is_federal_holiday
from engine.compliance.hours import CallingHours, Window
from engine.compliance.state_rules import default_state_rules
from engine.compliance.windows import dialable_keys, is_dialable, next_dialable_at, window_key
from engine.compliance.zones import default_zone_tables

RULES = default_state_rules()
TABLES = default_zone_tables()
ZONES = [
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
    "America/Los_Angeles", "America/Anchorage", "America/Adak", "Pacific/Honolulu",
    "America/Puerto_Rico", "Pacific/Guam", "Pacific/Pago_Pago",
]
STATES = [*sorted(RULES), "GA", "CO", "HI", "AZ", "SD", "PR", "GU", "AS", "AK"]
DAY_KINDS = ["weekday"] * 5 + ["saturday", "sunday"]


def _dst_transitions() -> list[datetime]:
    instants = []
    for year in range(2024, 2028):
        march = date(year, 3, 8 + (6 - date(year, 3, 8).weekday()) % 7)
        november = date(year, 11, 1 + (6 - date(year, 11, 1).weekday()) % 7)
        for zone in ("America/New_York", "America/Chicago", "America/Denver",
                     "America/Los_Angeles", "America/Anchorage"):
            for day in (march, november):
                instants.append(datetime.combine(day, time(2), ZoneInfo(zone)))
    return instants


def _year_ends() -> list[datetime]:
    return [datetime(y, 1, 1, tzinfo=ZoneInfo(z)) for y in range(2024, 2029) for z in ZONES]


def _holidays() -> list[datetime]:
    days = [date(2025, 7, 4), date(2026, 7, 3), date(2025, 11, 27), date(2025, 12, 25),
            date(2027, 12, 24), date(2021, 12, 31), date(2025, 1, 20)]
    return [datetime.combine(d, time(h), ZoneInfo(z)) for d in days for h in (8, 12, 20)
            for z in ZONES[:4]]


SPECIAL = _dst_transitions() + _year_ends() + _holidays()

instants = st.one_of(
    st.builds(
        lambda base, minutes, seconds: base + timedelta(minutes=minutes, seconds=seconds),
        st.sampled_from(SPECIAL), st.integers(-36 * 60, 36 * 60), st.integers(0, 59),
    ),
    st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31),
                 timezones=st.just(UTC)),
)
quarter_hours = st.integers(0, 24 * 4 - 1).map(lambda q: time(q // 4, q % 4 * 15))
windows = st.tuples(quarter_hours, quarter_hours).filter(lambda p: p[0] < p[1]).map(
    lambda p: Window(*p))
hours_st = st.builds(
    CallingHours,
    weekday=st.one_of(st.none(), windows),
    saturday=st.one_of(st.none(), windows),
    sunday=st.one_of(st.none(), windows),
    holidays=st.booleans(),
)
zones_st = st.lists(st.sampled_from(ZONES), max_size=3, unique=True).map(tuple)
state_st = st.one_of(st.none(), st.sampled_from([*STATES, "ZZ"]))
campaign_st = st.lists(st.sampled_from(STATES), max_size=3, unique=True)


def _inside(window: Window | None, moment: time) -> bool:
    return window is not None and window.start <= moment < window.end


def oracle(zones: tuple[str, ...], state: str | None, hours: CallingHours, at: datetime,
           campaign: list[str]) -> bool:
    """The rule as written in the issue, evaluated zone by zone with no shortcuts."""
    fallback = campaign or sorted(TABLES.state_zones)
    known = state if state in TABLES.state_zones else None
    applied = [known] if known else fallback
    if not zones:
        source = [known] if known else fallback
        zones = tuple({z for s in source for z in TABLES.state_zones[s]})
    for zone in zones:
        moment = at.astimezone(ZoneInfo(zone))
        clock, day = moment.time(), moment.date()
        kind = DAY_KINDS[day.weekday()]
        holiday = is_federal_holiday(day)
        if not time(8) <= clock < time(21):
            return False
        if not _inside(getattr(hours, kind), clock):
            return False
        if holiday and hours.closed_on_holidays:
            return False
        for code in applied:
            rule = RULES.get(code)
            if rule is None:
                continue
            if not _inside(getattr(rule, kind), clock):
                return False
            if holiday and not _inside(rule.holiday, clock):
                return False
    return True


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(zones_st, state_st, hours_st, instants, campaign_st)
def test_is_dialable_matches_the_literal_rule(zones, state, hours, at, campaign) -> None:
    assert is_dialable(zones, state, hours, at, campaign) == oracle(
        zones, state, hours, at, campaign)


@settings(max_examples=600, deadline=None)
@given(zones_st.filter(bool), state_st, hours_st, instants, campaign_st)
def test_never_dialable_outside_any_zones_federal_window(zones, state, hours, at, campaign):
    if is_dialable(zones, state, hours, at, campaign):
        for zone in zones:
            assert time(8) <= at.astimezone(ZoneInfo(zone)).time() < time(21)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(zones_st, state_st), min_size=1, max_size=40), hours_st, instants,
       campaign_st)
def test_dialable_keys_agrees_with_is_dialable_for_every_key(contacts, hours, at, campaign):
    keys = {window_key(zones, state) for zones, state in contacts}
    batch = dialable_keys(keys, hours, at, campaign)
    for zones, state in contacts:
        key = window_key(zones, state)
        assert (key in batch) == is_dialable(zones, state, hours, at, campaign)


@settings(max_examples=150, deadline=None)
@given(zones_st, state_st, hours_st, instants, campaign_st.filter(bool), st.data())
def test_next_dialable_at_is_the_first_open_instant(zones, state, hours, after, campaign, data):
    found = next_dialable_at(zones, state, hours, after, campaign)
    if found is None:
        return
    # Same-tzinfo datetimes subtract by wall clock; compare instants in UTC.
    found, after = found.astimezone(UTC), after.astimezone(UTC)
    assert found >= after
    assert is_dialable(zones, state, hours, found, campaign)
    if found > after:
        assert not is_dialable(zones, state, hours, found - timedelta(seconds=1), campaign)
        fraction = data.draw(st.floats(0, 1, exclude_max=True))
        # timedelta products round to the microsecond: a fraction just under 1 can land on
        # `found` itself, which is dialable by definition.
        between = min(after + (found - after) * fraction, found - timedelta(microseconds=1))
        assert not is_dialable(zones, state, hours, between, campaign)
