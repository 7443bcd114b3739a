"""Export a campaign's results as CSV in the shape its voter file came in, plus the outcomes.

The original columns come first, in the order the files had them (so the voter id and any
CRM key go back unchanged), then phonebank's columns, then one column per survey question.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import TextIO

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from engine.lists.headers import PHONE_FIELDS
from engine.store.models import Contact, ImportRun, ImportStatus, SurveyAnswer, SurveyQuestion

RESULT_COLUMNS = (
    "phonebank_id", "phone_e164", "line_type", "lead_state", "dnc_reason", "attempts",
    "last_attempt_at", "last_disposition", "next_attempt_at",
)
CHUNK = 5_000
_LINE_TYPE_OF_FIELD = {"cell": "cell", "landline": "landline"}


def export_results(engine: Engine, campaign_id: int, out: TextIO) -> int:
    """Write the campaign's contacts to ``out`` as CSV; returns how many rows were written."""
    with Session(engine) as session:
        runs = {run.id: run for run in session.exec(
            select(ImportRun).where(
                ImportRun.campaign_id == campaign_id, ImportRun.status == ImportStatus.COMPLETED
            ).order_by(col(ImportRun.id))
        )}
        original: list[str] = []
        for run in runs.values():
            original.extend(c for c in run.columns if c not in original)
        questions = list(session.exec(
            select(SurveyQuestion).where(SurveyQuestion.campaign_id == campaign_id)
            .order_by(col(SurveyQuestion.position), col(SurveyQuestion.id))
        ))
        question_columns = [f"survey_{q.key}" for q in questions]
        writer = csv.writer(out)
        writer.writerow([*original, *RESULT_COLUMNS, *question_columns])
        written = 0
        for chunk in _chunks(session, campaign_id):
            answers = _answers(session, [c.id for c in chunk if c.id is not None], questions)
            for contact in chunk:
                row = _original_row(contact, runs.get(contact.import_run_id), original)
                row.extend(_result_row(contact))
                row.extend(answers.get((contact.id, q.id), "") for q in questions)  # type: ignore[arg-type]
                writer.writerow(row)
                written += 1
    return written


def _chunks(session: Session, campaign_id: int) -> Iterator[list[Contact]]:
    last_id = 0
    while True:
        chunk = list(session.exec(
            select(Contact).where(Contact.campaign_id == campaign_id, col(Contact.id) > last_id)
            .order_by(col(Contact.id)).limit(CHUNK)
        ))
        if not chunk:
            return
        yield chunk
        last_id = chunk[-1].id or last_id
        session.expunge_all()


def _answers(
    session: Session, contact_ids: list[int], questions: list[SurveyQuestion]
) -> dict[tuple[int, int], str]:
    if not questions or not contact_ids:
        return {}
    latest: dict[tuple[int, int], str] = {}
    for answer in session.exec(
        select(SurveyAnswer).where(col(SurveyAnswer.contact_id).in_(contact_ids))
        .order_by(col(SurveyAnswer.answered_at), col(SurveyAnswer.id))
    ):
        latest[(answer.contact_id, answer.question_id)] = answer.answer
    return latest


def _original_row(contact: Contact, run: ImportRun | None, columns: list[str]) -> list[str]:
    mapping = run.mapping if run is not None else {}
    source = _source_phone_column(contact, mapping)
    values: list[str] = []
    for column in columns:
        field = mapping.get(column)
        if column in contact.extra:
            values.append(str(contact.extra[column]))
        elif column == source:
            values.append(contact.e164)
        elif field is not None and field not in PHONE_FIELDS:
            value = getattr(contact, field)
            values.append("" if value is None else (value.date().isoformat() if field == "consent_at" else str(value)))
        else:
            values.append("")
    return values


def _source_phone_column(contact: Contact, mapping: dict[str, str]) -> str | None:
    """The column this contact's number came from: a phone column whose value is not in extra."""
    candidates = [c for c, f in mapping.items() if f in PHONE_FIELDS and c not in contact.extra]
    matching = [c for c in candidates if _LINE_TYPE_OF_FIELD.get(mapping[c]) == contact.line_type]
    return (matching or candidates or [None])[0]


def _result_row(contact: Contact) -> list[str]:
    def stamp(value: object) -> str:
        return "" if value is None else value.isoformat()  # type: ignore[attr-defined]

    return [
        str(contact.id), contact.e164, contact.line_type, contact.lead_state, contact.dnc_reason or "",
        str(contact.attempts), stamp(contact.last_attempt_at), contact.last_disposition or "",
        stamp(contact.next_attempt_at),
    ]
