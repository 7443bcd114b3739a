"""Call-count limits per contact: lifetime, per local calendar day, and per rolling 24 hours."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from engine.store.models import Campaign

ROLLING = timedelta(hours=24)


def exhausted(attempts: int, campaign: Campaign) -> bool:
    """True once a contact has had the campaign's lifetime number of attempts."""
    return attempts >= campaign.max_attempts


def next_allowed(
    attempt_times: Sequence[datetime], now: datetime, campaign: Campaign, zones: Iterable[str]
) -> datetime | None:
    """When the daily and 24-hour limits next allow a call, or None if they allow one at ``now``.

    The local day is taken in every candidate zone of the contact; the latest reopening wins,
    so the limit holds whichever zone the callee is really in.
    """
    later: list[datetime] = []
    recent = sorted(t for t in attempt_times if now - ROLLING < t <= now)
    if len(recent) >= campaign.max_attempts_24h:
        later.append(recent[-campaign.max_attempts_24h] + ROLLING)
    for zone in zones or ("UTC",):
        tz = ZoneInfo(zone)
        today = now.astimezone(tz).date()
        calls_today = sum(1 for t in attempt_times if t <= now and t.astimezone(tz).date() == today)
        if calls_today >= campaign.max_attempts_per_day:
            tomorrow = datetime.combine(today + timedelta(days=1), datetime.min.time(), tz)
            later.append(tomorrow.astimezone(now.tzinfo))
    return max(later) if later else None
