"""The engine's hard limits, applied after every policy: no policy can dial past them."""

from __future__ import annotations

import math

from pacing.events import PacerState


def line_limit(state: PacerState) -> int:
    """Calls the lines-per-agent cap still allows, counting calls ringing and waiting."""
    allowed = math.floor(state.lines_per_agent * state.active + 1e-9)
    return allowed - state.in_flight - state.waiting


def apply_caps(wanted: int, state: PacerState) -> int:
    """Clip a policy's wish to lines per agent, free trunk channels and the calls-per-second budget."""
    limits = [wanted, line_limit(state)]
    if state.trunk_channels_free is not None:
        limits.append(state.trunk_channels_free)
    if state.cps_budget is not None:
        limits.append(state.cps_budget)
    return max(0, min(limits))
