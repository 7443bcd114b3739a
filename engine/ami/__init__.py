"""Asterisk Manager Interface (AMI) client over panoramisk, with its hazards contained."""

from engine.ami.client import FORGETTABLE_ACTIONS, AmiClient, AmiSubscription
from engine.ami.errors import (
    AmiActionError,
    AmiAuthError,
    AmiDisconnected,
    AmiError,
    AmiTimeout,
    AmiUnreachable,
)
from engine.ami.models import (
    ORIGINATE_REASONS,
    AmiEvent,
    ChannelSummary,
    OriginateResult,
    PjsipContact,
    PjsipEndpoint,
    PjsipRegistration,
)

__all__ = [
    "FORGETTABLE_ACTIONS",
    "ORIGINATE_REASONS",
    "AmiActionError",
    "AmiAuthError",
    "AmiClient",
    "AmiDisconnected",
    "AmiError",
    "AmiEvent",
    "AmiSubscription",
    "AmiTimeout",
    "AmiUnreachable",
    "ChannelSummary",
    "OriginateResult",
    "PjsipContact",
    "PjsipEndpoint",
    "PjsipRegistration",
]
