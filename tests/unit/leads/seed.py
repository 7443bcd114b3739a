"""Build campaigns and contacts for lead tests through the real import-time code paths."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from engine.leads.campaigns import create_campaign
from engine.lists.locate import ComplianceLocator
from engine.store.bulk import insert_ignoring_duplicates
from engine.store.models import Campaign, CampaignWindowKey, Contact, ContactList, LineType

ALL_DAY = {"weekday": "00:00-23:59", "saturday": "00:00-23:59", "sunday": "00:00-23:59"}


def campaign(engine: Engine, name: str = "gotv", **settings: Any) -> int:
    settings.setdefault("uses_national_dnc", False)
    settings.setdefault("cell_policy", "dial")
    settings.setdefault("calling_hours", ALL_DAY)
    with Session(engine) as session:
        created = create_campaign(session, name, **settings)
        session.add(ContactList(campaign_id=created.id, name="list"))
        session.commit()
        assert created.id is not None
        return created.id


def contact(
    engine: Engine, campaign_id: int, e164: str, zip_code: str | None = None,
    state: str | None = None, line_type: LineType = LineType.UNKNOWN,
    consent_at: datetime | None = None, priority: int = 0,
) -> int:
    """Insert one contact with the window key the importer would give it."""
    location = ComplianceLocator().locate(e164, zip_code, state)
    with Session(engine) as session:
        campaign_row = session.get(Campaign, campaign_id)
        assert campaign_row is not None
        contact_list = session.exec(
            select(ContactList).where(ContactList.campaign_id == campaign_id)
        ).first()
        row = Contact(
            campaign_id=campaign_id, list_id=contact_list.id, e164=e164, zip_code=zip_code,
            state=location.state, window_key=location.window_key, line_type=line_type,
            consent_at=consent_at, priority=priority,
        )
        session.add(row)
        insert_ignoring_duplicates(session.connection(), CampaignWindowKey.__table__, [
            {"campaign_id": campaign_id, "window_key": location.window_key}
        ])
        session.commit()
        assert row.id is not None
        return row.id
