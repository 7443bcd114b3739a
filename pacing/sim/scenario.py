"""Scenarios as data: who dials, how calls resolve, how long agents take, and what changes when.

Every time in a scenario is seconds; times of breaks, logins and steps are offsets into the day.
:func:`scenario_from_dict` accepts the shape of a TOML file (see docs/pacing.md); unknown keys
and impossible values raise ``ValueError`` with one line that names the fix.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Lognormal:
    """A lognormal duration given by its mean and standard deviation in seconds."""

    mean: float
    sd: float

    def __post_init__(self) -> None:
        if self.mean <= 0 or self.sd < 0:
            raise ValueError(
                f"a duration needs mean > 0 and sd >= 0 (got mean={self.mean}, sd={self.sd})"
            )

    @property
    def mu_sigma(self) -> tuple[float, float]:
        """Parameters of the underlying normal."""
        sigma2 = math.log(1.0 + (self.sd / self.mean) ** 2)
        return math.log(self.mean) - sigma2 / 2.0, math.sqrt(sigma2)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` draws."""
        mu, sigma = self.mu_sigma
        return rng.lognormal(mu, sigma, size)


@dataclass(frozen=True)
class Break:
    """``agents`` agents go on break ``start`` seconds into the day (after their current call)."""

    start: float
    duration: float
    agents: int


@dataclass(frozen=True)
class Login:
    """``agents`` more agents log in ``at`` seconds into the day."""

    at: float
    agents: int


@dataclass(frozen=True)
class Step:
    """From ``at`` seconds into the day: a new live-answer share and/or handle-time multiplier."""

    at: float
    human: float | None = None
    handle_scale: float | None = None


@dataclass(frozen=True)
class Scenario:
    """One simulated campaign. Shares are of dials; what is left after human, machine and failed
    rings out at ``no_answer_timeout``. Answer times are drawn below the timeout."""

    name: str = "benchmark"
    agents: int = 20
    days: int = 1
    day_hours: float = 8.0
    human: float = 0.20
    machine: float = 0.25
    failed: float = 0.10
    answer_time: Lognormal = Lognormal(12.0, 6.0)
    fail_time: Lognormal = Lognormal(3.0, 1.0)
    no_answer_timeout: float = 25.0
    amd_delay: float = 3.0
    talk: Lognormal = Lognormal(150.0, 120.0)
    wrap: Lognormal = Lognormal(30.0, 15.0)
    abandon_deadline: float = 2.0
    tick: float = 1.0
    lines_per_agent: float = 3.0
    trunk_channels: int | None = None
    calls_per_second: float | None = None
    breaks: tuple[Break, ...] = ()
    logins: tuple[Login, ...] = ()
    steps: tuple[Step, ...] = ()
    bucket: float = 300.0

    def __post_init__(self) -> None:
        if self.agents < 1 or self.days < 1 or self.day_hours <= 0:
            raise ValueError("a scenario needs agents >= 1, days >= 1 and day_hours > 0")
        shares = (self.human, self.machine, self.failed)
        if min(shares) < 0 or sum(shares) > 1:
            raise ValueError(
                "human + machine + failed shares must be non-negative and sum to at most 1"
            )
        if self.no_answer_timeout < 15:
            raise ValueError("no_answer_timeout must be at least 15 s (the ring-time rule)")
        if not 0 <= self.abandon_deadline <= self.no_answer_timeout:
            raise ValueError("abandon_deadline must be between 0 and no_answer_timeout seconds")
        if self.tick <= 0 or self.bucket <= 0:
            raise ValueError("tick and bucket must be positive seconds")

    @property
    def day_seconds(self) -> float:
        """Length of the dialling day."""
        return self.day_hours * 3600.0

    def with_changes(self, **changes: Any) -> Scenario:
        """A copy with some fields replaced."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The TOML-shaped dict :func:`scenario_from_dict` reads back (``None`` fields omitted)."""
        data = {key: value for key, value in asdict(self).items() if value is not None}
        for key in _LISTS:
            data[key] = list(data[key])
        return data


BENCHMARK = Scenario()
"""The issue's benchmark: 20% live, 25% machines (AMD 3 s), 10% fast failures, 25 s ring-out."""

DRIFT = Scenario(
    name="drift",
    days=30,
    breaks=(Break(start=2 * 3600.0, duration=3600.0, agents=3),),
    steps=(Step(at=4 * 3600.0, human=0.10, handle_scale=1.5),),
)
"""The drift check: at midday live answers fall from 20% to 10% and handle time grows 50%;
three agents take an hour's break mid-morning; 30 days."""

_NESTED = {"answer_time": Lognormal, "fail_time": Lognormal, "talk": Lognormal, "wrap": Lognormal}
_LISTS = {"breaks": Break, "logins": Login, "steps": Step}


def _build(kind: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        # ValueError, not TypeError: callers treat every bad scenario input alike.
        fields_list = ", ".join(f.name for f in fields(kind))
        raise ValueError(f"{where} must be a table like {{ {fields_list} }}")  # noqa: TRY004
    known = {f.name for f in fields(kind)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(
            f"unknown key(s) {', '.join(unknown)} in {where}; known: {', '.join(sorted(known))}"
        )
    try:
        return kind(**data)
    except TypeError as exc:
        raise ValueError(f"bad {where}: {exc}") from exc


def scenario_from_dict(data: dict[str, Any], base: Scenario = BENCHMARK) -> Scenario:
    """A scenario from a TOML-shaped dict; keys it does not set keep ``base``'s values."""
    known = {f.name for f in fields(Scenario)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(
            f"unknown scenario key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key in _NESTED:
            changes[key] = _build(_NESTED[key], value, key)
        elif key in _LISTS:
            if not isinstance(value, list):
                raise ValueError(f"{key} must be an array of tables ([[{key}]] in TOML)")
            changes[key] = tuple(
                _build(_LISTS[key], item, f"{key}[{i}]") for i, item in enumerate(value)
            )
        else:
            changes[key] = value
    try:
        return replace(base, **changes)
    except TypeError as exc:
        raise ValueError(f"bad scenario value: {exc}") from exc


__all__ = [
    "BENCHMARK",
    "DRIFT",
    "Break",
    "Login",
    "Lognormal",
    "Scenario",
    "Step",
    "scenario_from_dict",
]
