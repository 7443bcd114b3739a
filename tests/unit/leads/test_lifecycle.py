"""Recording attempts and dispositions: recycling, limits, callbacks, opt-outs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from engine.dnc import is_blocked
from engine.leads.gate import may_dial
from engine.leads.hopper import next_dialable
from engine.leads.lifecycle import (
    AttemptTimes,
    LifecycleError,
    finish_attempt,
    record_disposition,
    start_attempt,
)
from engine.store.models import CallAttempt, Callback, Contact, LeadState
from tests.unit.leads import seed

NOW = datetime(2024, 3, 12, 17, 0, tzinfo=UTC)  # Tuesday, 13:00 in New York
NUMBER = "+12125550101"


def _dial(engine: Engine, campaign_id: int, code: str, at: datetime = NOW, **kwargs: object) -> Contact:
    leases = next_dialable(engine, campaign_id, at, 1, "engine")
    assert len(leases) == 1
    attempt_id = str(uuid.uuid4())
    with Session(engine, expire_on_commit=False) as session:
        assert may_dial(session, leases[0].contact_id, "engine", at) is None
        start_attempt(session, attempt_id, leases[0].contact_id, "+12125550000", at)
        finish_attempt(session, attempt_id, "no_answer", AttemptTimes(hangup_at=at + timedelta(seconds=30)),
                       hangup_cause=19)
        contact = record_disposition(session, attempt_id, code, at + timedelta(seconds=31), **kwargs)  # type: ignore[arg-type]
        session.commit()
        return contact


def test_no_answer_recycles_after_its_delay(db_engine: Engine) -> None:
    campaign_id = seed.campaign(db_engine)
    seed.contact(db_engine, campaign_id, NUMBER, zip_code="10001")
    contact = _dial(db_engine, campaign_id, "NA")
    assert contact.lead_state == LeadState.READY
    assert contact.next_attempt_at == NOW + timedelta(seconds=31) + timedelta(minutes=240)
    assert contact.attempts == 1 and contact.last_disposition == "NA"
    assert next_dialable(db_engine, campaign_id, NOW + timedelta(hours=1), 1, "x") == []
    assert len(next_dialable(db_engine, campaign_id, NOW + timedelta(hours=5), 1, "x")) == 1


def test_final_disposition_closes_the_lead(db_engine: Engine) -> None:
    campaign_id = seed.campaign(db_engine)
    seed.contact(db_engine, campaign_id, NUMBER, zip_code="10001")
    assert _dial(db_engine, campaign_id, "SUP").lead_state == LeadState.DONE
    assert next_dialable(db_engine, campaign_id, NOW + timedelta(days=3), 1, "x") == []


def test_opt_out_goes_on_the_internal_list_for_every_campaign(db_engine: Engine) -> None:
    campaign_id = seed.campaign(db_engine)
    other = seed.campaign(db_engine, "other")
    seed.contact(db_engine, campaign_id, NUMBER, zip_code="10001")
    contact = _dial(db_engine, campaign_id, "DNC", agent="1001")
    assert contact.lead_state == LeadState.DNC
    with Session(db_engine) as session:
        reason = is_blocked(session, NUMBER, other)
    assert reason is not None and reason.scope == "internal"


def test_lifetime_limit_closes_the_lead(db_engine: Engine) -> None:
    campaign_id = seed.campaign(db_engine, max_attempts=2, max_attempts_per_day=5, max_attempts_24h=5)
    seed.contact(db_engine, campaign_id, NUMBER, zip_code="10001")
    _dial(db_engine, campaign_id, "B")
    contact = _dial(db_engine, campaign_id, "B", at=NOW + timedelta(hours=1))
    assert contact.lead_state == LeadState.DONE


def test_a_disposition_maximum_closes_the_lead(db_engine: Engine) -> None:
    campaign_id = seed.campaign(db_engine, max_attempts_per_day=5, max_attempts_24h=5)
    seed.contact(db_engine, campaign_id, NUMBER, zip_code="10001")
    at = NOW
    for _ in range(2):
        assert _dial(db_engine, campaign_id, "FAIL", at=at).lead_state == LeadState.READY
        at += timedelta(hours=2)
    assert _dial(db_engine, campaign_id, "FAIL", at=at).lead_state == LeadState.DONE  # FAIL allows 3


def test_rolling_24_hour_limit_holds_the_lead_back(db_engine: Engine) -> None:
    campaign_id = seed.campaign(db_engine, max_attempts_24h=1, max_attempts_per_day=5)
    seed.contact(db_engine, campaign_id, NUMBER, zip_code="10001")
    _dial(db_engine, campaign_id, "CONG")  # recycles after 15 minutes
    assert next_dialable(db_engine, campaign_id, NOW + timedelta(hours=23), 1, "x") == []
    assert len(next_dialable(db_engine, campaign_id, NOW + timedelta(hours=24, seconds=1), 1, "x")) == 1


def test_daily_limit_counts_the_callees_local_day(db_engine: Engine) -> None:
    campaign_id = seed.campaign(db_engine, max_attempts_per_day=1, max_attempts_24h=5)
    seed.contact(db_engine, campaign_id, NUMBER, zip_code="10001")
    _dial(db_engine, campaign_id, "CONG")
    # 20:30 in New York, the same local day (though already the 13th in UTC).
    assert next_dialable(db_engine, campaign_id, datetime(2024, 3, 13, 0, 30, tzinfo=UTC), 1, "x") == []
    # 08:30 the next local day, under 24 hours after the first call: allowed again.
    assert len(next_dialable(db_engine, campaign_id, datetime(2024, 3, 13, 12, 30, tzinfo=UTC), 1, "x")) == 1


def test_callback_books_and_is_leased_to_its_agent(db_engine: Engine) -> None:
    campaign_id = seed.campaign(db_engine)
    contact_id = seed.contact(db_engine, campaign_id, NUMBER, zip_code="10001")
    due = NOW + timedelta(hours=2)
    _dial(db_engine, campaign_id, "CB", callback_at=due, callback_agent="1001")
    with Session(db_engine) as session:
        callback = session.exec(select(Callback)).one()
    assert (callback.contact_id, callback.agent, callback.due_at) == (contact_id, "1001", due)
    assert next_dialable(db_engine, campaign_id, due, 1, "x") == []
    leases = next_dialable(db_engine, campaign_id, due, 1, "x", agents={"1001"})
    assert [(lease.contact_id, lease.callback_agent) for lease in leases] == [(contact_id, "1001")]


def test_start_attempt_is_idempotent_by_channel_id(db_engine: Engine) -> None:
    campaign_id = seed.campaign(db_engine)
    contact_id = seed.contact(db_engine, campaign_id, NUMBER, zip_code="10001")
    with Session(db_engine) as session:
        for _ in range(2):
            start_attempt(session, "6f1c2a8e-0000-4000-8000-000000000001", contact_id, "+12125550000", NOW)
        session.commit()
        assert len(session.exec(select(CallAttempt)).all()) == 1
        contact = session.get(Contact, contact_id)
        assert contact is not None and contact.attempts == 1


def test_unknown_disposition_is_refused(db_engine: Engine) -> None:
    campaign_id = seed.campaign(db_engine)
    contact_id = seed.contact(db_engine, campaign_id, NUMBER, zip_code="10001")
    with Session(db_engine) as session:
        start_attempt(session, "6f1c2a8e-0000-4000-8000-000000000002", contact_id, "+12125550000", NOW)
        with pytest.raises(LifecycleError, match="no disposition 'XYZ'"):
            record_disposition(session, "6f1c2a8e-0000-4000-8000-000000000002", "XYZ", NOW)


def test_may_dial_refuses_once_the_window_closes(db_engine: Engine) -> None:
    campaign_id = seed.campaign(db_engine, calling_hours={"weekday": "09:00-21:00"})
    contact_id = seed.contact(db_engine, campaign_id, NUMBER, zip_code="10001")
    leases = next_dialable(db_engine, campaign_id, NOW, 1, "engine", lease_seconds=36_000)
    assert [lease.contact_id for lease in leases] == [contact_id]
    with Session(db_engine) as session:
        at_2130 = datetime(2024, 3, 13, 1, 30, tzinfo=UTC)
        assert may_dial(session, contact_id, "engine", at_2130) == "outside the callee's calling window"
        assert may_dial(session, contact_id, "other", NOW) is not None
