"""Nailed-up agent lines: each logged-in phone's channel and its own mixing bridge.

This is the engine's bookkeeping of *lines* (which channel, which bridge, who is on it). Whether
an agent is willing to take a call is the agent state machine's business; `take` is given a
predicate for that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class AgentLine:
    """One logged-in phone, kept in its bridge between calls."""

    endpoint: str
    channel_id: str
    bridge_id: str
    idle_since: float
    customer: str | None = None


class AgentLines:
    """The lines of every logged-in agent, owned by the call controller."""

    def __init__(self) -> None:
        self._lines: dict[str, AgentLine] = {}

    def __len__(self) -> int:
        return len(self._lines)

    def add(self, line: AgentLine) -> None:
        self._lines[line.endpoint] = line

    def remove(self, endpoint: str) -> AgentLine | None:
        return self._lines.pop(endpoint, None)

    def by_channel(self, channel_id: str) -> AgentLine | None:
        return next((line for line in self._lines.values() if line.channel_id == channel_id), None)

    def get(self, endpoint: str) -> AgentLine | None:
        return self._lines.get(endpoint)

    def all(self) -> list[AgentLine]:
        return list(self._lines.values())

    def idle(self) -> list[AgentLine]:
        return [line for line in self._lines.values() if line.customer is None]

    def take(self, customer: str, *, willing: Callable[[str], bool] = lambda _: True) -> AgentLine | None:
        """Give `customer` to the longest-idle line whose agent is willing; None if there is none."""
        candidates = [line for line in self.idle() if willing(line.endpoint)]
        if not candidates:
            return None
        line = min(candidates, key=lambda candidate: candidate.idle_since)
        line.customer = customer
        return line

    def release(self, endpoint: str, now: float) -> None:
        line = self._lines.get(endpoint)
        if line is not None:
            line.customer = None
            line.idle_since = now
