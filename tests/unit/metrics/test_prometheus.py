"""The Prometheus text exposition: exact output, escaping, and what the reference parser reads."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from prometheus_client.parser import text_string_to_metric_families

from engine.metrics.campaign import CampaignMetrics, LiveCounters
from engine.metrics.prometheus import escape_label_value, format_value, prometheus_text

GOTV = CampaignMetrics(
    campaign_id=7,
    name="gotv",
    status="active",
    mode="predictive",
    at=datetime(2024, 3, 12, 17, 30, tzinfo=UTC),
    live=LiveCounters(
        in_flight=3,
        waiting=1,
        agents_logged_in=4,
        agents_ready=1,
        agents_on_call=2,
        agents_wrap_up=0,
        agents_paused=1,
    ),
    dial_level=1.5,
    dialed_today=40,
    dialed_last_hour=12,
    live_answers_last_hour=3,
    contact_rate=0.25,
    live_answers_today=10,
    abandoned_today=0,
    abandon_rate_today=0.0,
    live_answers_30d=200,
    abandoned_30d=5,
    abandon_rate_30d=0.025,
    abandon_target=0.03,
    average_handle_seconds=92.5,
    occupancy=None,
    calls_per_hour=2,
    connected_today=8,
    successes_today=3,
    conversion_rate=0.375,
    outcomes_today={"connected": 8, "busy": 2},
)

EXPECTED = (
    "# HELP phonebank_campaign_info Campaign identity, status and dialing mode (value is always 1).\n"
    "# TYPE phonebank_campaign_info gauge\n"
    'phonebank_campaign_info{campaign="gotv",campaign_id="7",status="active",mode="predictive"} 1\n'
    "# HELP phonebank_dial_level_ratio Lines in flight per agent not paused.\n"
    "# TYPE phonebank_dial_level_ratio gauge\n"
    'phonebank_dial_level_ratio{campaign="gotv"} 1.5\n'
    "# HELP phonebank_lines_in_flight Calls dialling, ringing or talking.\n"
    "# TYPE phonebank_lines_in_flight gauge\n"
    'phonebank_lines_in_flight{campaign="gotv"} 3\n'
    "# HELP phonebank_calls_waiting Answered callees waiting for an agent.\n"
    "# TYPE phonebank_calls_waiting gauge\n"
    'phonebank_calls_waiting{campaign="gotv"} 1\n'
    "# HELP phonebank_agents_logged_in Agents logged in to the campaign.\n"
    "# TYPE phonebank_agents_logged_in gauge\n"
    'phonebank_agents_logged_in{campaign="gotv"} 4\n'
    "# HELP phonebank_agents Logged-in agents by state.\n"
    "# TYPE phonebank_agents gauge\n"
    'phonebank_agents{campaign="gotv",state="ready"} 1\n'
    'phonebank_agents{campaign="gotv",state="on_call"} 2\n'
    'phonebank_agents{campaign="gotv",state="wrap_up"} 0\n'
    'phonebank_agents{campaign="gotv",state="paused"} 1\n'
    "# HELP phonebank_calls_dialed Calls dialled in the window (today is the UTC day).\n"
    "# TYPE phonebank_calls_dialed gauge\n"
    'phonebank_calls_dialed{campaign="gotv",window="last_hour"} 12\n'
    'phonebank_calls_dialed{campaign="gotv",window="today"} 40\n'
    "# HELP phonebank_live_answers Calls a person answered (connected, abandoned or callee hung up).\n"
    "# TYPE phonebank_live_answers gauge\n"
    'phonebank_live_answers{campaign="gotv",window="last_hour"} 3\n'
    'phonebank_live_answers{campaign="gotv",window="today"} 10\n'
    'phonebank_live_answers{campaign="gotv",window="30d"} 200\n'
    "# HELP phonebank_contact_rate_ratio Live answers per call dialled, last hour.\n"
    "# TYPE phonebank_contact_rate_ratio gauge\n"
    'phonebank_contact_rate_ratio{campaign="gotv"} 0.25\n'
    "# HELP phonebank_abandoned_calls Live answers abandoned for want of a free agent.\n"
    "# TYPE phonebank_abandoned_calls gauge\n"
    'phonebank_abandoned_calls{campaign="gotv",window="today"} 0\n'
    'phonebank_abandoned_calls{campaign="gotv",window="30d"} 5\n'
    "# HELP phonebank_abandon_rate_ratio Abandoned calls per live answer (30d is the legal measure).\n"
    "# TYPE phonebank_abandon_rate_ratio gauge\n"
    'phonebank_abandon_rate_ratio{campaign="gotv",window="today"} 0\n'
    'phonebank_abandon_rate_ratio{campaign="gotv",window="30d"} 0.025\n'
    "# HELP phonebank_abandon_target_ratio The campaign's abandon rate limit.\n"
    "# TYPE phonebank_abandon_target_ratio gauge\n"
    'phonebank_abandon_target_ratio{campaign="gotv"} 0.03\n'
    "# HELP phonebank_average_handle_seconds Mean talk time of connected calls dialled in the last hour.\n"
    "# TYPE phonebank_average_handle_seconds gauge\n"
    'phonebank_average_handle_seconds{campaign="gotv"} 92.5\n'
    "# HELP phonebank_connected_calls Calls bridged to an agent.\n"
    "# TYPE phonebank_connected_calls gauge\n"
    'phonebank_connected_calls{campaign="gotv",window="last_hour"} 2\n'
    'phonebank_connected_calls{campaign="gotv",window="today"} 8\n'
    "# HELP phonebank_successful_calls Connected calls given a success disposition.\n"
    "# TYPE phonebank_successful_calls gauge\n"
    'phonebank_successful_calls{campaign="gotv",window="today"} 3\n'
    "# HELP phonebank_conversion_ratio Successful calls per connected call, today.\n"
    "# TYPE phonebank_conversion_ratio gauge\n"
    'phonebank_conversion_ratio{campaign="gotv"} 0.375\n'
    "# HELP phonebank_calls_by_outcome Calls dialled today by how they ended.\n"
    "# TYPE phonebank_calls_by_outcome gauge\n"
    'phonebank_calls_by_outcome{campaign="gotv",outcome="busy"} 2\n'
    'phonebank_calls_by_outcome{campaign="gotv",outcome="connected"} 8\n'
    "# TYPE phonebank_originates_total counter\n"
    "phonebank_originates_total 40\n"
)


def test_one_campaign_renders_exactly() -> None:
    assert prometheus_text([GOTV], {"originates_total": 40}) == EXPECTED


def test_each_family_is_declared_once_with_every_campaign_under_it() -> None:
    text = prometheus_text([GOTV, replace(GOTV, campaign_id=8, name="fundraiser", dial_level=2.0)])

    assert text.count("# TYPE phonebank_dial_level_ratio gauge") == 1
    assert (
        'phonebank_dial_level_ratio{campaign="gotv"} 1.5\n'
        'phonebank_dial_level_ratio{campaign="fundraiser"} 2\n'
    ) in text


def test_label_values_with_quotes_backslashes_and_newlines_are_escaped() -> None:
    awkward = 'say "hi"\\bye\nnow'

    text = prometheus_text([replace(GOTV, name=awkward)])

    assert 'phonebank_lines_in_flight{campaign="say \\"hi\\"\\\\bye\\nnow"} 3\n' in text
    families = {family.name: family for family in text_string_to_metric_families(text)}
    assert families["phonebank_lines_in_flight"].samples[0].labels == {"campaign": awkward}
    assert escape_label_value("\\n") == "\\\\n"  # a literal backslash-n is not a newline


def test_the_reference_parser_reads_every_sample() -> None:
    families = {
        family.name: family
        for family in text_string_to_metric_families(
            prometheus_text(
                [GOTV], {"originates_total": 40, "phonebank_engine_uptime_seconds": 12.5}
            )
        )
    }

    rates = {s.labels["window"]: s.value for s in families["phonebank_abandon_rate_ratio"].samples}
    assert rates == {"today": 0.0, "30d": 0.025}
    assert families["phonebank_originates"].type == "counter"
    assert families["phonebank_engine_uptime_seconds"].samples[0].value == 12.5
    assert "phonebank_agent_occupancy_ratio" not in families  # None: absent, not a fake 0


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3, "3"),
        (3.0, "3"),
        (0.1, "0.1"),
        (float("inf"), "+Inf"),
        (float("-inf"), "-Inf"),
        (float("nan"), "NaN"),
    ],
)
def test_values(value: float, text: str) -> None:
    assert format_value(value) == text


def test_bad_or_clashing_extra_names_are_refused() -> None:
    with pytest.raises(ValueError, match="use letters, digits"):
        prometheus_text([], {"calls-per-hour": 1})
    with pytest.raises(ValueError, match="already exported as phonebank_lines_in_flight"):
        prometheus_text([], {"lines_in_flight": 1})
    assert prometheus_text([]) == ""
