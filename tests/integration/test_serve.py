"""`phonebank serve` as a real process: agents dispose through its API, a SIGKILL mid-campaign
and a restart dial nobody twice and lose no attempt, SIGTERM drains and exits cleanly, and
closed-hours contacts are never rung.

Contacts are placed in time zones chosen from the real clock (open: 10:00-19:00 local, closed:
01:00-06:00), so the test holds at any hour CI runs.
"""

from __future__ import annotations

import asyncio
import csv
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from engine.audio import write_tone
from engine.lab.phones import PhoneControl, control
from engine.lab.session import RunningLab
from engine.leads.campaigns import create_campaign
from engine.lists.importer import ImportOptions, import_list
from engine.store.db import open_database
from engine.store.models import CallAttempt, CampaignStatus

pytestmark = pytest.mark.integration

# A number in each zone; the last four digits (the lab's line number) are appended, the two
# digits before them vary per contact.
ZONES = {
    "Europe/London": "+442079", "Europe/Berlin": "+493012", "Asia/Dubai": "+97142",
    "Asia/Singapore": "+6591", "Asia/Tokyo": "+81312", "Australia/Sydney": "+61212",
    "Pacific/Honolulu": "+18085", "America/Los_Angeles": "+14155", "America/New_York": "+12125",
    "America/Sao_Paulo": "+551132", "Africa/Johannesburg": "+27211", "Asia/Kolkata": "+919812",
}
LIVE, BUSY = "1104", "3000"  # talks 4 s after hello; busy


def _zones(now: datetime, start: int, end: int) -> list[str]:
    return [zone for zone in ZONES if start <= now.astimezone(ZoneInfo(zone)).hour < end]


def _number(zone: str, index: int, line: str) -> str:
    return f"{ZONES[zone]}{index:02d}{line}"


@contextmanager
def _engine(config: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`phonebank serve` in its own process, its log kept for the failure report."""
    with log.open("ab") as sink:
        process = subprocess.Popen([str(Path(sys.executable).parent / "phonebank"), "serve", "--config", str(config)],
                                   stdout=sink, stderr=sink, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        yield process
    except BaseException:
        print(log.read_text(errors="replace")[-4000:])
        raise
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


async def _until(predicate: Callable[[], Awaitable[bool]], timeout: float, what: str) -> None:
    """Poll an HTTP/DB condition under a deadline: these have no event to wait on."""
    try:
        async with asyncio.timeout(timeout):
            while not await predicate():
                await asyncio.sleep(0.2)
    except TimeoutError as exc:
        raise AssertionError(f"{what}: not within {timeout:.0f} s") from exc


@asynccontextmanager
async def _api(lab: RunningLab) -> AsyncIterator[httpx.AsyncClient]:
    web = lab.settings.web
    async with httpx.AsyncClient(base_url=f"http://{web.bind_address}:{web.port}", timeout=5,
                                 headers={"Authorization": f"Bearer {web.api_token}"}) as client:
        yield client


async def _engine_up(api: httpx.AsyncClient) -> bool:
    try:
        return (await api.get("/healthz")).json().get("asterisk") is True
    except httpx.HTTPError:
        return False


async def _volunteer(api: httpx.AsyncClient) -> None:
    """A lab volunteer for every agent: whoever is in wrap-up says "supporter", forever."""
    while True:
        try:
            for row in (await api.get("/api/agents")).json():
                if row["state"] == "wrap_up":
                    await api.post(f"/api/agents/{row['agent']}/disposition",
                                   json={"attempt_id": row["attempt_id"], "code": "SUP"})
        except (httpx.HTTPError, ValueError):
            pass  # the engine is being killed and restarted on purpose
        await asyncio.sleep(0.3)


@pytest.fixture
def database(lab: RunningLab) -> Iterator[Engine]:
    db_path = Path(lab.settings.database_url.removeprefix("sqlite:///"))
    db_path.unlink(missing_ok=True)
    yield open_database(lab.settings.database_url)
    db_path.unlink(missing_ok=True)


async def test_serve_survives_sigkill_and_drains_on_sigterm(lab: RunningLab, database: Engine, carrier_calls: list[str],
                                                          tmp_path: Path) -> None:
    now = datetime.now(UTC)
    open_zones, closed_zones = _zones(now, 10, 19), _zones(now, 1, 6)
    assert open_zones and closed_zones, f"no open/closed zone at {now:%H:%M} UTC: extend ZONES"
    dialable = [_number(open_zones[i % len(open_zones)], i, LIVE) for i in range(8)]
    dialable += [_number(open_zones[i % len(open_zones)], 20 + i, BUSY) for i in range(2)]
    never = [_number(closed_zones[i % len(closed_zones)], 40 + i, LIVE) for i in range(2)]
    voter_file = tmp_path / "voters.csv"
    with voter_file.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["phone", "first_name", "last_name"])
        writer.writerows([number, f"Voter{i}", "Lab"] for i, number in enumerate(dialable + never))
    safe_harbor = lab.settings.sounds_dir / "serve-test" / "safe-harbor.wav"
    write_tone(safe_harbor, 2400.0, 2.0)
    for folder in (safe_harbor.parent, safe_harbor.parent.parent):
        folder.chmod(0o755)
    every_day = "09:00-20:00"
    with Session(database) as session:
        campaign = create_campaign(
            session, "serve-test", mode="progressive", states=["NY"], caller_ids=["+12025550100"],
            calling_hours={"weekday": every_day, "saturday": every_day, "sunday": every_day},
            uses_national_dnc=False, cell_policy="dial", status=CampaignStatus.ACTIVE,
            dialing={"trunks": ["lab"], "ring_timeout": 15, "safe_harbor": "safe-harbor.wav"})
        session.commit()
        campaign_id = campaign.id
    assert campaign_id is not None
    imported = await asyncio.to_thread(import_list, database, campaign_id, voter_file, ImportOptions(list_name="voters"))
    assert imported.imported == len(dialable) + len(never), "a test number is not a valid number"

    def attempts() -> list[CallAttempt]:
        with Session(database) as session:
            return list(session.exec(select(CallAttempt)).all())

    async def half_done() -> bool:
        return len(await asyncio.to_thread(attempts)) >= 4

    async def all_disposed() -> bool:
        rows = await asyncio.to_thread(attempts)
        return {a.number_called for a in rows} >= set(dialable) and all(a.disposition for a in rows)

    config = lab.settings.state_dir.parent / "phonebank.toml"
    rung = carrier_calls
    async with AsyncExitStack() as stack:
        api = await stack.enter_async_context(_api(lab))
        phones: list[PhoneControl] = [await stack.enter_async_context(control(p)) for p in lab.agents]
        engine_log = tmp_path / "engine.log"
        with _engine(config, engine_log) as first:
            await _until(lambda: _engine_up(api), 30, "engine up")
            for phone in phones:
                await phone.dial(lab.settings.dialplan.agent_login)
            volunteer = asyncio.create_task(_volunteer(api))
            await _until(half_done, 90, "half the contacts dialled")
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        with _engine(config, engine_log) as second:
            await _until(lambda: _engine_up(api), 30, "engine back")
            try:
                await _until(all_disposed, 150, "every dialable contact disposed")
            except AssertionError:
                print((await api.get("/api/agents")).text, (await api.get("/api/campaigns")).text)
                print([(a.number_called, a.outcome, a.disposition) for a in attempts()])
                raise
            metrics = await api.get("/metrics")
            assert metrics.status_code == 200 and 'campaign="serve-test"' in metrics.text
            assert "phonebank_abandon_rate" in metrics.text or "phonebank_abandoned" in metrics.text
            assert (await api.get("/metrics", headers={"Authorization": "Bearer wrong"})).status_code == 401
            second.send_signal(signal.SIGTERM)
            assert await asyncio.to_thread(second.wait, 60) == 0, engine_log.read_text()[-2000:]
        volunteer.cancel()
        for phone in phones:
            await phone.hangup()

    rows = attempts()
    per_number: dict[str, int] = {}
    for attempt in rows:
        per_number[attempt.number_called] = per_number.get(attempt.number_called, 0) + 1
    assert not set(never) & set(per_number) and not set(never) & set(rung), "a closed-hours contact was rung"
    assert all(count == 1 for count in per_number.values()), f"dialled twice: {per_number}"
    assert sorted(rung) == sorted(per_number), "a call the carrier saw has no attempt record, or vice versa"
    assert all(a.outcome is not None and a.disposition is not None for a in rows)
    outcomes = {a.number_called: a.outcome for a in rows}
    assert all(outcomes[n] in ("busy", "interrupted", "failed") for n in dialable if n.endswith(BUSY))
    connected = [a for a in rows if a.outcome == "connected"]
    assert len(connected) >= 4
    assert all(a.disposition == "SUP" for a in connected), "a volunteer's disposition through the API was lost"
