"""The disposition set every new campaign starts with, and how engine outcomes map onto it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from engine.store.models import Disposition


@dataclass(frozen=True)
class DispositionSpec:
    code: str
    label: str
    is_system: bool = False
    is_success: bool = False
    is_dnc: bool = False
    is_final: bool = False
    recycle_delay_minutes: int | None = None
    max_attempts: int | None = None


# Delays follow common dialer practice: retry unanswered numbers later the same day or the
# next, busy lines sooner, machines after a longer gap; counsel and the campaign may edit them.
DEFAULT_DISPOSITIONS: tuple[DispositionSpec, ...] = (
    DispositionSpec("NA", "No answer", is_system=True, recycle_delay_minutes=240, max_attempts=5),
    DispositionSpec("B", "Busy", is_system=True, recycle_delay_minutes=30, max_attempts=5),
    DispositionSpec("CONG", "Network congestion", is_system=True, recycle_delay_minutes=15, max_attempts=5),
    DispositionSpec("FAIL", "Call failed", is_system=True, recycle_delay_minutes=60, max_attempts=3),
    DispositionSpec("ADC", "Disconnected / invalid number", is_system=True, is_final=True),
    DispositionSpec("AM", "Answering machine", is_system=True, recycle_delay_minutes=1440, max_attempts=4),
    DispositionSpec("DROP", "Abandoned (no agent free)", is_system=True, recycle_delay_minutes=60, max_attempts=5),
    DispositionSpec("HUP", "Hung up on pick-up", is_system=True, recycle_delay_minutes=240, max_attempts=4),
    DispositionSpec("NODISP", "No disposition (wrap-up time ran out)", is_system=True,
                    recycle_delay_minutes=1440, max_attempts=3),
    DispositionSpec("SUP", "Supporter", is_success=True, is_final=True),
    DispositionSpec("UND", "Undecided", is_final=True),
    DispositionSpec("OPP", "Opposed", is_final=True),
    DispositionSpec("NI", "Not interested", is_final=True),
    DispositionSpec("WN", "Wrong number", is_final=True),
    DispositionSpec("LB", "Language barrier", is_final=True),
    DispositionSpec("CB", "Call back", recycle_delay_minutes=1440),
    DispositionSpec("DNC", "Do not call (opt-out)", is_dnc=True, is_final=True),
)

# Dial outcomes (engine.hangup_causes.Outcome values, plus AMD and abandon results) -> codes.
OUTCOME_CODES: dict[str, str] = {
    "no_answer": "NA",
    "busy": "B",
    "congestion": "CONG",
    "failed": "FAIL",
    "invalid_number": "ADC",
    "machine": "AM",
    "abandoned": "DROP",
    "callee_hangup": "HUP",
    "interrupted": "FAIL",
}


def seed_dispositions(session: Session, campaign_id: int) -> None:
    """Give a new campaign the default disposition set (the caller commits)."""
    for spec in DEFAULT_DISPOSITIONS:
        session.add(Disposition(campaign_id=campaign_id, **spec.__dict__))
