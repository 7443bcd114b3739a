"""The schema: migrations, UTC timestamps, constraints, defaults."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, exc
from sqlmodel import Session, SQLModel, select

from engine.store.db import migrate
from engine.store.models import (
    CallAttempt,
    Campaign,
    CellPolicy,
    Contact,
    ContactList,
    DncEntry,
    DncScope,
)


def _campaign_and_list(session: Session) -> tuple[Campaign, ContactList]:
    campaign = Campaign(name="gotv")
    session.add(campaign)
    session.flush()
    contact_list = ContactList(campaign_id=campaign.id, name="voters")
    session.add(contact_list)
    session.flush()
    return campaign, contact_list


def test_migrations_match_models(db_engine: Engine) -> None:
    with db_engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == []


def test_migrate_twice_is_a_no_op(db_url: str) -> None:
    migrate(db_url)


def test_timestamps_come_back_aware_utc(db_engine: Engine) -> None:
    eastern = timezone(timedelta(hours=-5))
    dialed = datetime(2024, 11, 5, 9, 30, tzinfo=eastern)
    with Session(db_engine) as session:
        campaign, contact_list = _campaign_and_list(session)
        contact = Contact(
            campaign_id=campaign.id, list_id=contact_list.id, e164="+12025550143",
            window_key="k",
        )
        session.add(contact)
        session.flush()
        session.add(CallAttempt(
            id="0b9a1f7e-3a4c-4a55-9a55-1d2f1e6b7c01", campaign_id=campaign.id,
            contact_id=contact.id, number_called=contact.e164, caller_id="+12025550100",
            dialed_at=dialed,
        ))
        session.commit()
    with Session(db_engine) as session:
        attempt = session.exec(select(CallAttempt)).one()
    assert attempt.dialed_at == dialed
    assert attempt.dialed_at.utcoffset() == timedelta(0)
    assert attempt.dialed_at.hour == 14


def test_naive_timestamps_are_refused(db_engine: Engine) -> None:
    with Session(db_engine) as session:
        campaign, _ = _campaign_and_list(session)
        campaign.created_at = datetime(2024, 1, 1, 12, 0)
        with pytest.raises(exc.StatementError, match="naive datetime"):
            session.flush()


def test_campaign_defaults_are_the_cautious_ones(db_engine: Engine) -> None:
    with Session(db_engine) as session:
        campaign, _ = _campaign_and_list(session)
        session.commit()
        assert campaign.cell_policy == CellPolicy.MANUAL
        assert campaign.uses_national_dnc is True
        assert campaign.abandon_target == 0.03
        assert campaign.created_at.tzinfo == UTC


def test_one_number_once_per_campaign(db_engine: Engine) -> None:
    with Session(db_engine) as session:
        campaign, contact_list = _campaign_and_list(session)
        for _ in range(2):
            session.add(Contact(
                campaign_id=campaign.id, list_id=contact_list.id, e164="+12025550143",
                window_key="k",
            ))
        with pytest.raises(exc.IntegrityError):
            session.flush()


def test_internal_dnc_is_unique_per_number_but_campaign_lists_are_separate(
    db_engine: Engine,
) -> None:
    with Session(db_engine) as session:
        campaign, _ = _campaign_and_list(session)
        other = Campaign(name="fundraising")
        session.add(other)
        session.flush()
        for campaign_id in (campaign.id, other.id):
            session.add(DncEntry(
                e164="+12025550143", scope=DncScope.CAMPAIGN, campaign_id=campaign_id,
                source="test",
            ))
        session.add(DncEntry(e164="+12025550143", scope=DncScope.INTERNAL, source="test"))
        session.commit()
        session.add(DncEntry(e164="+12025550143", scope=DncScope.INTERNAL, source="again"))
        with pytest.raises(exc.IntegrityError):
            session.commit()
