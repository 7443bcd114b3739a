"""The discrete-event simulator: scenarios as data, a seeded run, and its KPIs."""

from pacing.sim.results import SimResult
from pacing.sim.scenario import (
    BENCHMARK,
    DRIFT,
    Break,
    Login,
    Lognormal,
    Scenario,
    Step,
    scenario_from_dict,
)
from pacing.sim.simulator import simulate

__all__ = [
    "BENCHMARK",
    "DRIFT",
    "Break",
    "Login",
    "Lognormal",
    "Scenario",
    "SimResult",
    "Step",
    "scenario_from_dict",
    "simulate",
]
