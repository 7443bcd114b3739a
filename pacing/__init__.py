"""Predictive pacing: estimators, dialing policies and a discrete-event simulator.

Pure numpy. No I/O, no asyncio, no Asterisk: the engine and the simulator drive the same objects.
The engine builds a pacer with :func:`make_pacer`, feeds it :class:`DialOutcome`,
:class:`Abandon` and :class:`CallHandled` through ``observe`` and asks ``decide(PacerState)``
how many calls to start.
"""

from pacing.events import (
    Abandon,
    AgentState,
    CallHandled,
    CallOutcome,
    DialOutcome,
    PacerEvent,
    PacerState,
)
from pacing.factory import (
    MODES,
    adapt_hard_limit,
    make_pacer,
    power,
    predictive,
    preview,
    progressive,
)
from pacing.ledger import AbandonLedger
from pacing.policies import Pacer
from pacing.predictive import PredictivePacer, PredictiveParams

__all__ = [
    "MODES",
    "Abandon",
    "AbandonLedger",
    "AgentState",
    "CallHandled",
    "CallOutcome",
    "DialOutcome",
    "Pacer",
    "PacerEvent",
    "PacerState",
    "PredictivePacer",
    "PredictiveParams",
    "adapt_hard_limit",
    "make_pacer",
    "power",
    "predictive",
    "preview",
    "progressive",
]
