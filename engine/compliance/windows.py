"""Is a contact dialable at an instant? Campaign hours ∩ 08:00-21:00 local ∩ the state's rule.

A contact is reduced to a *window key* (``window_key``): its state and sorted candidate zones,
e.g. ``"FL|America/Chicago,America/New_York"``. Contacts with equal keys are dialable at
exactly the same instants, so the store keeps the key in an indexed column and the hopper asks
``dialable_keys`` once per lease for the campaign's few hundred distinct keys.

The rule for a key at instant ``at``: for EVERY candidate zone, the local time must lie in
[start, end) of the intersection of
- the federal window 08:00-21:00,
- the campaign's hours for that local day (weekday / Saturday / Sunday; closed on federal
  holidays when the campaign says so),
- the state's rule for that local day, plus its holiday rule on a federal holiday.
When the state is unknown, every campaign state's rule applies at once (the most restrictive
window). When nothing is known (key ``UNKNOWN``), that most restrictive window must hold in
every zone of every campaign state. An empty ``campaign_states`` means all states and
territories, under which an ``UNKNOWN`` contact is never dialable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from engine.compliance.errors import ComplianceDataError
from engine.compliance.holidays import is_federal_holiday
from engine.compliance.hours import (
    ALL_DAY,
    DAY_KINDS,
    FEDERAL_WINDOW,
    CallingHours,
    Window,
    intersect,
)
from engine.compliance.state_rules import NO_RULE, StateRule, default_state_rules
from engine.compliance.zones import ZoneTables, default_zone_tables

__all__ = [
    "UNKNOWN_KEY",
    "CallingHours",
    "Window",
    "dialable_keys",
    "is_dialable",
    "next_dialable_at",
    "window_key",
]

UNKNOWN_KEY = "UNKNOWN"
LOOKAHEAD = timedelta(days=14)


def window_key(
    zones: Iterable[str], state: str | None, tables: ZoneTables | None = None
) -> str:
    """Canonical key for (zones, state): 'FL|America/New_York', '|America/Chicago', 'UNKNOWN'.

    A state the tables do not know is dropped (so the stricter unknown-state rule applies);
    a known state without zones stands for every zone of that state.
    """
    tables = tables or default_zone_tables()
    code = (state or "").strip().upper()
    if code not in tables.state_zones:
        code = ""
    names = sorted(set(zones))
    if not names and code:
        names = list(tables.state_zones[code])
    if not names:
        return UNKNOWN_KEY
    return f"{code}|{','.join(names)}"


class _Evaluator:
    """Answers 'is this key dialable at ``at``' with per-call memo tables (no shared state)."""

    def __init__(
        self,
        hours: CallingHours,
        at: datetime,
        campaign_states: Iterable[str],
        rules: Mapping[str, StateRule],
        tables: ZoneTables,
    ) -> None:
        if at.tzinfo is None or at.utcoffset() is None:
            raise ComplianceDataError(
                f"instant {at.isoformat()} has no time zone: pass an aware datetime"
            )
        states = sorted({s.strip().upper() for s in campaign_states} or tables.state_zones)
        unknown = [s for s in states if s not in tables.state_zones]
        if unknown:
            raise ComplianceDataError(
                f"unknown campaign state(s) {unknown}: use two-letter US state or territory codes"
            )
        self._hours = hours
        self._at = at
        self._rules = rules
        self._fallback_states = tuple(states)
        self._fallback_zones = tuple(
            sorted({z for s in states for z in tables.state_zones[s]})
        )
        self._known_states = tables.state_zones
        self._local: dict[str, tuple[time, str, bool]] = {}
        self._windows: dict[tuple[tuple[str, ...], str, bool], Window | None] = {}

    def _local_of(self, zone: str) -> tuple[time, str, bool]:
        local = self._local.get(zone)
        if local is None:
            try:
                moment = self._at.astimezone(ZoneInfo(zone))
            except (ValueError, KeyError) as exc:
                raise ComplianceDataError(
                    f"unknown time zone {zone!r} in a window key: recompute the contact's key"
                ) from exc
            local = (moment.time(), day_kind(moment.date()), is_federal_holiday(moment.date()))
            self._local[zone] = local
        return local

    def _window(self, states: tuple[str, ...], kind: str, holiday: bool) -> Window | None:
        memo_key = (states, kind, holiday)
        if memo_key not in self._windows:
            rules = [self._rules.get(s, NO_RULE) for s in states]
            parts = [FEDERAL_WINDOW, self._hours.for_day_kind(kind)]
            parts += [r.for_day_kind(kind) for r in rules]
            if holiday:
                parts.append(None if self._hours.closed_on_holidays else ALL_DAY)
                parts += [r.holiday for r in rules]
            self._windows[memo_key] = intersect(*parts)
        return self._windows[memo_key]

    def _zone_ok(self, zone: str, states: tuple[str, ...]) -> bool:
        moment, kind, holiday = self._local_of(zone)
        window = self._window(states, kind, holiday)
        return window is not None and window.contains(moment)

    def key_ok(self, key: str) -> bool:
        """True when every zone of ``key`` is inside its window at the instant."""
        if key == UNKNOWN_KEY:
            zones, states = self._fallback_zones, self._fallback_states
        else:
            state, bar, joined = key.partition("|")
            if not bar or not joined or (state and state not in self._known_states):
                raise ComplianceDataError(
                    f"malformed window key {key!r}: recompute it with window_key()"
                )
            zones = tuple(joined.split(","))
            states = (state,) if state else self._fallback_states
        return all(self._zone_ok(zone, states) for zone in zones)

    def zones_of(self, key: str) -> tuple[str, ...]:
        """The zones whose clocks decide ``key``."""
        if key == UNKNOWN_KEY:
            return self._fallback_zones
        return tuple(key.partition("|")[2].split(","))

    def window_starts(self) -> set[time]:
        """Every start time any window of this evaluation can have."""
        starts = {FEDERAL_WINDOW.start}
        hours = [self._hours.for_day_kind(k) for k in DAY_KINDS]
        rules = [r.for_day_kind(k) for r in self._rules.values() for k in (*DAY_KINDS, "holiday")]
        starts.update(w.start for w in (*hours, *rules) if w is not None)
        return starts


def day_kind(day: date) -> str:
    """'weekday', 'saturday' or 'sunday' for a local date."""
    weekday = day.weekday()
    if weekday < 5:
        return "weekday"
    return "saturday" if weekday == 5 else "sunday"


def dialable_keys(
    keys: Iterable[str],
    hours: CallingHours,
    at: datetime,
    campaign_states: Iterable[str],
    rules: Mapping[str, StateRule] | None = None,
    tables: ZoneTables | None = None,
) -> set[str]:
    """The subset of ``keys`` dialable at the aware instant ``at``.

    ``campaign_states`` are the states the campaign calls into; they decide the window of
    contacts whose state or location is unknown. ``rules`` and ``tables`` default to the
    shipped data files.
    """
    evaluator = _Evaluator(
        hours, at, campaign_states, rules or default_state_rules(), tables or default_zone_tables()
    )
    return {key for key in set(keys) if evaluator.key_ok(key)}


def is_dialable(
    zones: Iterable[str],
    state: str | None,
    hours: CallingHours,
    at: datetime,
    campaign_states: Iterable[str],
    rules: Mapping[str, StateRule] | None = None,
    tables: ZoneTables | None = None,
) -> bool:
    """True when a contact with these candidate zones and state may be called at ``at``."""
    tables = tables or default_zone_tables()
    key = window_key(zones, state, tables)
    return bool(dialable_keys([key], hours, at, campaign_states, rules, tables))


def next_dialable_at(
    zones: Iterable[str],
    state: str | None,
    hours: CallingHours,
    after: datetime,
    campaign_states: Iterable[str],
    rules: Mapping[str, StateRule] | None = None,
    tables: ZoneTables | None = None,
) -> datetime | None:
    """The first instant >= ``after`` at which the contact is dialable; None within 14 days.

    A dialable stretch can only begin at ``after`` itself or where some window starts in one
    of the contact's zones, so only those instants are tried.
    """
    tables = tables or default_zone_tables()
    rules = rules or default_state_rules()
    campaign_states = tuple(campaign_states)
    key = window_key(zones, state, tables)
    probe = _Evaluator(hours, after, campaign_states, rules, tables)
    # Aware datetimes sharing a tzinfo compare and subtract by wall clock, which is wrong
    # across a DST change: all arithmetic here is in UTC.
    start = after.astimezone(UTC)
    candidates = {start}
    for zone in probe.zones_of(key):
        tz = ZoneInfo(zone)
        first_day = start.astimezone(tz).date() - timedelta(days=1)
        for offset in range(LOOKAHEAD.days + 2):
            for opening in probe.window_starts():
                moment = datetime.combine(first_day + timedelta(days=offset), opening, tz)
                candidate = moment.astimezone(UTC)
                if start < candidate <= start + LOOKAHEAD:
                    candidates.add(candidate)
    for candidate in sorted(candidates):
        if _Evaluator(hours, candidate, campaign_states, rules, tables).key_ok(key):
            return candidate.astimezone(after.tzinfo)
    return None
