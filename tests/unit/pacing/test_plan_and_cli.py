"""`phonebank plan` arithmetic and the two commands end to end."""

import json

import pytest
from typer.testing import CliRunner

from cli.main import app
from pacing.plan import expected_occupancy, hours_to_finish, team_finishes, volunteers_to_finish

runner = CliRunner()


def test_hours_to_finish_is_contacts_over_throughput() -> None:
    plan = hours_to_finish(10_000, 0.2, 180.0, volunteers=10, occupancy=0.9)
    # 2,000 contacts; each volunteer does 0.9 * 3600 / 180 = 18 an hour.
    assert plan.hours == pytest.approx(2000 / (10 * 18))
    assert plan.finished_share == 1.0


def test_volunteers_to_finish_is_the_smallest_team_that_does() -> None:
    plan = volunteers_to_finish(10_000, 0.2, 180.0, hours=8.0)
    assert plan.finished_share == 1.0
    smaller = team_finishes(10_000, 0.2, 180.0, plan.volunteers - 1, 8.0)
    assert smaller.finished_share < 1.0


def test_occupancy_grows_with_team_size() -> None:
    sizes = [1, 3, 5, 8, 20, 70, 100, 500]
    values = [expected_occupancy(n) for n in sizes]
    assert values == sorted(values)


def test_plan_rejects_an_impossible_contact_rate() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        hours_to_finish(100, 1.5, 180.0, 3)


def test_plan_command_json() -> None:
    result = runner.invoke(
        app, ["plan", "--list-size", "5000", "--volunteers", "5", "--hours", "4", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["volunteers"] == 5 and data["contacts_needed"] == 1000
    assert 0 < data["finished_share"] <= 1


def test_plan_command_needs_a_question() -> None:
    result = runner.invoke(app, ["plan", "--list-size", "5000"])
    assert result.exit_code == 1
    assert "--volunteers" in result.output


def test_simulate_command_json_and_plot(tmp_path) -> None:
    scenario = tmp_path / "small.toml"
    scenario.write_text(
        'name = "small"\nagents = 3\nday_hours = 0.5\n[talk]\nmean = 60.0\nsd = 30.0\n'
    )
    plot = tmp_path / "run.png"
    result = runner.invoke(
        app,
        [
            "simulate",
            "--scenario",
            str(scenario),
            "--policy",
            "progressive",
            "--seed",
            "3",
            "--json",
            "--plot",
            str(plot),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["agents"] == 3 and data["scenario"]["talk"] == {"mean": 60.0, "sd": 30.0}
    assert data["abandons"] == 0 and 0 < data["occupancy"] < 1
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_simulate_command_bad_scenario_is_one_line(tmp_path) -> None:
    scenario = tmp_path / "bad.toml"
    scenario.write_text("no_answer_timeout = 5\n")
    result = runner.invoke(app, ["simulate", "--scenario", str(scenario)])
    assert result.exit_code == 1
    assert "at least 15 s" in result.output and "Traceback" not in result.output
