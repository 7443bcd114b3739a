"""Do-not-call entries and files, and the results export."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from engine.compliance.registry import Registry, import_registry
from engine.dnc import add_number, import_numbers, is_blocked, remove_number
from engine.dnc.files import read_dnc_file
from engine.dnc.scrub import scrub_campaign
from engine.leads.lifecycle import record_disposition, start_attempt
from engine.lists.export import export_results
from engine.lists.importer import import_list
from engine.lists.phones import PhoneNormaliser
from engine.lists.reader import inspect_file
from engine.store.models import Contact, LeadState, SurveyAnswer, SurveyQuestion
from tests.unit.leads import seed

NOW = datetime(2024, 3, 12, 17, 0, tzinfo=UTC)


def test_remove_returns_a_lead_to_the_pool_only_when_nothing_else_blocks_it(db_engine: Engine) -> None:
    campaign_id = seed.campaign(db_engine)
    contact_id = seed.contact(db_engine, campaign_id, "+12125550101", zip_code="10001")
    with Session(db_engine) as session:
        add_number(session, "+12125550101", source="a")
        add_number(session, "+12125550101", campaign_id=campaign_id, source="b")
        session.commit()
        assert remove_number(session, "+12125550101") == 1
        session.commit()
        reason = is_blocked(session, "+12125550101", campaign_id)
        assert reason is not None and reason.scope == "campaign"
        assert remove_number(session, "+12125550101", campaign_id=campaign_id) == 1
        session.commit()
        assert is_blocked(session, "+12125550101", campaign_id) is None
        contact = session.get(Contact, contact_id)
        assert contact is not None and contact.lead_state == LeadState.READY


def test_dnc_file_import_is_resumable_and_reports_bad_lines(db_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "optouts.csv"
    path.write_text("Phone,Reason\n202-555-0143,asked\nnonsense,\n(212) 555-0101,\n202-555-0143,again\n")
    numbers = list(read_dnc_file(inspect_file(path), PhoneNormaliser()))
    assert numbers[1] == (3, None, "'nonsense' is not a phone number (The string supplied did not seem to be a phone number.)")
    first = import_numbers(db_engine, numbers, None, source="file optouts.csv")
    assert (first.added, first.invalid) == (2, 1)
    again = import_numbers(db_engine, numbers, None, source="file optouts.csv")
    assert again.added == 0


def test_bare_number_files_need_no_header(db_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "numbers.txt"
    path.write_text("2025550143\n2125550101\n")
    numbers = list(read_dnc_file(inspect_file(path), PhoneNormaliser()))
    assert [n[1] for n in numbers] == ["+12025550143", "+12125550101"]


def test_export_gives_back_the_original_columns_with_results(db_engine: Engine, tmp_path: Path) -> None:
    campaign_id = seed.campaign(db_engine)
    source = tmp_path / "voters.csv"
    source.write_text("VoterID,Name,Phone,Ward\nV1,Ann,(212) 555-0101,3\nV2,Bob,212-555-0102,4\n")
    import_list(db_engine, campaign_id, source)
    with Session(db_engine) as session:
        question = SurveyQuestion(campaign_id=campaign_id, key="support", text="Will you vote?")
        session.add(question)
        ann = session.exec(select(Contact).where(Contact.e164 == "+12125550101")).one()
        attempt_id = str(uuid.uuid4())
        start_attempt(session, attempt_id, ann.id or 0, "+12125550000", NOW)
        record_disposition(session, attempt_id, "SUP", NOW)
        session.flush()
        session.add(SurveyAnswer(question_id=question.id or 0, contact_id=ann.id or 0, attempt_id=attempt_id, answer="yes"))
        session.commit()
    out = io.StringIO()
    assert export_results(db_engine, campaign_id, out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0])[:4] == ["VoterID", "Name", "Phone", "Ward"]
    assert rows[0]["VoterID"] == "V1" and rows[0]["Ward"] == "3"
    assert rows[0]["last_disposition"] == "SUP" and rows[0]["attempts"] == "1"
    assert rows[0]["survey_support"] == "yes" and rows[1]["survey_support"] == ""
    assert rows[0]["lead_state"] == "done" and rows[1]["lead_state"] == "ready"


def test_scrub_marks_only_ready_contacts_on_the_registry(db_engine: Engine, tmp_path: Path) -> None:
    campaign_id = seed.campaign(db_engine)
    other_campaign = seed.campaign(db_engine, "other")
    listed = seed.contact(db_engine, campaign_id, "+12125550101")
    free = seed.contact(db_engine, campaign_id, "+12125550102")
    done = seed.contact(db_engine, campaign_id, "+12125550103")
    foreign = seed.contact(db_engine, campaign_id, "+442071838750")
    elsewhere = seed.contact(db_engine, other_campaign, "+12125550101")
    with Session(db_engine) as session:
        finished = session.get(Contact, done)
        assert finished is not None
        finished.lead_state = LeadState.DONE
        session.add(finished)
        session.commit()
    source = tmp_path / "national.txt"
    # 2071838750 is what a careless "drop the first two characters" makes of the UK number.
    source.write_text("2125550101\n2125550103\n2071838750\n")
    import_registry([source], tmp_path / "national.npy")
    assert scrub_campaign(db_engine, campaign_id, Registry.open(tmp_path / "national.npy")) == 1
    with Session(db_engine) as session:
        states = {c.id: (c.lead_state, c.dnc_reason) for c in session.exec(select(Contact))}
    assert states[listed] == (LeadState.DNC, "national do-not-call registry")
    assert states[free][0] == states[foreign][0] == states[elsewhere][0] == LeadState.READY
    assert states[done] == (LeadState.DONE, None)
