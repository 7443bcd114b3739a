"""Classify how an outbound call ended into the dial outcomes a campaign recycles on.

Asterisk reports the end of a call as a Q.850 cause code (``ChannelDestroyed.cause`` in ARI,
``Hangup.Cause`` in AMI). chan_pjsip derives the cause from the carrier's final SIP response
(``hangup_sip2cause`` in chan_pjsip.c): 404/604 -> 1, 408 -> 18, 410 -> 22, 420 -> 3,
480 -> 19, 484 -> 28, 486/600 -> 17, 487 -> 127, 500 -> 38, 502 -> 27, 503 and other 5xx -> 34,
504 -> 102, 401/403/407/603 -> 21. AMI's OriginateResponse ``Reason`` is no substitute: busy
(17) and congestion (34) both arrive there as Reason 0, so the cause is what counts.

A cause alone cannot say whether the call was answered (16, normal clearing, ends most
answered calls), so the caller passes what it saw: ``answered`` when the channel reached Up,
``timed_out`` when the ring timer expired before an answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final


class Outcome(StrEnum):
    """How a dial attempt ended, from the campaign's point of view."""

    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    CONGESTION = "congestion"
    INVALID_NUMBER = "invalid_number"
    FAILED = "failed"


CAUSE_NAMES: Final[Mapping[int, str]] = MappingProxyType(
    {
        0: "Not defined",
        1: "Unallocated (unassigned) number",
        2: "No route to specified transit network",
        3: "No route to destination",
        16: "Normal call clearing",
        17: "User busy",
        18: "No user responding",
        19: "No answer from user (user alerted)",
        20: "Subscriber absent",
        21: "Call rejected",
        22: "Number changed",
        27: "Destination out of order",
        28: "Invalid number format",
        31: "Normal, unspecified",
        34: "No circuit/channel available",
        38: "Network out of order",
        41: "Temporary failure",
        42: "Switching equipment congestion",
        44: "Requested channel not available",
        47: "Resource unavailable, unspecified",
        58: "Bearer capability not presently available",
        102: "Recovery on timer expiry",
        127: "Interworking, unspecified",
    }
)

_UNANSWERED: Final[Mapping[int, Outcome]] = MappingProxyType(
    {
        # 16/31 before an answer: the far end ended a ringing call without a failure code,
        # which carriers send when the callee lets it ring out or hangs up while ringing.
        16: Outcome.NO_ANSWER,
        18: Outcome.NO_ANSWER,
        19: Outcome.NO_ANSWER,
        # A switched-off mobile: worth retrying later, like a ring-out.
        20: Outcome.NO_ANSWER,
        31: Outcome.NO_ANSWER,
        17: Outcome.BUSY,
        34: Outcome.CONGESTION,
        38: Outcome.CONGESTION,
        41: Outcome.CONGESTION,
        42: Outcome.CONGESTION,
        44: Outcome.CONGESTION,
        47: Outcome.CONGESTION,
        # 504 Gateway Timeout from the carrier: its network, not the callee, is the problem.
        102: Outcome.CONGESTION,
        1: Outcome.INVALID_NUMBER,
        2: Outcome.INVALID_NUMBER,
        3: Outcome.INVALID_NUMBER,
        22: Outcome.INVALID_NUMBER,
        28: Outcome.INVALID_NUMBER,
        # Everything else, notably 21 (which chan_pjsip also uses for a carrier's 401/403, a
        # configuration fault) and 127 (our own CANCEL), is FAILED so an operator looks at it.
    }
)

_DIALSTATUS: Final[Mapping[str, Outcome]] = MappingProxyType(
    {
        "ANSWER": Outcome.ANSWERED,
        "NOANSWER": Outcome.NO_ANSWER,
        "BUSY": Outcome.BUSY,
        "CONGESTION": Outcome.CONGESTION,
        "CHANUNAVAIL": Outcome.CONGESTION,
    }
)


def classify_hangup(
    cause: int | None, *, answered: bool = False, timed_out: bool = False
) -> Outcome:
    """The outcome of a call that ended with Q.850 ``cause``.

    ``answered``: the channel reached Up before it ended (any cause then means answered).
    ``timed_out``: the ring timer expired first (a no-answer whatever cause the hangup got).
    ``None`` stands for a cause that was never reported.
    """
    if answered:
        return Outcome.ANSWERED
    if timed_out:
        return Outcome.NO_ANSWER
    if cause is None:
        return Outcome.FAILED
    return _UNANSWERED.get(cause, Outcome.FAILED)


def classify_dialstatus(dialstatus: str) -> Outcome | None:
    """The outcome an ARI ``Dial`` event's final ``dialstatus`` stands for.

    Intermediate statuses (``RINGING``, ``PROGRESS``, ``PROCEEDING``, empty) return ``None``:
    the attempt has not ended yet. ``CHANUNAVAIL`` counts as congestion because chan_pjsip
    reports it when the trunk cannot take the call.
    """
    status = dialstatus.strip().upper()
    if status in ("", "RINGING", "PROGRESS", "PROCEEDING"):
        return None
    return _DIALSTATUS.get(status, Outcome.FAILED)


def cause_name(cause: int | None) -> str:
    """A readable name for a Q.850 cause, for logs and reports."""
    if cause is None:
        return "no cause reported"
    return CAUSE_NAMES.get(cause, f"cause {cause}")
