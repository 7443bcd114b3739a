"""What happens on a call: attempts, survey answers, notes and scheduled callbacks."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from engine.store.types import UTCDateTime, utcnow


class CallAttempt(SQLModel, table=True):
    """One dial of one number: every record the 2024 Telemarketing Sales Rule asks to keep.

    ``id`` is a UUID string, the same one Asterisk uses as the channelId, so an origination
    retried after a reconnect cannot produce a second attempt.
    """

    __tablename__ = "call_attempts"
    __table_args__ = (Index("ix_call_attempts_contact_dialed", "contact_id", "dialed_at"),)

    id: str = Field(primary_key=True, max_length=36)
    campaign_id: int = Field(foreign_key="campaigns.id", index=True)
    contact_id: int = Field(foreign_key="contacts.id")
    number_called: str = Field(max_length=20)
    caller_id: str = Field(max_length=20)
    trunk: str | None = Field(default=None, max_length=100)
    node: str | None = Field(default=None, max_length=100)  # engine that dialled
    dialed_at: datetime = Field(sa_type=UTCDateTime, index=True)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    greeting_ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    connected_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    hangup_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome: str | None = Field(default=None, max_length=30)
    hangup_cause: int | None = None  # Q.850 cause as Asterisk reports it
    hangup_cause_text: str | None = Field(default=None, max_length=100)
    amd_result: str | None = Field(default=None, max_length=30)
    disposition: str | None = Field(default=None, max_length=20)
    agent: str | None = Field(default=None, max_length=100)
    recording_path: str | None = Field(default=None, max_length=500)
    recording_sha256: str | None = Field(default=None, max_length=64)
    duration_seconds: float | None = None
    safe_harbor_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    voicemail_dropped: bool = False


class SurveyQuestion(SQLModel, table=True):
    __tablename__ = "survey_questions"
    __table_args__ = (UniqueConstraint("campaign_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaigns.id", index=True)
    key: str = Field(max_length=60)  # the export column name
    text: str
    choices: list[str] = Field(default_factory=list, sa_type=JSON)
    position: int = 0


class SurveyAnswer(SQLModel, table=True):
    __tablename__ = "survey_answers"

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="survey_questions.id", index=True)
    contact_id: int = Field(foreign_key="contacts.id", index=True)
    attempt_id: str | None = Field(default=None, foreign_key="call_attempts.id")
    answer: str
    answered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Note(SQLModel, table=True):
    __tablename__ = "notes"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contacts.id", index=True)
    attempt_id: str | None = Field(default=None, foreign_key="call_attempts.id")
    author: str | None = Field(default=None, max_length=100)
    body: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CallbackStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    CANCELLED = "cancelled"


class Callback(SQLModel, table=True):
    """A call-back promised to a contact, for one agent or for whoever is free."""

    __tablename__ = "callbacks"
    __table_args__ = (Index("ix_callbacks_due", "campaign_id", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaigns.id")
    contact_id: int = Field(foreign_key="contacts.id", index=True)
    agent: str | None = Field(default=None, max_length=100)  # None: anyone
    due_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default=CallbackStatus.PENDING, max_length=10)
    note: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
