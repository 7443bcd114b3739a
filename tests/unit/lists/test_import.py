"""Importing voter files: what lands, what is rejected, and bad input that must write nothing."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from engine.dnc import add_number
from engine.lists.headers import HeaderError
from engine.lists.importer import ImportFailed, ImportOptions, import_list, rollback_run
from engine.lists.reader import ListFileError
from engine.store.models import Contact, ImportRun, ImportStatus, LeadState, LineType
from tests.unit.leads import seed

HEADER = "VoterID,First,Last,Address,City,State,Zip,Phone,Cell,Party\n"
GOOD = (
    "V1,Ann,Lee,12 North Main Street,Miami,FL,33101,(305) 555-0101,,D\n"
    "V2,Bob,Lee,12 N Main St,Miami,FL,33101,,305-555-0102,D\n"
    "V3,Cy,Ray,1 Elm Ave,Boston,MA,2134,617 555 0103,617-555-0199,R\n"
)


def _write(tmp_path: Path, text: str | bytes, name: str = "voters.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _contacts(engine: Engine) -> list[Contact]:
    with Session(engine) as session:
        return list(session.exec(select(Contact).order_by(Contact.id)))  # type: ignore[arg-type]


def test_import_normalises_and_keeps_every_column(db_engine: Engine, tmp_path: Path) -> None:
    campaign_id = seed.campaign(db_engine)
    result = import_list(db_engine, campaign_id, _write(tmp_path, HEADER + GOOD))
    assert (result.imported, result.rejected, result.duplicates) == (4, 0, 0)
    contacts = {c.e164: c for c in _contacts(db_engine)}
    ann = contacts["+13055550101"]
    assert (ann.voter_id, ann.first_name, ann.state, ann.zip_code) == ("V1", "Ann", "FL", "33101")
    assert ann.extra == {"Party": "D"}
    assert ann.window_key == "FL|America/New_York"
    assert contacts["+13055550102"].line_type == LineType.CELL
    assert ann.household_key == contacts["+13055550102"].household_key
    assert contacts["+16175550103"].zip_code == "02134"  # leading zero restored
    assert contacts["+16175550199"].extra["Phone"] == "617 555 0103"


def test_rejected_rows_go_to_the_report_with_line_and_reason(db_engine: Engine, tmp_path: Path) -> None:
    campaign_id = seed.campaign(db_engine)
    text = HEADER + GOOD + "V4,Di,Sun,5 Oak,Denver,CO,80202,not a number,,U\nV5,Too,Short\nV6,Ed,Fox,1 A St,Denver,CO,ABCDE,303-555-0104,,U\n"
    result = import_list(db_engine, campaign_id, _write(tmp_path, text))
    assert (result.imported, result.rejected) == (4, 3)
    assert result.report_path is not None
    with result.report_path.open() as handle:
        rejects = list(csv.DictReader(handle))
    assert [(r["line"], r["VoterID"]) for r in rejects] == [("5", "V4"), ("6", "V5"), ("7", "V6")]
    assert "not a phone number" in rejects[0]["reason"]
    assert rejects[1]["reason"] == "has 3 fields, the header has 10"
    assert "ZIP" in rejects[2]["reason"]


def test_same_file_twice_adds_nothing(db_engine: Engine, tmp_path: Path) -> None:
    campaign_id = seed.campaign(db_engine)
    path = _write(tmp_path, HEADER + GOOD)
    import_list(db_engine, campaign_id, path)
    again = import_list(db_engine, campaign_id, path)
    assert again.already_imported and again.imported == 0
    assert len(_contacts(db_engine)) == 4


def test_numbers_already_in_the_campaign_are_skipped(db_engine: Engine, tmp_path: Path) -> None:
    campaign_id = seed.campaign(db_engine)
    import_list(db_engine, campaign_id, _write(tmp_path, HEADER + GOOD))
    overlap = HEADER + GOOD.splitlines(keepends=True)[0] + "V9,Al,New,9 B St,Miami,FL,33101,305-555-0109,,D\n"
    result = import_list(db_engine, campaign_id, _write(tmp_path, overlap, "second.csv"))
    assert (result.imported, result.duplicates) == (1, 1)


def test_numbers_on_a_dnc_list_import_marked(db_engine: Engine, tmp_path: Path) -> None:
    campaign_id = seed.campaign(db_engine)
    with Session(db_engine) as session:
        add_number(session, "+13055550101", source="test")
        add_number(session, "+16175550103", campaign_id=campaign_id, source="test")
        session.commit()
    result = import_list(db_engine, campaign_id, _write(tmp_path, HEADER + GOOD))
    assert result.dnc_marked == 2
    states = {c.e164: (c.lead_state, c.dnc_reason) for c in _contacts(db_engine)}
    assert states["+13055550101"] == (LeadState.DNC, "internal do-not-call list")
    assert states["+16175550103"] == (LeadState.DNC, "campaign do-not-call list")
    assert states["+13055550102"][0] == LeadState.READY


def test_wrong_encoding_names_the_fix_and_writes_nothing(db_engine: Engine, tmp_path: Path) -> None:
    campaign_id = seed.campaign(db_engine)
    path = _write(tmp_path, (HEADER + "V1,Jos\xe9,Lee,1 A St,Miami,FL,33101,305-555-0101,,D\n").encode("cp1252"))
    with pytest.raises(ListFileError, match=r"not UTF-8 \(byte 0xe9 on line 2\).*--encoding cp1252"):
        import_list(db_engine, campaign_id, path)
    assert _contacts(db_engine) == []
    result = import_list(db_engine, campaign_id, path, ImportOptions(encoding="cp1252"))
    assert result.imported == 1 and _contacts(db_engine)[0].first_name == "José"


def test_utf8_bom_is_accepted(db_engine: Engine, tmp_path: Path) -> None:
    campaign_id = seed.campaign(db_engine)
    result = import_list(db_engine, campaign_id, _write(tmp_path, ("\ufeff" + HEADER + GOOD).encode("utf-8")))
    assert result.imported == 4 and result.mapping["VoterID"] == "voter_id"


def test_missing_phone_column_writes_nothing(db_engine: Engine, tmp_path: Path) -> None:
    campaign_id = seed.campaign(db_engine)
    with pytest.raises(HeaderError, match="--map"):
        import_list(db_engine, campaign_id, _write(tmp_path, "Name,Tel.No\nAnn,305-555-0101\n"))
    fixed = import_list(
        db_engine, campaign_id, tmp_path / "voters.csv", ImportOptions(overrides={"Tel.No": "phone"})
    )
    assert fixed.imported == 1


@pytest.mark.parametrize(
    "tail",
    ['V4,Di,Sun,"5 Oak', "V4,Di,Sun,5 Oak,Den"],
    ids=["inside-quotes", "short-last-line"],
)
def test_truncated_file_rolls_back_everything(db_engine: Engine, tmp_path: Path, tail: str) -> None:
    campaign_id = seed.campaign(db_engine)
    path = _write(tmp_path, HEADER + GOOD + tail)
    with pytest.raises(ListFileError, match="truncated"):
        import_list(db_engine, campaign_id, path, ImportOptions(batch_size=1))
    assert _contacts(db_engine) == []
    with Session(db_engine) as session:
        run = session.exec(select(ImportRun)).one()
    assert run.status == ImportStatus.ROLLED_BACK and "truncated" in (run.error or "")


def test_an_interrupted_run_is_rolled_back_before_the_file_is_imported_again(
    db_engine: Engine, tmp_path: Path
) -> None:
    campaign_id = seed.campaign(db_engine)
    path = _write(tmp_path, HEADER + GOOD)
    import_list(db_engine, campaign_id, path)
    with Session(db_engine) as session:
        run = session.exec(select(ImportRun)).one()
        run.status = ImportStatus.RUNNING  # as a crashed process would have left it
        session.add(run)
        session.commit()
    result = import_list(db_engine, campaign_id, path)
    assert not result.already_imported and result.imported == 4
    with Session(db_engine) as session:
        statuses = sorted(session.exec(select(ImportRun.status)).all())
        assert statuses == [ImportStatus.COMPLETED, ImportStatus.ROLLED_BACK]
        assert session.exec(select(func.count()).select_from(Contact)).one() == 4


def test_a_called_import_cannot_be_rolled_back(db_engine: Engine, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from engine.leads.lifecycle import start_attempt

    campaign_id = seed.campaign(db_engine)
    result = import_list(db_engine, campaign_id, _write(tmp_path, HEADER + GOOD))
    with Session(db_engine) as session:
        start_attempt(session, "0b9a1f7e-3a4c-4a55-9a55-1d2f1e6b7c09", _contacts(db_engine)[0].id or 0,
                      "+13055550000", datetime(2024, 3, 12, 17, tzinfo=UTC))
        session.commit()
    with pytest.raises(ImportFailed, match="already called"):
        rollback_run(db_engine, result.run_id, "test")
    assert len(_contacts(db_engine)) == 4


def test_a_failing_batch_rolls_back_the_whole_run(db_engine: Engine, tmp_path: Path) -> None:
    campaign_id = seed.campaign(db_engine)

    class Exploding:
        calls = 0

        def locate(self, e164: str, zip_code: str | None, state: str | None) -> object:
            self.calls += 1
            if self.calls > 2:
                raise RuntimeError("disk full")
            from engine.lists.locate import ComplianceLocator
            return ComplianceLocator().locate(e164, zip_code, state)

    with pytest.raises(ImportFailed, match="rolled back: disk full"):
        import_list(db_engine, campaign_id, _write(tmp_path, HEADER + GOOD), ImportOptions(batch_size=1),
                    locator=Exploding())  # type: ignore[arg-type]
    assert _contacts(db_engine) == []


def test_consent_dates_and_priorities_are_stored(db_engine: Engine, tmp_path: Path) -> None:
    campaign_id = seed.campaign(db_engine)
    text = "Phone,Consent Date,Priority\n305-555-0101,2024-02-01,2\n305-555-0102,,\n"
    result = import_list(db_engine, campaign_id, _write(tmp_path, text))
    assert result.imported == 2
    contacts = {c.e164: c for c in _contacts(db_engine)}
    assert contacts["+13055550101"].consent_at == datetime(2024, 2, 1, tzinfo=UTC)
    assert contacts["+13055550101"].priority == 2
    assert contacts["+13055550102"].consent_at is None
