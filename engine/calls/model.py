"""What a call is asked to do and what became of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from engine.hangup_causes import Outcome


class CallOutcome(StrEnum):
    """How one attempt ended, as the dialer counts it."""

    CONNECTED = "connected"  # a live answer, bridged to an agent
    ABANDONED = "abandoned"  # a live answer with no agent free in time
    MACHINE = "machine"
    CALLEE_HANGUP = "callee_hangup"  # answered, then hung up before an agent was connected
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    CONGESTION = "congestion"
    INVALID_NUMBER = "invalid_number"
    FAILED = "failed"
    NOT_DIALLED = "not_dialled"  # Asterisk could not be asked: the call never left

    @classmethod
    def unanswered(cls, outcome: Outcome) -> CallOutcome:
        return cls(outcome.value) if outcome is not Outcome.ANSWERED else cls.FAILED


class MachineAction(StrEnum):
    """What to do when AMD hears an answering machine."""

    HANGUP = "hangup"
    VOICEMAIL = "voicemail"


@dataclass(frozen=True)
class CallRequest:
    """One attempt to dial. `attempt_id` becomes the Asterisk channel id (idempotent originate).

    Media are Asterisk media URIs (`sound:...`). `abandon_deadline` counts from the greeting's
    end (the answer without AMD): with no agent free by then the safe-harbor message plays; it
    must leave room for the message to start within the 2 s the rule allows.
    """

    attempt_id: str
    number: str
    trunk: str
    campaign: str
    caller_id: str | None = None
    ring_timeout: int = 30
    amd: bool = False
    amd_params: str = ""
    abandon_deadline: float = 1.5
    safe_harbor: str | None = None
    optout_digit: str = "9"
    machine_action: MachineAction = MachineAction.HANGUP
    voicemail: str | None = None
    record: bool = True
    agent: str | None = None  # only this agent may take the call (an agent's own callback)


@dataclass(frozen=True)
class Recording:
    """A finished recording, in place under the recordings folder."""

    path: Path
    sha256: str
    duration: float


@dataclass
class CallResult:
    """Everything the record-keeping rule wants about one attempt, on Asterisk's clock."""

    request: CallRequest
    outcome: CallOutcome = CallOutcome.FAILED
    cause: int | None = None
    cause_txt: str = ""
    amd_status: str = ""
    amd_cause: str = ""
    agent: str | None = None
    dialed_at: datetime | None = None
    answered_at: datetime | None = None
    greeting_end_at: datetime | None = None
    connected_at: datetime | None = None
    hungup_at: datetime | None = None
    recording: Recording | None = None
    safe_harbor_at: datetime | None = None
    opted_out: bool = False
    voicemail_dropped: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def connect_delay(self) -> float | None:
        """Seconds from answer (or AMD's verdict) to the agent being bridged."""
        start = self.greeting_end_at or self.answered_at
        if start is None or self.connected_at is None:
            return None
        return (self.connected_at - start).total_seconds()
