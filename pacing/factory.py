"""Build a pacer from a campaign's settings: ``make_pacer("predictive", operating_target=0.02)``."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from pacing.ledger import AbandonLedger
from pacing.policies import Pacer, PowerPacer, PreviewPacer, ProgressivePacer
from pacing.predictive import PredictivePacer, PredictiveParams
from pacing.vicidial import AdaptHardLimitPacer, AdaptParams

MODES = ("preview", "progressive", "power", "predictive", "adapt_hard_limit")


def preview(ledger: AbandonLedger | None = None) -> PreviewPacer:
    """A pacer that never dials on its own (the agent asks for each call)."""
    return PreviewPacer(ledger)


def progressive(ledger: AbandonLedger | None = None) -> ProgressivePacer:
    """One call in progress per ready agent."""
    return ProgressivePacer(ledger)


def power(ratio: float, tally: str = "ready", ledger: AbandonLedger | None = None) -> PowerPacer:
    """A fixed ratio of lines per ready (or, with ``tally="active"``, per non-paused) agent."""
    return PowerPacer(ratio, tally, ledger)  # type: ignore[arg-type]


def predictive(
    target_abandon: float = 0.03,
    operating_target: float = 0.025,
    ledger: AbandonLedger | None = None,
    **params: Any,
) -> PredictivePacer:
    """The lookahead pacer; ``params`` are further fields of :class:`PredictiveParams`."""
    _check_params("predictive", params, PredictiveParams)
    return PredictivePacer(PredictiveParams(target_abandon, operating_target, **params), ledger)


def adapt_hard_limit(ledger: AbandonLedger | None = None, **params: Any) -> AdaptHardLimitPacer:
    """The VICIdial ADAPT_HARD_LIMIT emulation; ``params`` are fields of :class:`AdaptParams`."""
    _check_params("adapt_hard_limit", params, AdaptParams)
    return AdaptHardLimitPacer(AdaptParams(**params), ledger)


def _check_params(mode: str, params: dict[str, Any], model: type) -> None:
    known = {f.name for f in fields(model)}
    unknown = sorted(set(params) - known)
    if unknown:
        raise ValueError(
            f"unknown {mode} setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )


def make_pacer(mode: str, ledger: AbandonLedger | None = None, **params: Any) -> Pacer:
    """A pacer for a campaign's dial mode; pass the persisted ledger back in after a restart."""
    builders = {
        "preview": preview,
        "progressive": progressive,
        "power": power,
        "predictive": predictive,
        "adapt_hard_limit": adapt_hard_limit,
    }
    builder = builders.get(mode)
    if builder is None:
        raise ValueError(f"unknown dial mode {mode!r}; use one of: {', '.join(MODES)}")
    try:
        return builder(ledger=ledger, **params)
    except TypeError as exc:
        raise ValueError(f"bad settings for dial mode {mode!r}: {exc}") from exc
