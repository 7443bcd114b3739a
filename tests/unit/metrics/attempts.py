"""Hand-made call attempts for metric and recording tests."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from engine.store.models import CallAttempt


def attempt(
    engine: Engine,
    campaign_id: int,
    contact_id: int,
    dialed_at: datetime,
    outcome: str | None,
    talk_seconds: float | None = None,
    attempt_id: str | None = None,
    **columns: Any,
) -> str:
    """Insert one attempt; a talk time makes it connect 10 s after the dial."""
    connected_at = hangup_at = None
    if talk_seconds is not None:
        connected_at = dialed_at + timedelta(seconds=10)
        hangup_at = connected_at + timedelta(seconds=talk_seconds)
    attempt_id = attempt_id or str(uuid.uuid4())
    with Session(engine) as session:
        session.add(
            CallAttempt(
                id=attempt_id,
                campaign_id=campaign_id,
                contact_id=contact_id,
                number_called="+12125550101",
                caller_id="+12125550000",
                dialed_at=dialed_at,
                outcome=outcome,
                connected_at=connected_at,
                hangup_at=hangup_at,
                **columns,
            )
        )
        session.commit()
    return attempt_id
