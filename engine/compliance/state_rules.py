"""State calling-hour rules from the editable table ``data/state_rules.toml``.

Each table is keyed by the two-letter state code and may set ``weekday``, ``saturday``,
``sunday`` and ``holiday`` to 'HH:MM-HH:MM' or 'closed'. A day not mentioned has no state
restriction beyond the federal 08:00-21:00. ``holiday`` applies on federal holidays (and their
observed days) in addition to the day-of-week window. ``statute`` cites the source, ``certain``
is false where the reading is doubtful, ``note`` explains.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from engine.compliance.errors import ComplianceDataError
from engine.compliance.hours import ALL_DAY, Window, parse_optional_window

DEFAULT_RULES_PATH = Path(__file__).resolve().parent / "data" / "state_rules.toml"

_DAY_KEYS = ("weekday", "saturday", "sunday", "holiday")
_KNOWN_KEYS = {*_DAY_KEYS, "statute", "certain", "note"}


@dataclass(frozen=True)
class StateRule:
    """One state's calling windows; ALL_DAY means no state restriction that day."""

    state: str
    weekday: Window | None = ALL_DAY
    saturday: Window | None = ALL_DAY
    sunday: Window | None = ALL_DAY
    holiday: Window | None = ALL_DAY
    statute: str = ""
    certain: bool = True
    note: str = ""

    def for_day_kind(self, kind: str) -> Window | None:
        """The state window for 'weekday', 'saturday', 'sunday' or 'holiday'."""
        return getattr(self, kind)


NO_RULE = StateRule(state="")


def _rule(state: str, table: Mapping[str, Any]) -> StateRule:
    unknown = set(table) - _KNOWN_KEYS
    if unknown:
        raise ComplianceDataError(
            f"state_rules.toml [{state}] has unknown key(s) {sorted(unknown)}: "
            f"use {', '.join(sorted(_KNOWN_KEYS))}"
        )
    windows = {k: parse_optional_window(table[k]) for k in _DAY_KEYS if k in table}
    return StateRule(
        state=state,
        statute=str(table.get("statute", "")),
        certain=bool(table.get("certain", True)),
        note=str(table.get("note", "")),
        **windows,
    )


def load_state_rules(path: Path = DEFAULT_RULES_PATH) -> Mapping[str, StateRule]:
    """Read the rules table; a bad file raises one-line ``ComplianceDataError``."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ComplianceDataError(f"cannot read state rules {path}: {exc}") from exc
    rules = {}
    for state, table in data.items():
        if len(state) != 2 or not state.isupper() or not isinstance(table, dict):
            raise ComplianceDataError(
                f"state_rules.toml: [{state}] is not a two-letter state table, e.g. [FL]"
            )
        try:
            rules[state] = _rule(state, table)
        except ComplianceDataError as exc:
            raise ComplianceDataError(f"state_rules.toml [{state}]: {exc}") from exc
    return MappingProxyType(rules)


@lru_cache(maxsize=1)
def default_state_rules() -> Mapping[str, StateRule]:
    """The shipped table, read once (the mapping is read-only)."""
    return load_state_rules()
