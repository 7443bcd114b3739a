"""Import a voter file into a campaign: batched, idempotent, and all-or-nothing per run.

Each batch of ~50k contacts is its own transaction and every contact carries its import run's
id. If anything fails part-way (a truncated file, a crash, Ctrl-C) the run is rolled back:
its contacts are deleted and the run is marked ``rolled_back`` with the error. A run found
still ``running`` from a crashed process is rolled back the same way before the file is
imported again. Importing a file whose hash already completed for the campaign adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, delete, func
from sqlmodel import Session, col, select

from engine.dnc.checks import mark_listed_contacts, registry_hits
from engine.lists.background import iterate_in_child
from engine.lists.batches import BytesRead, parse_batches
from engine.lists.headers import HeaderError, map_headers
from engine.lists.locate import ComplianceLocator, Locator
from engine.lists.phones import PhoneNormaliser
from engine.lists.reader import ListFileError, inspect_file, read_rows
from engine.lists.rows import CONTACT_FIELDS, E164, WINDOW_KEY, RowParser
from engine.store.bulk import bulk_insert, insert_ignoring_duplicates
from engine.store.db import begin_immediate
from engine.store.models import (
    AuditEntry,
    CallAttempt,
    Campaign,
    CampaignWindowKey,
    Contact,
    ContactList,
    ImportRun,
    ImportStatus,
    LeadState,
)
from engine.store.types import utcnow

if TYPE_CHECKING:
    from engine.compliance.registry import Registry

ProgressCallback = Callable[[int, int], None]  # (bytes read, file size)


class ImportFailed(RuntimeError):
    """The import stopped; its run was rolled back. The message names the fix."""


@dataclass(frozen=True)
class ImportOptions:
    list_name: str | None = None  # default: the file's name without extension
    overrides: Mapping[str, str] = field(default_factory=dict)  # column -> field, from --map
    encoding: str | None = None
    report_path: Path | None = None  # default: FILE.rejects.csv next to the file
    batch_size: int = 50_000
    region: str = "US"  # where numbers without a country code are


@dataclass(frozen=True)
class ImportResult:
    run_id: int
    list_id: int
    rows: int
    imported: int
    rejected: int
    duplicates: int
    dnc_marked: int
    already_imported: bool
    national_scrubbed: bool
    report_path: Path | None
    mapping: dict[str, str]


@dataclass
class _Counts:
    rows: int = 0
    rejected: int = 0
    imported: int = 0
    file_duplicates: int = 0  # repeated within the file (counted by the parser)
    campaign_duplicates: int = 0  # already in the campaign (dropped by the insert)
    dnc_marked: int = 0

    @property
    def duplicates(self) -> int:
        return self.file_duplicates + self.campaign_duplicates


def import_list(
    engine: Engine,
    campaign_id: int,
    path: Path,
    options: ImportOptions | None = None,
    locator: Locator | None = None,
    registry: Registry | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import ``path`` into the campaign; see the module docstring for the guarantees.

    Raises ListFileError or HeaderError (nothing was written) and ImportFailed (the run was
    rolled back) with one-line messages.
    """
    options = options or ImportOptions()
    facts = inspect_file(path, options.encoding)
    read = BytesRead()
    header_row, rows = read_rows(facts, read.update)
    try:
        header = map_headers(header_row, options.overrides)
    except HeaderError:
        rows.close()  # type: ignore[attr-defined]
        raise
    with Session(engine, expire_on_commit=False) as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            rows.close()  # type: ignore[attr-defined]
            raise ImportFailed(f"no campaign with id {campaign_id}: create it with `phonebank campaigns create`")
        done = _completed_run(session, campaign_id, facts.sha256)
        stale = _running_runs(session, campaign_id, facts.sha256)
    if done is not None:
        rows.close()  # type: ignore[attr-defined]
        return _result(done, already=True, national=registry is not None, report=None)
    for run_id in stale:
        rollback_run(engine, run_id, "interrupted earlier; rolled back before re-import")
    with begin_immediate(engine) as session:
        contact_list = _list(session, campaign_id, options.list_name or path.stem)
        run = ImportRun(
            campaign_id=campaign_id, list_id=contact_list.id, file_name=str(path),
            file_sha256=facts.sha256, columns=list(header.columns), mapping=header.by_column(),
        )
        session.add(run)
        session.commit()
        known_keys = set(session.exec(
            select(CampaignWindowKey.window_key).where(CampaignWindowKey.campaign_id == campaign_id)
        ).all())
    assert run.id is not None and contact_list.id is not None
    report_path = options.report_path or path.with_name(path.name + ".rejects.csv")
    parser = RowParser(header, PhoneNormaliser(options.region), locator or ComplianceLocator())
    counts = _Counts()
    writer = _BatchWriter(
        engine, (campaign_id, contact_list.id, run.id),
        registry if campaign.uses_national_dnc else None, known_keys,
    )
    batch_size = options.batch_size
    written_report: Path | None = None
    try:
        # The child parses batch n+1 while this process writes batch n.
        for batch in iterate_in_child(lambda: parse_batches(facts, rows, parser, report_path, batch_size, read)):
            counts.rows, counts.rejected, counts.file_duplicates = batch.rows, batch.rejected, batch.duplicates
            writer.write(batch.contacts, counts)
            if progress is not None:
                progress(batch.bytes_read, facts.size)
            written_report = batch.report
    except (ListFileError, KeyboardInterrupt, Exception) as exc:
        rollback_run(engine, run.id, str(exc) or type(exc).__name__)
        if isinstance(exc, (ListFileError, KeyboardInterrupt)):
            raise
        raise ImportFailed(f"import of {path.name} failed and was rolled back: {exc}") from exc
    finally:
        rows.close()  # type: ignore[attr-defined]
    finished = _finish(engine, run.id, counts, written_report, registry is not None)
    return _result(finished, already=False, national=registry is not None, report=written_report)


# What the importer writes: the campaign, list and run, the parsed fields, the lead state.
_COLUMNS = ("campaign_id", "list_id", "import_run_id", *CONTACT_FIELDS, "lead_state", "dnc_reason", "attempts")
_READY = (LeadState.READY.value, None, 0)


class _BatchWriter:
    """Writes one batch per transaction: mark registry hits, insert, mark DNC-list hits."""

    def __init__(
        self, engine: Engine, owner: tuple[int, int, int], registry: Registry | None,
        known_keys: set[str],
    ) -> None:
        self.engine, self.owner, self.registry, self.known_keys = engine, owner, registry, known_keys
        self.campaign_id, _, self.run_id = owner

    def write(self, batch: list[tuple[Any, ...]], counts: _Counts) -> None:
        national = registry_hits([c[E164] for c in batch], self.registry) if self.registry is not None else {}
        owner = self.owner
        rows = [
            owner + contact + (
                _READY if contact[E164] not in national
                else (LeadState.DNC.value, national[contact[E164]].describe(), 0)
            )
            for contact in batch
        ]
        with begin_immediate(self.engine) as session:
            connection = session.connection()
            before = session.exec(select(func.max(Contact.id))).one() or 0
            # The (campaign, number) unique constraint drops numbers the campaign already has.
            inserted = bulk_insert(connection, Contact.__table__, _COLUMNS, rows, encoded=("extra",))  # type: ignore[arg-type]
            mark_listed_contacts(session, self.campaign_id, self.run_id, before)
            new_keys = {c[WINDOW_KEY] for c in batch} - self.known_keys
            insert_ignoring_duplicates(connection, CampaignWindowKey.__table__, [  # type: ignore[arg-type]
                {"campaign_id": self.campaign_id, "window_key": key} for key in sorted(new_keys)
            ])
            self.known_keys |= new_keys
            counts.imported += inserted
            counts.campaign_duplicates += len(batch) - inserted
            # Only this batch's rows lie above `before` (the write lock is held), so this counts
            # exactly the new contacts marked, whichever list marked them.
            counts.dnc_marked += session.exec(
                select(func.count()).select_from(Contact)
                .where(col(Contact.id) > before, Contact.lead_state == LeadState.DNC)
            ).one()
            run = session.get(ImportRun, self.run_id)
            assert run is not None
            run.rows, run.imported, run.rejected = counts.rows, counts.imported, counts.rejected
            run.duplicates, run.dnc_marked = counts.duplicates, counts.dnc_marked
            session.add(run)
            session.commit()


def rollback_run(engine: Engine, run_id: int, error: str) -> None:
    """Delete every contact an import run wrote and mark it rolled back with ``error``.

    Refuses (ImportFailed) once any of those contacts has been called: call records are
    kept for the record-keeping rules and must not lose their contact.
    """
    with begin_immediate(engine) as session:
        called = session.exec(select(CallAttempt.id).join(Contact).where(
            Contact.import_run_id == run_id
        ).limit(1)).first()
        if called is not None:
            raise ImportFailed(
                f"import run {run_id} has contacts that were already called: it cannot be "
                "rolled back; add its numbers to a campaign do-not-call list instead"
            )
        session.exec(delete(Contact).where(col(Contact.import_run_id) == run_id))  # type: ignore[call-overload]
        run = session.get(ImportRun, run_id)
        if run is not None:
            run.status, run.error, run.finished_at = ImportStatus.ROLLED_BACK, error[:500], utcnow()
            run.imported = 0
            session.add(run)
            session.add(AuditEntry(
                actor="import", action="list.import.rolled_back", entity="import_run",
                entity_id=str(run_id), detail={"error": error[:500]},
            ))
        session.commit()


def _finish(engine: Engine, run_id: int, counts: _Counts, report: Path | None, national: bool) -> ImportRun:
    with begin_immediate(engine) as session:
        run = session.get(ImportRun, run_id)
        assert run is not None
        run.status, run.finished_at = ImportStatus.COMPLETED, utcnow()
        run.rows, run.imported, run.rejected = counts.rows, counts.imported, counts.rejected
        run.duplicates, run.dnc_marked = counts.duplicates, counts.dnc_marked
        run.report_path = str(report) if report else None
        session.add(run)
        session.add(AuditEntry(
            actor="import", action="list.import", entity="import_run", entity_id=str(run_id),
            detail={"file": run.file_name, "imported": counts.imported, "rejected": counts.rejected,
                    "national_scrubbed": national},
        ))
        session.commit()
        return run


def _completed_run(session: Session, campaign_id: int, sha256: str) -> ImportRun | None:
    return session.exec(select(ImportRun).where(
        ImportRun.campaign_id == campaign_id, ImportRun.file_sha256 == sha256,
        ImportRun.status == ImportStatus.COMPLETED,
    )).first()


def _running_runs(session: Session, campaign_id: int, sha256: str) -> list[int]:
    return [run_id for run_id in session.exec(select(ImportRun.id).where(
        ImportRun.campaign_id == campaign_id, ImportRun.file_sha256 == sha256,
        ImportRun.status == ImportStatus.RUNNING,
    )).all() if run_id is not None]


def _list(session: Session, campaign_id: int, name: str) -> ContactList:
    found = session.exec(select(ContactList).where(
        ContactList.campaign_id == campaign_id, ContactList.name == name
    )).first()
    if found is None:
        found = ContactList(campaign_id=campaign_id, name=name)
        session.add(found)
        session.flush()
    return found


def _result(run: ImportRun, already: bool, national: bool, report: Path | None) -> ImportResult:
    assert run.id is not None
    return ImportResult(
        run_id=run.id, list_id=run.list_id, rows=run.rows,
        imported=0 if already else run.imported, rejected=0 if already else run.rejected,
        duplicates=run.duplicates, dnc_marked=run.dnc_marked, already_imported=already,
        national_scrubbed=national, report_path=report, mapping=dict(run.mapping),
    )
