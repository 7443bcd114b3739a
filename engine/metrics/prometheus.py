"""Campaign metrics as Prometheus text exposition format 0.0.4, for a `/metrics` endpoint."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from engine.metrics.campaign import CampaignMetrics

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
PREFIX = "phonebank_"
_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_NO_EXTRA: Mapping[str, float] = MappingProxyType({})

Sample = tuple[Mapping[str, str], float | None]


@dataclass(frozen=True)
class _Family:
    name: str
    help: str
    samples: Callable[[CampaignMetrics], Iterable[Sample]]


def _one(
    value: Callable[[CampaignMetrics], float | None],
) -> Callable[[CampaignMetrics], Iterable[Sample]]:
    return lambda m: [({}, value(m))]


def _agents(m: CampaignMetrics) -> Iterable[Sample]:
    live = m.live
    states = {
        "ready": live.agents_ready,
        "on_call": live.agents_on_call,
        "wrap_up": live.agents_wrap_up,
        "paused": live.agents_paused,
    }
    return [({"state": state}, count) for state, count in states.items()]


def _outcomes(m: CampaignMetrics) -> Iterable[Sample]:
    return [({"outcome": outcome}, count) for outcome, count in sorted(m.outcomes_today.items())]


# Every family is a gauge, windowed counts too: they fall as calls leave the window.
_FAMILIES: tuple[_Family, ...] = (
    _Family(
        "campaign_info",
        "Campaign identity, status and dialing mode (value is always 1).",
        lambda m: [({"campaign_id": str(m.campaign_id), "status": m.status, "mode": m.mode}, 1)],
    ),
    _Family(
        "dial_level_ratio", "Lines in flight per agent not paused.", _one(lambda m: m.dial_level)
    ),
    _Family(
        "lines_in_flight", "Calls dialling, ringing or talking.", _one(lambda m: m.live.in_flight)
    ),
    _Family(
        "calls_waiting", "Answered callees waiting for an agent.", _one(lambda m: m.live.waiting)
    ),
    _Family(
        "agents_logged_in",
        "Agents logged in to the campaign.",
        _one(lambda m: m.live.agents_logged_in),
    ),
    _Family("agents", "Logged-in agents by state.", _agents),
    _Family(
        "calls_dialed",
        "Calls dialled in the window (today is the UTC day).",
        lambda m: [
            ({"window": "last_hour"}, m.dialed_last_hour),
            ({"window": "today"}, m.dialed_today),
        ],
    ),
    _Family(
        "live_answers",
        "Calls a person answered (connected, abandoned or callee hung up).",
        lambda m: [
            ({"window": "last_hour"}, m.live_answers_last_hour),
            ({"window": "today"}, m.live_answers_today),
            ({"window": "30d"}, m.live_answers_30d),
        ],
    ),
    _Family(
        "contact_rate_ratio",
        "Live answers per call dialled, last hour.",
        _one(lambda m: m.contact_rate),
    ),
    _Family(
        "abandoned_calls",
        "Live answers abandoned for want of a free agent.",
        lambda m: [({"window": "today"}, m.abandoned_today), ({"window": "30d"}, m.abandoned_30d)],
    ),
    _Family(
        "abandon_rate_ratio",
        "Abandoned calls per live answer (30d is the legal measure).",
        lambda m: [
            ({"window": "today"}, m.abandon_rate_today),
            ({"window": "30d"}, m.abandon_rate_30d),
        ],
    ),
    _Family(
        "abandon_target_ratio",
        "The campaign's abandon rate limit.",
        _one(lambda m: m.abandon_target),
    ),
    _Family(
        "average_handle_seconds",
        "Mean talk time of connected calls dialled in the last hour.",
        _one(lambda m: m.average_handle_seconds),
    ),
    _Family(
        "agent_occupancy_ratio",
        "Share of agents' logged-in time spent on calls and wrap-up.",
        _one(lambda m: m.occupancy),
    ),
    _Family(
        "connected_calls",
        "Calls bridged to an agent.",
        lambda m: [
            ({"window": "last_hour"}, m.calls_per_hour),
            ({"window": "today"}, m.connected_today),
        ],
    ),
    _Family(
        "successful_calls",
        "Connected calls given a success disposition.",
        lambda m: [({"window": "today"}, m.successes_today)],
    ),
    _Family(
        "conversion_ratio",
        "Successful calls per connected call, today.",
        _one(lambda m: m.conversion_rate),
    ),
    _Family("calls_by_outcome", "Calls dialled today by how they ended.", _outcomes),
)


def escape_label_value(value: str) -> str:
    """A label value as the exposition format wants it inside double quotes."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def format_value(value: float) -> str:
    """A sample value: integers without a fraction, floats shortest-exact, and the specials."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(float(value))


def _sample_line(name: str, labels: Mapping[str, str], value: float) -> str:
    if not labels:
        return f"{name} {format_value(value)}"
    rendered = ",".join(f'{key}="{escape_label_value(text)}"' for key, text in labels.items())
    return f"{name}{{{rendered}}} {format_value(value)}"


def _extra_name(key: str, taken: set[str]) -> str:
    name = key if key.startswith(PREFIX) else PREFIX + key
    if not _METRIC_NAME.fullmatch(name):
        raise ValueError(
            f"metric name {key!r}: use letters, digits, '_' and ':' (not starting with a digit)"
        )
    if name in taken:
        raise ValueError(f"metric name {key!r} is already exported as {name}: pick another name")
    taken.add(name)
    return name


def prometheus_text(
    metrics: Sequence[CampaignMetrics], extra: Mapping[str, float] = _NO_EXTRA
) -> str:
    """Every campaign's metrics, one family per metric, labelled ``campaign="<name>"``.

    ``extra`` adds unlabelled process-wide samples (say ``{"engine_uptime_seconds": 12.5}``);
    ``phonebank_`` is prefixed unless present, and a name ending in ``_total`` is typed as a
    counter. A ratio with no denominator yet (None) is left out rather than reported as 0.
    """
    lines: list[str] = []
    taken = {PREFIX + family.name for family in _FAMILIES}
    for family in _FAMILIES:
        name = PREFIX + family.name
        samples = [
            _sample_line(name, {"campaign": m.name, **labels}, value)
            for m in metrics
            for labels, value in family.samples(m)
            if value is not None
        ]
        if samples:
            lines += [
                f"# HELP {name} {_escape_help(family.help)}",
                f"# TYPE {name} gauge",
                *samples,
            ]
    for key, value in sorted(extra.items()):
        name = _extra_name(key, taken)
        lines += [
            f"# TYPE {name} {'counter' if name.endswith('_total') else 'gauge'}",
            _sample_line(name, {}, value),
        ]
    return "".join(line + "\n" for line in lines)
