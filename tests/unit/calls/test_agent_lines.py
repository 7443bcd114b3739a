"""Which agent gets the next live answer."""

from __future__ import annotations

from engine.calls.agent_lines import AgentLine, AgentLines


def _lines() -> AgentLines:
    lines = AgentLines()
    for endpoint, idle in (("a", 30.0), ("b", 10.0), ("c", 20.0)):
        lines.add(AgentLine(endpoint, f"ch-{endpoint}", f"br-{endpoint}", idle_since=idle))
    return lines


def test_longest_idle_agent_takes_the_call() -> None:
    lines = _lines()
    first = lines.take("cust-1")
    second = lines.take("cust-2")
    assert first is not None and first.endpoint == "b" and first.customer == "cust-1"
    assert second is not None and second.endpoint == "c"


def test_unwilling_agents_are_skipped_and_none_when_all_busy() -> None:
    lines = _lines()
    chosen = lines.take("cust-1", willing=lambda endpoint: endpoint == "a")
    assert chosen is not None and chosen.endpoint == "a"
    assert lines.take("cust-2", willing=lambda endpoint: endpoint == "a") is None
    lines.take("x")
    lines.take("y")
    assert lines.take("z") is None


def test_release_makes_the_agent_newest_idle() -> None:
    lines = _lines()
    taken = lines.take("cust")
    assert taken is not None
    lines.release(taken.endpoint, now=100.0)
    assert taken.customer is None and taken.idle_since == 100.0
    again = lines.take("next")
    assert again is not None and again.endpoint == "c"


def test_lookup_by_channel_and_removal() -> None:
    lines = _lines()
    assert (found := lines.by_channel("ch-c")) is not None and found.endpoint == "c"
    assert lines.remove("c") is not None and lines.by_channel("ch-c") is None
    assert len(lines) == 2
