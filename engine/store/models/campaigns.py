"""Campaigns and the dispositions an agent (or the engine) can give a call in one."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from engine.store.types import UTCDateTime, utcnow

DEFAULT_CALLING_HOURS: dict[str, str | None] = {
    "weekday": "09:00-21:00",
    "saturday": "10:00-21:00",
    "sunday": "12:00-21:00",
}


class CellPolicy(StrEnum):
    """What to do with a cell phone that has no recorded consent (counsel decides)."""

    DIAL = "dial"  # dial automatically like any other number
    SKIP = "skip"  # never dial
    MANUAL = "manual"  # preview/manual dialing by an agent only, never leased to the dialer


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    ARCHIVED = "archived"


class Campaign(SQLModel, table=True):
    """One dialing campaign: its hours, limits, caller IDs and compliance choices."""

    __tablename__ = "campaigns"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=120)
    mode: str = Field(default="predictive", max_length=20)
    status: str = Field(default=CampaignStatus.DRAFT, max_length=20)
    # {"weekday": "09:00-20:30", "saturday": "10:00-18:00", "sunday": null}; the compliance
    # layer intersects this with 08:00-21:00 local and the state's own rule.
    calling_hours: dict[str, Any] = Field(
        default_factory=lambda: dict(DEFAULT_CALLING_HOURS), sa_type=JSON
    )
    # Two-letter states the campaign calls into: the fallback window for a contact with no
    # usable location is the strictest among them.
    states: list[str] = Field(default_factory=list, sa_type=JSON)
    caller_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    abandon_target: float = 0.03
    cell_policy: str = Field(default=CellPolicy.MANUAL, max_length=10)
    uses_national_dnc: bool = True
    max_attempts: int = 6  # lifetime call attempts per contact
    max_attempts_per_day: int = 2  # per the contact's local calendar day
    max_attempts_24h: int = 2  # rolling 24 hours
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # engine.campaign.settings.DialingSettings as JSON: trunks, AMD, safe harbor, ...
    dialing: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # The pacer's abandon ledger, saved so a restart keeps the 30-day window.
    pacing_state: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class Disposition(SQLModel, table=True):
    """A result code within a campaign and what it does to the lead."""

    __tablename__ = "dispositions"
    __table_args__ = (UniqueConstraint("campaign_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaigns.id", index=True)
    code: str = Field(max_length=20)
    label: str = Field(max_length=120)
    # The engine assigns system codes (no answer, busy, machine...); agents assign the others.
    is_system: bool = False
    is_success: bool = False
    is_dnc: bool = False
    is_final: bool = False
    recycle_delay_minutes: int | None = None
    max_attempts: int | None = None  # stop recycling after this many attempts with this code
