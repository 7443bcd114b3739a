"""A campaign's live numbers: SQL aggregates over its attempts plus what only the engine knows.

Every window buckets attempts by ``dialed_at`` (the indexed column), so "today" means calls
*dialled* today, and a call still ringing or talking counts as a dial but not yet as an answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Select, and_, case, func, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from engine.store.models import CallAttempt, Campaign, Disposition

# Outcomes where a person picked up: the denominator of the legal abandon rate. A callee who
# hangs up before an agent is connected still answered live.
LIVE_OUTCOMES = ("connected", "abandoned", "callee_hangup")
OUTCOMES = (
    "connected",
    "abandoned",
    "machine",
    "callee_hangup",
    "no_answer",
    "busy",
    "congestion",
    "invalid_number",
    "failed",
    "interrupted",
)
# Same shape as pacing.ledger.AbandonLedger: today plus the 29 UTC days before it, so the
# dashboard and the pacer agree on the rate the campaign is held to.
ABANDON_WINDOW_DAYS = 30


@dataclass(frozen=True)
class LiveCounters:
    """What the engine knows right now and the database does not."""

    in_flight: int  # lines dialling, ringing or talking
    waiting: int  # answered callees waiting for an agent
    agents_logged_in: int
    agents_ready: int
    agents_on_call: int
    agents_wrap_up: int
    agents_paused: int

    @property
    def agents_working(self) -> int:
        """Agents who take calls: ready, on a call or wrapping one up (not paused)."""
        return self.agents_ready + self.agents_on_call + self.agents_wrap_up


@dataclass(frozen=True)
class CampaignMetrics:
    """One campaign's dashboard numbers at ``at``; ratios are None while their denominator is 0."""

    campaign_id: int
    name: str
    status: str
    mode: str
    at: datetime
    live: LiveCounters
    dial_level: float  # lines in flight per working agent
    dialed_today: int
    dialed_last_hour: int
    live_answers_last_hour: int
    contact_rate: float | None  # live answers / dials, last hour
    live_answers_today: int
    abandoned_today: int
    abandon_rate_today: float | None  # abandoned / live answers
    live_answers_30d: int
    abandoned_30d: int
    abandon_rate_30d: float | None  # the legal measure, over ABANDON_WINDOW_DAYS
    abandon_target: float
    # Talk time (hangup - connect) of connected calls dialled in the last hour; wrap-up is not
    # in it because the store keeps no wrap-up end.
    average_handle_seconds: float | None
    occupancy: float | None  # computed by the agents package and passed through
    calls_per_hour: int  # connected calls dialled in the last hour
    connected_today: int
    successes_today: int  # connected calls given a disposition with is_success
    conversion_rate: float | None  # successes / connected calls, today
    outcomes_today: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Windows:
    hour: datetime
    today: datetime
    abandon: datetime


def _windows(now: datetime) -> _Windows:
    if now.tzinfo is None:
        raise ValueError(f"naive datetime {now!r}: pass a timezone-aware UTC datetime")
    now = now.astimezone(UTC)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return _Windows(
        now - timedelta(hours=1), today, today - timedelta(days=ABANDON_WINDOW_DAYS - 1)
    )


def _count_where(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _seconds_between(start: Any, end: Any, dialect: str) -> ColumnElement[Any]:
    # SQLite keeps timestamps as text, so its arithmetic goes through julianday (days).
    if dialect == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 86400.0
    return func.extract("epoch", end - start)


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _recent_query(campaign_id: int, windows: _Windows, now: datetime, dialect: str) -> Select[Any]:
    """Per outcome: dials today and in the last hour, successes today, talk time last hour."""
    dialed = col(CallAttempt.dialed_at)
    talked = and_(
        dialed >= windows.hour,
        col(CallAttempt.connected_at).is_not(None),
        col(CallAttempt.hangup_at).is_not(None),
    )
    talk_seconds = _seconds_between(CallAttempt.connected_at, CallAttempt.hangup_at, dialect)
    return (
        select(
            CallAttempt.outcome,
            _count_where(dialed >= windows.today).label("today"),
            _count_where(dialed >= windows.hour).label("hour"),
            _count_where(
                and_(dialed >= windows.today, col(Disposition.is_success).is_(True))
            ).label("successes"),
            _count_where(talked).label("talked"),
            func.coalesce(func.sum(case((talked, talk_seconds), else_=0.0)), 0.0).label(
                "talk_seconds"
            ),
        )
        .select_from(CallAttempt)
        .outerjoin(
            Disposition,
            and_(
                col(Disposition.campaign_id) == col(CallAttempt.campaign_id),
                col(Disposition.code) == col(CallAttempt.disposition),
            ),
        )
        # Just after midnight the last hour reaches back into yesterday.
        .where(
            CallAttempt.campaign_id == campaign_id,
            dialed >= min(windows.today, windows.hour),
            dialed <= now,
        )
        .group_by(CallAttempt.outcome)
    )


def _abandon_window_query(campaign_id: int, windows: _Windows, now: datetime) -> Select[Any]:
    """Live answers per live outcome over the 30-day window.

    Kept apart from the rest so it reads only (campaign, outcome, dialed_at): an index on those
    three columns answers it without touching the table.
    """
    dialed = col(CallAttempt.dialed_at)
    return (
        select(CallAttempt.outcome, func.count().label("count"))
        .where(
            CallAttempt.campaign_id == campaign_id,
            col(CallAttempt.outcome).in_(LIVE_OUTCOMES),
            dialed >= windows.abandon,
            dialed <= now,
        )
        .group_by(CallAttempt.outcome)
    )


def campaign_metrics(
    db: Engine, campaign_id: int, now: datetime, live: LiveCounters, occupancy: float | None = None
) -> CampaignMetrics:
    """The campaign's metrics at ``now`` from two grouped aggregate queries (no rows loaded).

    "Today" is the UTC calendar day containing ``now``; the 30-day abandon window is that day
    and the 29 before it. Attempts dialled after ``now`` are ignored. Works on SQLite and
    PostgreSQL. Raises LookupError when the campaign does not exist.
    """
    windows = _windows(now)
    with Session(db) as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            raise LookupError(f"no campaign with id {campaign_id}")
        recent = _recent_query(campaign_id, windows, now, db.dialect.name)
        rows = {row.outcome: row for row in session.execute(recent)}
        abandon_window = _abandon_window_query(campaign_id, windows, now)
        window = {outcome: count for outcome, count in session.execute(abandon_window)}

    def total(column: str, outcomes: tuple[str | None, ...] | None = None) -> int:
        return sum(
            int(getattr(row, column))
            for outcome, row in rows.items()
            if outcomes is None or outcome in outcomes
        )

    live_hour, live_today = total("hour", LIVE_OUTCOMES), total("today", LIVE_OUTCOMES)
    live_30d, abandoned_30d = sum(window.values()), window.get("abandoned", 0)
    abandoned_today = total("today", ("abandoned",))
    connected_today, dialed_hour = total("today", ("connected",)), total("hour")
    successes = total("successes")
    connected = rows.get("connected")
    outcomes_today = dict.fromkeys(OUTCOMES, 0)
    outcomes_today.update(
        {outcome: int(row.today) for outcome, row in rows.items() if outcome is not None}
    )
    return CampaignMetrics(
        campaign_id=campaign_id,
        name=campaign.name,
        status=campaign.status,
        mode=campaign.mode,
        at=now,
        live=live,
        dial_level=live.in_flight / max(1, live.agents_working),
        dialed_today=total("today"),
        dialed_last_hour=dialed_hour,
        live_answers_last_hour=live_hour,
        contact_rate=_ratio(live_hour, dialed_hour),
        live_answers_today=live_today,
        abandoned_today=abandoned_today,
        abandon_rate_today=_ratio(abandoned_today, live_today),
        live_answers_30d=live_30d,
        abandoned_30d=abandoned_30d,
        abandon_rate_30d=_ratio(abandoned_30d, live_30d),
        abandon_target=campaign.abandon_target,
        average_handle_seconds=(
            _ratio(float(connected.talk_seconds), int(connected.talked)) if connected else None
        ),
        occupancy=occupancy,
        calls_per_hour=total("hour", ("connected",)),
        connected_today=connected_today,
        successes_today=successes,
        conversion_rate=_ratio(successes, connected_today),
        outcomes_today=outcomes_today,
    )
