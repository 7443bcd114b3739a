"""Re-scrub a whole campaign against the national registry (after each registry update)."""

from __future__ import annotations

from itertools import chain
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import BigInteger, Engine, func, select, update
from sqlmodel import col

from engine.dnc.checks import IN_CHUNK, NATIONAL
from engine.store.bulk import stream_rows
from engine.store.db import begin_immediate
from engine.store.models import Contact, LeadState

if TYPE_CHECKING:
    from engine.compliance.registry import Registry

CHUNK = 250_000
REASON = f"{NATIONAL} do-not-call registry"


def scrub_campaign(engine: Engine, campaign_id: int, registry: Registry) -> int:
    """Mark every ready NANP contact of the campaign that is on the registry; returns how many.

    One streamed read hands over (id, national number) as plain integers, numpy looks each
    chunk up in one call, and only the hits are written back, by primary key, in one
    transaction that marks those still ready.
    """
    national = func.substr(Contact.e164, 3).cast(BigInteger)
    # No lead-state filter: (campaign, number) is then read from the unique index alone,
    # and the few hits are re-checked when they are written.
    query = select(Contact.id, national).where(
        Contact.campaign_id == campaign_id,
        Contact.e164.startswith("+1"),  # type: ignore[attr-defined]
        func.length(Contact.e164) == 12,
    )
    hits: list[int] = []
    with engine.connect() as connection:
        for rows in stream_rows(connection, query, CHUNK):
            flat = chain.from_iterable(rows)
            pairs = np.fromiter(flat, dtype=np.int64, count=2 * len(rows)).reshape(-1, 2)
            hits.extend(pairs[registry.contains_many(pairs[:, 1]), 0].tolist())
    marked = 0
    with begin_immediate(engine) as session:
        for start in range(0, len(hits), IN_CHUNK):
            marked += session.exec(  # type: ignore[call-overload]
                update(Contact)
                .where(col(Contact.id).in_(hits[start : start + IN_CHUNK]), Contact.lead_state == LeadState.READY)
                .values(lead_state=LeadState.DNC, dnc_reason=REASON)
            ).rowcount
        session.commit()
    return marked
