"""Do-not-call entries, consent records and the audit log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, text
from sqlmodel import Field, SQLModel

from engine.store.types import UTCDateTime, utcnow


class DncScope(StrEnum):
    INTERNAL = "internal"  # blocks every campaign
    CAMPAIGN = "campaign"  # blocks one campaign


class DncEntry(SQLModel, table=True):
    """One number on the internal list or on one campaign's list."""

    __tablename__ = "dnc_entries"
    __table_args__ = (
        # Partial unique indexes: NULL campaign ids would otherwise never collide.
        Index(
            "ux_dnc_internal", "e164", unique=True,
            sqlite_where=text("scope = 'internal'"), postgresql_where=text("scope = 'internal'"),
        ),
        Index(
            "ux_dnc_campaign", "e164", "campaign_id", unique=True,
            sqlite_where=text("scope = 'campaign'"), postgresql_where=text("scope = 'campaign'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    e164: str = Field(max_length=20)
    scope: str = Field(max_length=10)
    campaign_id: int | None = Field(default=None, foreign_key="campaigns.id")
    source: str = Field(max_length=200)  # "agent 1001", "keypress", "file dnc.csv", "cli"
    reason: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ConsentRecord(SQLModel, table=True):
    """Evidence of consent to be called (for instance autodialed calls to a cell)."""

    __tablename__ = "consent_records"

    id: int | None = Field(default=None, primary_key=True)
    e164: str = Field(max_length=20, index=True)
    contact_id: int | None = Field(default=None, foreign_key="contacts.id")
    kind: str = Field(default="autodialed", max_length=30)
    source: str = Field(max_length=200)
    granted_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    evidence: str | None = None


class AuditEntry(SQLModel, table=True):
    """Who did what, when: DNC changes, imports, supervisor actions."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor: str = Field(max_length=100)
    action: str = Field(max_length=60)
    entity: str | None = Field(default=None, max_length=60)
    entity_id: str | None = Field(default=None, max_length=60)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
