"""Contact lists, the runs that imported them, and the contacts (one per dialable number)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from engine.store.types import UTCDateTime, utcnow


class LineType(StrEnum):
    CELL = "cell"
    LANDLINE = "landline"
    UNKNOWN = "unknown"


class LeadState(StrEnum):
    """Where a contact stands in the dialing lifecycle."""

    READY = "ready"  # in the pool; due once next_attempt_at has passed
    DNC = "dnc"  # on a do-not-call list that applies: never leased
    DONE = "done"  # final disposition or attempts exhausted


class ImportStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    ROLLED_BACK = "rolled_back"


class ContactList(SQLModel, table=True):
    """A named list of contacts within a campaign (usually one voter file)."""

    __tablename__ = "contact_lists"
    __table_args__ = (UniqueConstraint("campaign_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaigns.id", index=True)
    name: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ImportRun(SQLModel, table=True):
    """One import of one file; its contacts carry its id so a failed run can be removed whole."""

    __tablename__ = "import_runs"

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaigns.id", index=True)
    list_id: int = Field(foreign_key="contact_lists.id", index=True)
    file_name: str = Field(max_length=500)
    file_sha256: str = Field(max_length=64, index=True)
    status: str = Field(default=ImportStatus.RUNNING, max_length=20)
    rows: int = 0
    imported: int = 0
    rejected: int = 0
    duplicates: int = 0
    dnc_marked: int = 0
    # The file's header in order and what each column was read as, so an export can give a
    # campaign back the columns it sent in.
    columns: list[str] = Field(default_factory=list, sa_type=JSON)
    mapping: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    report_path: str | None = None
    error: str | None = None
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Contact(SQLModel, table=True):
    """One dialable number in a campaign, with the voter-file row it came from."""

    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("campaign_id", "e164"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaigns.id")
    list_id: int = Field(foreign_key="contact_lists.id")
    # Not indexed: only a rare rollback looks contacts up by run, and the index costs every import.
    import_run_id: int | None = Field(default=None, foreign_key="import_runs.id")
    source_line: int | None = None
    e164: str = Field(max_length=20)
    voter_id: str | None = Field(default=None, max_length=64)
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    address: str | None = Field(default=None, max_length=300)
    city: str | None = Field(default=None, max_length=100)
    state: str | None = Field(default=None, max_length=2)
    zip_code: str | None = Field(default=None, max_length=10)
    # Not indexed: nothing looks contacts up by household, and every import paid for the index.
    household_key: str | None = Field(default=None, max_length=200)
    line_type: str = Field(default=LineType.UNKNOWN, max_length=10)
    consent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    consent_source: str | None = Field(default=None, max_length=200)
    # Computed at import from ZIP and area code by engine.compliance; the hopper asks which
    # keys are dialable now and filters on this column.
    window_key: str = Field(max_length=200)
    extra: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    priority: int = 0
    lead_state: str = Field(default=LeadState.READY, max_length=10)
    dnc_reason: str | None = Field(default=None, max_length=200)
    attempts: int = 0
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_disposition: str | None = Field(default=None, max_length=20)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_owner: str | None = Field(default=None, max_length=100)
    lease_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CampaignWindowKey(SQLModel, table=True):
    """The distinct window keys of a campaign's contacts, kept so the hopper never scans for them."""

    __tablename__ = "campaign_window_keys"

    campaign_id: int = Field(foreign_key="campaigns.id", primary_key=True)
    window_key: str = Field(max_length=200, primary_key=True)


# The hopper walks this index in its ORDER BY (priority first, then oldest due) and filters
# the rest, so leasing stays fast however large the campaign.
Index(
    "ix_contacts_hopper",
    Contact.campaign_id,  # type: ignore[arg-type]
    Contact.lead_state,  # type: ignore[arg-type]
    Contact.priority.desc(),  # type: ignore[attr-defined]
    Contact.next_attempt_at,  # type: ignore[arg-type]
)
