"""The hopper: atomic leases, expiry, ordering, callbacks, and every gate it applies."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from engine.compliance.registry import Registry
from engine.dnc import RegistryUnavailable, add_number
from engine.leads.callbacks import schedule_callback
from engine.leads.hopper import next_dialable, release, renew
from engine.store.models import Contact, LeadState, LineType
from tests.unit.leads import seed

# A Tuesday, 17:00 UTC = 13:00 in New York, 10:00 in Los Angeles.
NOON_EAST = datetime(2024, 3, 12, 17, 0, tzinfo=UTC)
NY = "+1212555{:04d}"


def _contacts(engine: Engine, campaign_id: int, count: int, fmt: str = NY) -> list[int]:
    return [seed.contact(engine, campaign_id, fmt.format(i), zip_code="10001") for i in range(count)]


def test_a_lease_is_exclusive_until_it_expires(db_engine: Engine) -> None:
    campaign_id = seed.campaign(db_engine)
    ids = _contacts(db_engine, campaign_id, 3)
    first = next_dialable(db_engine, campaign_id, NOON_EAST, 2, "engine-a", lease_seconds=60)
    second = next_dialable(db_engine, campaign_id, NOON_EAST, 5, "engine-b", lease_seconds=60)
    assert len(first) == 2 and len(second) == 1
    assert {lease.contact_id for lease in first + second} == set(ids)
    later = NOON_EAST + timedelta(seconds=61)
    recovered = next_dialable(db_engine, campaign_id, later, 5, "engine-c")
    assert {lease.contact_id for lease in recovered} == set(ids)


def test_priority_orders_the_leases(db_engine: Engine) -> None:
    campaign_id = seed.campaign(db_engine)
    low = seed.contact(db_engine, campaign_id, NY.format(1), zip_code="10001", priority=0)
    high = seed.contact(db_engine, campaign_id, NY.format(2), zip_code="10001", priority=9)
    leases = next_dialable(db_engine, campaign_id, NOON_EAST, 1, "a")
    assert [lease.contact_id for lease in leases] == [high]
    assert low != high


def test_release_and_renew(db_engine: Engine) -> None:
    campaign_id = seed.campaign(db_engine)
    _contacts(db_engine, campaign_id, 2)
    leases = next_dialable(db_engine, campaign_id, NOON_EAST, 2, "a", lease_seconds=60)
    ids = [lease.contact_id for lease in leases]
    assert release(db_engine, "someone-else", ids) == 0
    assert renew(db_engine, "a", ids[:1], NOON_EAST + timedelta(seconds=30), 60) == {ids[0]}
    assert release(db_engine, "a", ids[1:]) == 1
    at_70s = NOON_EAST + timedelta(seconds=70)
    again = next_dialable(db_engine, campaign_id, at_70s, 5, "b")
    # ids[1] was released; ids[0] was renewed until 90 s and is still held.
    assert [lease.contact_id for lease in again] == [ids[1]]
    assert renew(db_engine, "a", ids[:1], NOON_EAST + timedelta(seconds=91)) == set()


def test_two_concurrent_leasers_never_share_a_lead(db_engine: Engine) -> None:
    campaign_id = seed.campaign(db_engine)
    ids = _contacts(db_engine, campaign_id, 60)
    start = threading.Barrier(2)
    taken: dict[str, list[int]] = {"a": [], "b": []}
    errors: list[BaseException] = []

    def lease_all(owner: str) -> None:
        try:
            start.wait()
            while leases := next_dialable(db_engine, campaign_id, NOON_EAST, 3, owner):
                taken[owner].extend(lease.contact_id for lease in leases)
        except BaseException as exc:  # surfaced below, in the test's own thread
            errors.append(exc)

    threads = [threading.Thread(target=lease_all, args=(owner,)) for owner in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert not set(taken["a"]) & set(taken["b"])
    assert sorted(taken["a"] + taken["b"]) == sorted(ids)


def test_no_lease_outside_the_calling_window(db_engine: Engine) -> None:
    campaign_id = seed.campaign(db_engine, calling_hours={"weekday": "09:00-21:00"})
    _contacts(db_engine, campaign_id, 2)
    la = seed.contact(db_engine, campaign_id, "+13105550100", zip_code="90001")
    # 13:00 UTC: 09:00 in New York, 06:00 in Los Angeles.
    morning = datetime(2024, 3, 12, 13, 0, tzinfo=UTC)
    leased = {lease.contact_id for lease in next_dialable(db_engine, campaign_id, morning, 10, "a")}
    assert la not in leased and len(leased) == 2
    # Saturday: the campaign has no Saturday hours.
    saturday = datetime(2024, 3, 16, 18, 0, tzinfo=UTC)
    assert next_dialable(db_engine, campaign_id, saturday, 10, "b") == []


def test_internal_opt_out_blocks_every_campaign_at_once(db_engine: Engine) -> None:
    first = seed.campaign(db_engine, "first")
    second = seed.campaign(db_engine, "second")
    seed.contact(db_engine, first, NY.format(1), zip_code="10001")
    blocked = seed.contact(db_engine, second, NY.format(1), zip_code="10001")
    with Session(db_engine) as session:
        add_number(session, NY.format(1), source="agent 1001", reason="asked")
        session.commit()
    assert next_dialable(db_engine, first, NOON_EAST, 5, "a") == []
    assert next_dialable(db_engine, second, NOON_EAST, 5, "a") == []
    with Session(db_engine) as session:
        contact = session.get(Contact, blocked)
        assert contact is not None and contact.lead_state == LeadState.DNC


def test_campaign_list_blocks_only_its_campaign(db_engine: Engine) -> None:
    first = seed.campaign(db_engine, "first")
    second = seed.campaign(db_engine, "second")
    seed.contact(db_engine, first, NY.format(1), zip_code="10001")
    kept = seed.contact(db_engine, second, NY.format(1), zip_code="10001")
    with Session(db_engine) as session:
        add_number(session, NY.format(1), campaign_id=first, source="client list")
        session.commit()
    assert next_dialable(db_engine, first, NOON_EAST, 5, "a") == []
    assert [lease.contact_id for lease in next_dialable(db_engine, second, NOON_EAST, 5, "a")] == [kept]


def test_a_dnc_entry_added_after_import_is_caught_at_lease_time(db_engine: Engine) -> None:
    """The gate is the lease-time re-check, not the flag set when the entry was added."""
    campaign_id = seed.campaign(db_engine)
    contact_id = seed.contact(db_engine, campaign_id, NY.format(1), zip_code="10001")
    with Session(db_engine) as session:
        add_number(session, NY.format(1), source="test")
        contact = session.get(Contact, contact_id)
        assert contact is not None
        contact.lead_state = LeadState.READY  # as if the flag had been missed
        session.add(contact)
        session.commit()
    assert next_dialable(db_engine, campaign_id, NOON_EAST, 5, "a") == []


def test_national_registry_is_required_and_applied(db_engine: Engine, tmp_path: object) -> None:
    campaign_id = seed.campaign(db_engine, uses_national_dnc=True)
    listed = seed.contact(db_engine, campaign_id, NY.format(1), zip_code="10001")
    free = seed.contact(db_engine, campaign_id, NY.format(2), zip_code="10001")
    with pytest.raises(RegistryUnavailable, match="dnc import"):
        next_dialable(db_engine, campaign_id, NOON_EAST, 5, "a")
    registry = Registry(np.array([2125550001], dtype=np.int64))
    leased = next_dialable(db_engine, campaign_id, NOON_EAST, 5, "a", registry=registry)
    assert [lease.contact_id for lease in leased] == [free]
    assert listed != free


@pytest.mark.parametrize(
    ("policy", "automatic", "manual"),
    [("dial", True, True), ("skip", False, False), ("manual", False, True)],
)
def test_cell_phones_without_consent_follow_the_campaign_policy(
    db_engine: Engine, policy: str, automatic: bool, manual: bool
) -> None:
    campaign_id = seed.campaign(db_engine, cell_policy=policy)
    cell = seed.contact(db_engine, campaign_id, NY.format(1), zip_code="10001", line_type=LineType.CELL)
    consented = seed.contact(
        db_engine, campaign_id, NY.format(2), zip_code="10001", line_type=LineType.CELL,
        consent_at=datetime(2024, 1, 1, tzinfo=UTC),
    )
    auto = {lease.contact_id for lease in next_dialable(db_engine, campaign_id, NOON_EAST, 5, "a", lease_seconds=1)}
    assert (cell in auto) is automatic
    assert consented in auto
    later = NOON_EAST + timedelta(seconds=2)
    by_hand = {lease.contact_id for lease in next_dialable(db_engine, campaign_id, later, 5, "agent", manual=True)}
    assert (cell in by_hand) is manual


def test_due_callbacks_come_first_and_agent_callbacks_wait_for_their_agent(db_engine: Engine) -> None:
    campaign_id = seed.campaign(db_engine)
    regular = seed.contact(db_engine, campaign_id, NY.format(1), zip_code="10001", priority=9)
    anyone = seed.contact(db_engine, campaign_id, NY.format(2), zip_code="10001")
    mine = seed.contact(db_engine, campaign_id, NY.format(3), zip_code="10001")
    with Session(db_engine) as session:
        schedule_callback(session, anyone, NOON_EAST - timedelta(minutes=5))
        schedule_callback(session, mine, NOON_EAST - timedelta(minutes=10), agent="1001")
        session.commit()
    first = next_dialable(db_engine, campaign_id, NOON_EAST, 5, "a", lease_seconds=1)
    assert [(lease.contact_id, lease.callback_agent) for lease in first] == [(anyone, None), (regular, None)]
    later = NOON_EAST + timedelta(seconds=2)
    with_agent = next_dialable(db_engine, campaign_id, later, 1, "a", agents={"1001"})
    assert [(lease.contact_id, lease.callback_agent) for lease in with_agent] == [(mine, "1001")]
    assert regular not in {anyone, mine}
