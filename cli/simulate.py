"""`phonebank simulate` (run a pacing scenario) and `phonebank plan` (who finishes a list, when)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cli.common import JsonOption, console, fail, print_json
from pacing.factory import MODES, make_pacer
from pacing.plan import Plan, hours_to_finish, team_finishes, volunteers_to_finish
from pacing.policies import Pacer
from pacing.sim.results import SimResult
from pacing.sim.scenario import BENCHMARK, Scenario, scenario_from_dict
from pacing.sim.simulator import simulate as run_simulation


def _load_scenario(path: Path | None) -> Scenario:
    if path is None:
        return BENCHMARK
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(f"scenario file {path} not found; pass an existing .toml file or leave --scenario out")
    except tomllib.TOMLDecodeError as exc:
        fail(f"scenario file {path} is not valid TOML ({exc}); fix the syntax")
    try:
        return scenario_from_dict(data)
    except ValueError as exc:
        fail(f"scenario file {path}: {exc}")


def _pacer(
    policy: str, ratio: float | None, target: float, operating_target: float | None
) -> Pacer:
    params: dict[str, Any] = {}
    if policy == "power":
        params["ratio"] = ratio if ratio is not None else 2.0
    elif ratio is not None:
        fail("--ratio applies only to --policy power")
    if policy == "predictive":
        params["target_abandon"] = target
        params["operating_target"] = (
            operating_target if operating_target is not None else min(target, 0.025)
        )
    elif policy == "adapt_hard_limit":
        params["drop_limit"] = target
    try:
        return make_pacer(policy, **params)
    except ValueError as exc:
        fail(str(exc))


def _kpi_table(result: SimResult, scenario: Scenario) -> Table:
    table = Table(
        title=f"{scenario.name}: {result.policy}, {result.agents} agents, "
        f"{result.days} x {scenario.day_hours:g} h, seed {result.seed}"
    )
    table.add_column("measure")
    table.add_column("value", justify="right")
    window = result.window_rates()
    rows = [
        ("occupancy (talk + wrap) / logged-in", f"{result.occupancy:.1%}"),
        ("abandon rate (abandons / live answers)", f"{result.abandon_rate:.2%}"),
        ("worst 30-day abandon rate at a day's end", f"{window.max(initial=0.0):.2%}"),
        ("contacts per agent-hour", f"{result.contacts_per_agent_hour:.1f}"),
        ("dials", f"{result.dials:,}"),
        ("live answers", f"{result.live:,}"),
        ("abandons", f"{result.abandons:,}"),
        ("contacts (live answers bridged to an agent)", f"{result.contacts:,}"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table


def _plot(result: SimResult, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series = result.series()
    fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(10, 6))
    top.plot(series["hours"], [100 * v for v in series["occupancy"]], drawstyle="steps-post")
    top.axhline(
        100 * result.occupancy, linestyle="--", color="grey", label=f"run: {result.occupancy:.1%}"
    )
    top.set_ylabel("occupancy %")
    top.set_ylim(0, 100)
    top.legend(loc="lower right")
    bottom.plot(
        series["hours"],
        [100 * v for v in series["abandon_rate"]],
        drawstyle="steps-post",
        color="tab:red",
        alpha=0.4,
        label="per bucket",
    )
    bottom.plot(
        series["hours"],
        [100 * v for v in series["running_abandon_rate"]],
        color="tab:red",
        label="running",
    )
    bottom.axhline(3.0, linestyle="--", color="black", label="3% limit")
    bottom.axhline(
        100 * result.abandon_rate,
        linestyle=":",
        color="grey",
        label=f"run: {result.abandon_rate:.2%}",
    )
    bottom.set_ylabel(f"abandon % per {result.bucket / 60:g} min")
    bottom.set_xlabel("dialling hours")
    bottom.legend(loc="upper right")
    fig.suptitle(f"{result.policy}, {result.agents} agents, seed {result.seed}")
    fig.tight_layout()
    try:
        fig.savefig(path)
    except OSError as exc:
        fail(f"cannot write {path} ({exc.strerror}); pick a writable --plot path")
    finally:
        plt.close(fig)


def simulate_command(
    scenario_file: Annotated[
        Path | None, typer.Option("--scenario", help="Scenario TOML (default: the benchmark).")
    ] = None,
    policy: Annotated[str, typer.Option(help=f"Dial mode: {', '.join(MODES)}.")] = "predictive",
    agents: Annotated[
        int | None, typer.Option(min=1, help="Override the scenario's agents.")
    ] = None,
    days: Annotated[int | None, typer.Option(min=1, help="Override the scenario's days.")] = None,
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same run.")] = 0,
    ratio: Annotated[
        float | None, typer.Option(help="Lines per ready agent for --policy power.")
    ] = None,
    target: Annotated[float, typer.Option(help="Legal abandon target as a fraction.")] = 0.03,
    operating_target: Annotated[
        float | None, typer.Option(help="Predictive: abandon rate to aim at.")
    ] = None,
    plot: Annotated[
        Path | None, typer.Option(help="Write occupancy and abandon rate over time to this PNG.")
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Simulate a campaign with a pacing policy and print occupancy, abandons and contacts."""
    scenario = _load_scenario(scenario_file)
    changes = {k: v for k, v in (("agents", agents), ("days", days)) if v is not None}
    scenario = scenario.with_changes(**changes) if changes else scenario
    pacer = _pacer(policy, ratio, target, operating_target)
    if json_output:
        result = run_simulation(scenario, pacer, seed=seed, policy=policy)
    else:
        columns = (
            TextColumn("simulating"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("days"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("days", total=scenario.days)
            result = run_simulation(
                scenario,
                pacer,
                seed=seed,
                policy=policy,
                progress=lambda day: progress.update(task, completed=day),
            )
    if plot is not None:
        _plot(result, plot)
    if json_output:
        print_json(
            {
                **result.kpis(),
                "scenario": scenario.to_dict(),
                "series": result.series(),
                "plot": str(plot) if plot else None,
            }
        )
        return
    console.print(_kpi_table(result, scenario))
    if plot is not None:
        console.print(f"plot written to {plot}")


def _plan_dict(plan: Plan) -> dict[str, Any]:
    return {
        "list_size": plan.list_size,
        "contact_rate": plan.contact_rate,
        "handle_time_s": plan.handle_time,
        "volunteers": plan.volunteers,
        "hours": round(plan.hours, 2),
        "occupancy": round(plan.occupancy, 4),
        "contacts_per_volunteer_hour": round(plan.contacts_per_volunteer_hour, 2),
        "contacts_needed": plan.contacts_needed,
        "contacts_reached": plan.contacts_reached,
        "finished_share": round(plan.finished_share, 4),
        "dials_per_hour": round(plan.dials_per_hour),
    }


def plan_command(
    list_size: Annotated[
        int, typer.Option("--list-size", help="Records to call (one attempt each).")
    ],
    contact_rate: Annotated[float, typer.Option(help="Live answers per dial, e.g. 0.2.")] = 0.2,
    handle_time: Annotated[
        float, typer.Option(help="Seconds of talk + wrap-up per contact.")
    ] = 180.0,
    volunteers: Annotated[
        int | None, typer.Option(help="Team size (alone: how long it takes).")
    ] = None,
    hours: Annotated[
        float | None, typer.Option(help="Time available (alone: how many volunteers).")
    ] = None,
    occupancy: Annotated[
        float | None, typer.Option(help="Override the expected occupancy (0-1).")
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """How many volunteers for how many hours finish a list, or what a team finishes in a time."""
    if occupancy is not None and not 0.0 < occupancy <= 1.0:
        fail("--occupancy is a fraction between 0 and 1, e.g. 0.85")
    try:
        if volunteers is not None and hours is not None:
            plan = team_finishes(list_size, contact_rate, handle_time, volunteers, hours, occupancy)
        elif volunteers is not None:
            plan = hours_to_finish(list_size, contact_rate, handle_time, volunteers, occupancy)
        elif hours is not None:
            plan = volunteers_to_finish(list_size, contact_rate, handle_time, hours, occupancy)
        else:
            fail("give --volunteers (how long it takes), --hours (how many volunteers), or both")
    except ValueError as exc:
        fail(str(exc))
    if json_output:
        print_json(_plan_dict(plan))
        return
    table = Table(
        title=f"{plan.list_size:,} records at {plan.contact_rate:.0%} contact, "
        f"{plan.handle_time:g} s per contact"
    )
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("volunteers", f"{plan.volunteers:,}")
    table.add_row("hours", f"{plan.hours:,.1f}")
    table.add_row("expected occupancy", f"{plan.occupancy:.1%}")
    table.add_row("contacts per volunteer-hour", f"{plan.contacts_per_volunteer_hour:.1f}")
    table.add_row(
        "contacts reached / needed", f"{plan.contacts_reached:,} / {plan.contacts_needed:,}"
    )
    table.add_row("list finished", f"{plan.finished_share:.0%}")
    table.add_row("dials per hour (trunk load)", f"{plan.dials_per_hour:,.0f}")
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add `phonebank simulate` and `phonebank plan` to the top-level app."""
    app.command("simulate")(simulate_command)
    app.command("plan")(plan_command)
