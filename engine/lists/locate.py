"""Where a contact is, for calling hours: its state and its window key, cached per ZIP or exchange."""

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
    """Asks engine.compliance once per distinct place and remembers the answer.

    A ZIP the tables know decides the zones, and with a state (given, or the ZIP's own) the
    number plays no part: such contacts are cached per (ZIP, state), a few thousand keys
    for a whole state's voter file. The rest are cached per (NPA-NXX, ZIP, state).
    """

    _by_place: dict[tuple[str | None, str | None], Location] = field(default_factory=dict)
    _by_exchange: dict[tuple[str, str | None, str | None], Location] = field(default_factory=dict)
    _zips: dict[str | None, tuple[tuple[str, ...], str | None]] = field(default_factory=dict)
    _keys: dict[tuple[tuple[str, ...], str | None], Location] = field(default_factory=dict)

    def locate(self, e164: str, zip_code: str | None, state: str | None) -> Location:
        found = self._by_place.get((zip_code, state))
        if found is not None:
            return found
        zip_zones, zip_state = self._zip_facts(zip_code)
        if zip_zones and (state or zip_state):
            found = self._keyed(zip_zones, state or zip_state)
            self._by_place[(zip_code, state)] = found
            return found
        # NANP time zones follow the exchange (+1 NPA NXX); elsewhere the whole number.
        key = (e164[:8] if e164.startswith("+1") else e164, zip_code, state)
        found = self._by_exchange.get(key)
        if found is None:
            resolved_state = state or zones.state_for(e164, zip_code)
            candidates = zones.candidate_zones(e164, zip_code=zip_code, state=resolved_state)
            found = self._by_exchange[key] = self._keyed(candidates, resolved_state)
        return found

    def _zip_facts(self, zip_code: str | None) -> tuple[tuple[str, ...], str | None]:
        """The zones and state the tables give for the ZIP alone (empty and None if unknown)."""
        facts = self._zips.get(zip_code)
        if facts is None:
            # An empty string is no number: these ask the tables about the ZIP alone.
            facts = self._zips[zip_code] = (
                zones.candidate_zones("", zip_code=zip_code), zones.state_for("", zip_code)
            )
        return facts

    def _keyed(self, candidates: tuple[str, ...], state: str | None) -> Location:
        found = self._keys.get((candidates, state))
        if found is None:
            found = self._keys[(candidates, state)] = Location(state, windows.window_key(candidates, state))
        return found
