"""Local-time windows and a campaign's calling hours per kind of day.

A ``Window`` is half-open, [start, end): a call placed at exactly ``end`` is outside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from engine.compliance.errors import ComplianceDataError

DAY_KINDS = ("weekday", "saturday", "sunday")


@dataclass(frozen=True, order=True)
class Window:
    """Half-open local-time interval [start, end) within one day."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise ComplianceDataError(
                f"window {self} is empty: write start before end, e.g. '09:00-20:00'"
            )

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    @classmethod
    def parse(cls, text: str) -> Window:
        """Parse 'HH:MM-HH:MM' (24-hour clock, end exclusive)."""
        try:
            start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
        except ValueError as exc:
            raise ComplianceDataError(
                f"bad window {text!r}: write it as 'HH:MM-HH:MM', e.g. '09:00-20:30'"
            ) from exc
        return cls(start, end)

    def contains(self, moment: time) -> bool:
        """True when ``moment`` lies in [start, end)."""
        return self.start <= moment < self.end


# The TCPA / TSR window (47 CFR 64.1200(c)(1), 16 CFR 310.4(c)): 8 a.m. to 9 p.m. local time.
FEDERAL_WINDOW = Window(time(8, 0), time(21, 0))
# "No restriction" for a day a state rule does not mention.
ALL_DAY = Window(time(0, 0), time.max)


def intersect(*windows: Window | None) -> Window | None:
    """The common part of windows; None (closed) when any is closed or they do not overlap."""
    if any(w is None for w in windows):
        return None
    start = max(w.start for w in windows if w is not None)
    end = min(w.end for w in windows if w is not None)
    return Window(start, end) if start < end else None


def parse_optional_window(value: Any) -> Window | None:
    """A window from 'HH:MM-HH:MM', an existing Window, or None / 'closed' for a closed day."""
    if value is None or isinstance(value, Window):
        return value
    if isinstance(value, str):
        return None if value.strip().lower() == "closed" else Window.parse(value)
    raise ComplianceDataError(f"bad window {value!r}: write 'HH:MM-HH:MM' or 'closed'")


class CallingHours(BaseModel):
    """A campaign's own calling hours per kind of local day; None means closed that day.

    Build it from a dict with ``CallingHours.parse``::

        {"weekday": "09:00-20:30", "saturday": "10:00-18:00", "sunday": None,
         "holidays": "closed"}

    A day left out of the dict is closed. ``holidays`` is "closed" or "open" (default open:
    federal law has no holiday rule; state holiday closures come from state_rules.toml).
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", arbitrary_types_allowed=True, populate_by_name=True
    )

    weekday: Window | None = None
    saturday: Window | None = None
    sunday: Window | None = None
    closed_on_holidays: bool = Field(default=False, alias="holidays")

    @field_validator("weekday", "saturday", "sunday", mode="before")
    @classmethod
    def _window(cls, value: Any) -> Window | None:
        return parse_optional_window(value)

    @field_validator("closed_on_holidays", mode="before")
    @classmethod
    def _holidays(cls, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if value is None or str(value).strip().lower() in ("closed", "no"):
            return True
        if str(value).strip().lower() in ("open", "yes"):
            return False
        raise ComplianceDataError(f"bad holidays value {value!r}: write 'closed' or 'open'")

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> CallingHours:
        """Validate a dict of hours; any problem raises one-line ``ComplianceDataError``."""
        unknown = set(data) - {*DAY_KINDS, "holidays"}
        if unknown:
            raise ComplianceDataError(
                f"unknown calling-hours key(s) {sorted(unknown)}: use weekday, saturday, "
                "sunday and holidays"
            )
        try:
            return cls.model_validate(dict(data))
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ComplianceDataError(
                f"bad calling hours at {'.'.join(map(str, first['loc']))}: {first['msg']}"
            ) from exc

    def for_day_kind(self, kind: str) -> Window | None:
        """The campaign window for 'weekday', 'saturday' or 'sunday'."""
        return getattr(self, kind)
