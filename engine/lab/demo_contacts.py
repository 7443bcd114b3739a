"""The demo's voter file: contacts in time zones that are open now, with a realistic mix of callee
behaviours chosen by the lab carrier's line digits (docs/lab.md), plus contacts that must never
be dialled: some on the internal do-not-call list, some where it is night.

Zones are judged on the real clock with a margin on both sides, so the plan holds for the
whole demo whatever hour it starts: "open" means 10:00-19:00 local (the campaign calls
09:00-20:00), "closed" means before 08:00 or from 20:00 (closed until 09:00 the next day).
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

import phonenumbers

# A real-looking number prefix per zone; two random digits and the four line digits follow.
# Every US area code here is in a state with no calling-hour rule stricter than the campaign's.
ZONE_PREFIXES: dict[str, tuple[str, ...]] = {
    "Pacific/Honolulu": ("+18085",),
    "America/Los_Angeles": ("+14154", "+12135"),
    "America/Phoenix": ("+16024",),
    "America/Denver": ("+13035",),
    "America/Chicago": ("+13124",),
    "America/New_York": ("+12124", "+14045", "+12024"),
    "America/Sao_Paulo": ("+551132",),
    "Europe/London": ("+442079",),
    "Europe/Berlin": ("+493012",),
    "Europe/Paris": ("+33142",),
    "Africa/Johannesburg": ("+27211",),
    "Asia/Dubai": ("+97142",),
    "Asia/Kolkata": ("+919812",),
    "Asia/Bangkok": ("+6621",),
    "Asia/Singapore": ("+6591",),
    "Asia/Tokyo": ("+81312",),
    "Australia/Sydney": ("+61212",),
    "Pacific/Auckland": ("+6493",),
}
# The states of those US area codes: the campaign's states, whose rules also bind contacts
# abroad (no state of their own).
US_STATES = ("AZ", "CA", "CO", "DC", "GA", "HI", "IL", "NY")
OPEN_HOURS = range(10, 19)
CLOSED_HOURS = (*range(8), *range(20, 24))
DNC_SHARE = 0.01
CLOSED_SHARE = 0.02


class ContactKind(StrEnum):
    """Whether the dialer may call a contact during the demo."""

    DIALABLE = "dialable"
    DNC = "dnc"  # on the internal do-not-call list before the import
    CLOSED = "closed"  # it is night where the contact lives


@dataclass(frozen=True)
class Behaviour:
    """A kind of callee: the line digit that selects it on the carrier, and how it varies."""

    key: str
    label: str
    share: float
    digit: str
    rings: tuple[int, int] = (0, 9)  # R, inclusive range
    holds: tuple[int, int] = (0, 99)  # HH, inclusive range
    sends_tone: bool = False  # the callee's 440 Hz is in the recording

    def line(self, rng: random.Random) -> str:
        """Four line digits ABCD for one callee of this kind."""
        return f"{self.digit}{rng.randint(*self.rings)}{rng.randint(*self.holds):02d}"


CALLEE_HZ = 440.0
BEHAVIOURS: tuple[Behaviour, ...] = (
    Behaviour("live", "live, rings 1-4 s, talks 8-40 s", 0.30, "1", (1, 4), (8, 40), sends_tone=True),
    Behaviour("machine", "answering machine", 0.25, "5", (1, 3)),
    Behaviour("no_answer", "rings out", 0.15, "2"),
    Behaviour("busy", "busy", 0.10, "3"),
    Behaviour("congestion", "network congestion", 0.05, "4"),
    Behaviour("disconnected", "number not in service", 0.05, "7"),
    Behaviour("hang_up", "answers and hangs up at once", 0.05, "6", (1, 3)),
    Behaviour("rejected", "rejected by the network", 0.03, "9"),
    Behaviour("opt_out", "live, presses 9 to opt out, talks 10-20 s", 0.02, "0", (1, 3), (10, 20)),
)
BEHAVIOUR_BY_KEY = {b.key: b for b in BEHAVIOURS}


@dataclass(frozen=True)
class DemoContact:
    """One row of the voter file, and what the demo knows about it."""

    number: str
    zone: str
    behaviour: str
    kind: ContactKind


@dataclass(frozen=True)
class ContactPlan:
    """The voter file to import and the zones it was built from."""

    contacts: tuple[DemoContact, ...]
    open_zones: tuple[str, ...]
    closed_zones: tuple[str, ...]

    def numbers(self, kind: ContactKind) -> set[str]:
        """Numbers of one kind."""
        return {c.number for c in self.contacts if c.kind is kind}

    def behaviour_of(self, number: str) -> Behaviour | None:
        """The callee behind a number, None if the plan does not hold it."""
        found = self._by_number.get(number)
        return BEHAVIOUR_BY_KEY[found.behaviour] if found else None

    @cached_property
    def _by_number(self) -> dict[str, DemoContact]:
        return {c.number: c for c in self.contacts}


class PlanError(RuntimeError):
    """The contacts cannot be planned (no zone open now, numbers run out); the message names the fix."""


def zones_open(now: datetime, hours: tuple[int, ...] | range) -> tuple[str, ...]:
    """Zones of the table whose local hour at ``now`` (aware) is one of ``hours``."""
    return tuple(zone for zone in ZONE_PREFIXES if now.astimezone(ZoneInfo(zone)).hour in hours)


def _counts(total: int) -> dict[str, int]:
    """Contacts per behaviour summing to ``total`` exactly (largest remainders)."""
    raw = {b.key: b.share * total for b in BEHAVIOURS}
    counts = {key: int(value) for key, value in raw.items()}
    leftover = total - sum(counts.values())
    for key in sorted(raw, key=lambda k: raw[k] - counts[k], reverse=True)[:leftover]:
        counts[key] += 1
    return counts


def _new_number(zone: str, behaviour: Behaviour, rng: random.Random, taken: set[str]) -> str:
    for _ in range(1000):
        number = f"{rng.choice(ZONE_PREFIXES[zone])}{rng.randint(0, 99):02d}{behaviour.line(rng)}"
        if number not in taken and phonenumbers.is_valid_number(phonenumbers.parse(number)):
            taken.add(number)
            return number
    raise PlanError(f"cannot find a free valid number in {zone}: lower --contacts")


def plan_contacts(total: int, now: datetime, rng: random.Random) -> ContactPlan:
    """``total`` contacts in random order: ~1% on the DNC list and ~2% in closed zones (at least
    one each from 20 contacts up), the rest dialable, every kind spread over the behaviours."""
    open_zones, closed_zones = zones_open(now, OPEN_HOURS), zones_open(now, CLOSED_HOURS)
    if not open_zones or not closed_zones:
        raise PlanError(f"at {now:%H:%M} UTC no zone is open (or closed): add zones to ZONE_PREFIXES")
    floor = 1 if total >= 20 else 0
    dnc, closed = max(floor, round(total * DNC_SHARE)), max(floor, round(total * CLOSED_SHARE))
    kinds = [ContactKind.DNC] * dnc + [ContactKind.CLOSED] * closed + [ContactKind.DIALABLE] * (total - dnc - closed)
    behaviours = [key for key, count in _counts(total).items() for _ in range(count)]
    # Shuffled before any draw that depends on the clock, so a seed fixes the rows' order of
    # kinds and behaviours (the order they are dialled in) at any hour; only zones vary.
    rng.shuffle(kinds)
    rng.shuffle(behaviours)
    taken: set[str] = set()
    contacts = []
    for kind, key in zip(kinds, behaviours, strict=True):
        zone = rng.choice(closed_zones if kind is ContactKind.CLOSED else open_zones)
        contacts.append(DemoContact(_new_number(zone, BEHAVIOUR_BY_KEY[key], rng, taken), zone, key, kind))
    return ContactPlan(tuple(contacts), open_zones, closed_zones)


def write_voter_file(plan: ContactPlan, path: Path) -> Path:
    """The plan as a CSV the importer reads (phone, names, the zone as a note)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["phone", "first_name", "last_name"])
        for index, contact in enumerate(plan.contacts):
            writer.writerow([contact.number, f"Voter{index:04d}", contact.zone.rsplit("/", 1)[-1].replace("_", " ")])
    return path
