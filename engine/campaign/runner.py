"""One campaign, running: every tick (at most a second, sooner on any change) the pacer says how
many calls to start; the hopper leases that many leads; each is checked again, recorded, dialled,
and its result stored and fed back to the pacer.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy.engine import Engine

from engine.calls.controller import CallController
from engine.calls.model import CallOutcome, CallRequest, CallResult
from engine.campaign import records
from engine.campaign.records import CampaignView
from engine.compliance.registry import Registry
from engine.config import Settings
from engine.dialing.caller_id import CallerIdPool
from engine.dialing.trunks import TrunkLimiter, TrunkPool
from engine.leads.hopper import Lease, next_dialable, release
from pacing.events import Abandon, AgentState, CallHandled, DialOutcome, PacerState
from pacing.events import CallOutcome as PacedOutcome
from pacing.factory import make_pacer
from pacing.ledger import AbandonLedger
from pacing.policies import Pacer

log = logging.getLogger(__name__)

TICK_SECONDS = 1.0
LEASE_SECONDS = 300
UPKEEP_SECONDS = 60.0  # renew held leases and save the abandon ledger this often

AgentSnapshot = Callable[[], list[tuple[str, AgentState, float]]]
"""(endpoint, state, seconds in state) for every logged-in agent who works this campaign."""

_PACED = {
    CallOutcome.CONNECTED: PacedOutcome.HUMAN, CallOutcome.ABANDONED: PacedOutcome.HUMAN,
    CallOutcome.CALLEE_HANGUP: PacedOutcome.HUMAN, CallOutcome.MACHINE: PacedOutcome.MACHINE,
    CallOutcome.NO_ANSWER: PacedOutcome.NO_ANSWER, CallOutcome.BUSY: PacedOutcome.BUSY,
    CallOutcome.CONGESTION: PacedOutcome.CONGESTION, CallOutcome.INVALID_NUMBER: PacedOutcome.FAILED,
    CallOutcome.FAILED: PacedOutcome.FAILED,
}


@dataclass
class CampaignStats:
    """Live counters for dashboards and `campaigns show` (since this runner started)."""

    dialled: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    connect_delays_ms: list[float] = field(default_factory=list)
    talk_seconds: list[float] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def controller_snapshot(controller: CallController) -> AgentSnapshot:
    """Agent states read off the lines alone (no agent state machine): idle is ready, with a
    customer is on a call. Time on a call is not tracked here, so it reads as zero."""

    def snapshot() -> list[tuple[str, AgentState, float]]:
        now = time.monotonic()
        return [(line.endpoint, AgentState.ON_CALL, 0.0) if line.customer else
                (line.endpoint, AgentState.READY, now - line.idle_since) for line in controller.lines.all()]

    return snapshot


class CampaignRunner:
    """Drives one campaign on one engine until it is stopped, paused or runs out of leads."""

    def __init__(self, *, db: Engine, campaign_id: int, controller: CallController, settings: Settings,
                 trunks: Sequence[TrunkLimiter], agents: AgentSnapshot, node: str,
                 registry: Registry | None = None,
                 disposer: Callable[[CallResult], str | None] | None = None,
                 on_finished: Callable[[CallResult, str | None], None] = lambda result, code: None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 stop_when_done: bool = False) -> None:
        self._db = db
        self._campaign_id = campaign_id
        self._controller = controller
        self._settings = settings
        self._limiters = list(trunks)
        self._trunks = TrunkPool(self._limiters)
        self._on_finished = on_finished
        # A campaign on a server keeps running while active (leads recycle, windows open);
        # the demo and tests stop once nothing is left to dial now.
        self._stop_when_done = stop_when_done
        self._agents = agents
        self._node = node
        self._registry = registry
        # Who disposes a conversation: None leaves it to the agent (the API); tests and the
        # demo pass a function.
        self._disposer = disposer
        # The instant calling windows and leases are judged at. Only tests move it.
        self._clock = clock
        self._wake = asyncio.Event()
        self._dial_started: dict[str, float] = {}
        self._stopping = asyncio.Event()
        self.stats = CampaignStats()
        self.campaign: CampaignView | None = None
        self.pacer: Pacer | None = None
        self.exhausted = False

    def wake(self) -> None:
        """Something changed (an agent freed up, a call ended): decide again now."""
        self._wake.set()

    def stop(self) -> None:
        """Start no new calls; calls in flight finish on their own."""
        self._stopping.set()
        self._wake.set()

    @property
    def in_flight(self) -> int:
        return len(self._dial_started)

    async def run(self) -> None:
        """Dial until stopped or out of leads, then wait for the calls in flight to end."""
        self.campaign = await asyncio.to_thread(records.load_campaign, self._db, self._campaign_id)
        ledger = AbandonLedger.from_dict(self.campaign.pacing_state["ledger"]) \
            if "ledger" in self.campaign.pacing_state else None
        self.pacer = make_pacer(self.campaign.mode, ledger=ledger, **self._pacer_params(self.campaign))
        closed = await asyncio.to_thread(records.interrupted_attempts, self._db, self._campaign_id, self._node,
                                         set(self._controller.in_flight_ids()), self._clock())
        if closed:
            log.warning("campaign %s: %d attempts interrupted by a previous stop recorded", self.campaign.name, len(closed))
        await asyncio.to_thread(records.release_own_leases, self._db, self._campaign_id, self._node)
        if self.campaign.dialing.trunks:
            self._trunks = TrunkPool([t for t in self._limiters if t.name in self.campaign.dialing.trunks])
        caller_ids = CallerIdPool(self.campaign.caller_ids) if self.campaign.caller_ids else None
        upkeep_at = time.monotonic() + UPKEEP_SECONDS
        async with asyncio.TaskGroup() as calls:
            while not self._stopping.is_set():
                if time.monotonic() >= upkeep_at:
                    upkeep_at = time.monotonic() + UPKEEP_SECONDS
                    await self._upkeep()
                started = await self._tick(calls, caller_ids)
                if self._stop_when_done and self.exhausted and not started and not self._dial_started:
                    break
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), TICK_SECONDS)
                except TimeoutError:
                    pass
        await self._save_ledger()

    def _pacer_params(self, campaign: CampaignView) -> dict[str, object]:
        if campaign.mode == "predictive":
            return {"target_abandon": campaign.abandon_target,
                    "operating_target": campaign.dialing.operating_target}
        if campaign.mode == "power":
            return {"ratio": campaign.dialing.power_ratio}
        return {}

    def _state(self) -> PacerState:
        agents = self._agents()
        now = time.monotonic()
        assert self.campaign is not None
        return PacerState(
            now=time.time(),
            agent_states=np.array([int(state) for _, state, _ in agents], dtype=np.int64),
            agent_elapsed=np.array([elapsed for _, _, elapsed in agents], dtype=float),
            calls_elapsed=np.array([now - t for t in self._dial_started.values()], dtype=float),
            waiting=self._controller.waiting(),
            lines_per_agent=self.campaign.dialing.lines_per_agent,
            trunk_channels_free=self._trunks.available(),
        )

    async def _tick(self, calls: asyncio.TaskGroup, caller_ids: CallerIdPool | None) -> int:
        assert self.pacer is not None and self.campaign is not None
        if not self._controller.connected:
            return 0
        wanted = self.pacer.decide(self._state())
        if wanted <= 0:
            return 0
        ready = [endpoint for endpoint, state, _ in self._agents() if state == AgentState.READY]
        leases = await asyncio.to_thread(
            next_dialable, self._db, self._campaign_id, self._clock(), wanted, self._node,
            lease_seconds=LEASE_SECONDS, registry=self._registry, agents=ready)
        self.exhausted = not leases
        for lease in leases:
            trunk = self._trunks.acquire()
            if trunk is None:
                await asyncio.to_thread(release, self._db, self._node, [lease.contact_id])
                continue
            caller_id = caller_ids.choose(lease.e164) if caller_ids else None
            attempt_id = str(uuid.uuid4())
            self._dial_started[attempt_id] = time.monotonic()
            calls.create_task(self._dial(lease, attempt_id, trunk, caller_id))
        return len(leases)

    async def _dial(self, lease: Lease, attempt_id: str, trunk: str, caller_id: str | None) -> None:
        assert self.campaign is not None and self.pacer is not None
        dialing = self.campaign.dialing
        try:
            reason = await asyncio.to_thread(records.begin_dial, self._db, lease, attempt_id,
                                             caller_id or "", trunk, self._node, self._registry, self._clock())
            if reason is not None:
                self.stats.skipped[reason] = self.stats.skipped.get(reason, 0) + 1
                await asyncio.to_thread(release, self._db, self._node, [lease.contact_id])
                return
            voicemail = None
            if dialing.voicemail and not await asyncio.to_thread(records.household_has_voicemail, self._db, lease.contact_id):
                voicemail = self._media(dialing.voicemail)
            request = CallRequest(
                attempt_id=attempt_id, number=lease.e164, trunk=trunk, campaign=self.campaign.name,
                caller_id=caller_id, ring_timeout=dialing.ring_timeout, amd=dialing.amd,
                amd_params=dialing.amd_params, abandon_deadline=dialing.abandon_deadline,
                safe_harbor=self._media(dialing.safe_harbor) if dialing.safe_harbor else None,
                optout_digit=dialing.optout_digit, machine_action=dialing.machine_action,
                voicemail=voicemail, record=dialing.record, agent=lease.callback_agent,
            )
            self.stats.dialled += 1
            result = await self._controller.start(request)
        finally:
            self._trunks.release(trunk)
            started = self._dial_started.pop(attempt_id, None)
            self.wake()
        if result.outcome is CallOutcome.NOT_DIALLED:
            await asyncio.to_thread(records.not_dialled, self._db, attempt_id, lease.contact_id, self._node)
            self.stats.count(result.outcome.value)
            return
        self._observe(result, started)
        disposition = records.system_disposition(result)
        if disposition is None and self._disposer is not None:
            disposition = self._disposer(result)
        await asyncio.to_thread(records.finish_dial, self._db, result, disposition=disposition, now=self._clock())
        self.stats.count(result.outcome.value)
        self._on_finished(result, disposition)

    def _media(self, name: str) -> str:
        assert self.campaign is not None
        return self._settings.media_uri(self._settings.sounds_dir / self.campaign.name / name)

    def _observe(self, result: CallResult, started: float | None) -> None:
        assert self.pacer is not None
        now = time.time()
        ring = 0.0
        if result.answered_at and result.dialed_at:
            ring = (result.answered_at - result.dialed_at).total_seconds()
        elif result.hungup_at and result.dialed_at:
            ring = (result.hungup_at - result.dialed_at).total_seconds()
        elif started is not None:
            ring = time.monotonic() - started
        self.pacer.observe(DialOutcome(at=now, ring_time=max(ring, 0.0), outcome=_PACED[result.outcome]))
        if result.outcome is CallOutcome.ABANDONED:
            self.pacer.observe(Abandon(at=now))
        if result.outcome is CallOutcome.CONNECTED and result.connected_at and result.hungup_at:
            talk = (result.hungup_at - result.connected_at).total_seconds()
            self.stats.talk_seconds.append(talk)
            self.pacer.observe(CallHandled(at=now, talk=talk, wrap=0.0))
        if result.connect_delay is not None and result.outcome is CallOutcome.CONNECTED:
            self.stats.connect_delays_ms.append(result.connect_delay * 1000)

    async def _upkeep(self) -> None:
        until = self._clock() + timedelta(seconds=LEASE_SECONDS)
        await asyncio.to_thread(records.renew_own_leases, self._db, self._campaign_id, self._node, until)
        await self._save_ledger()

    async def _save_ledger(self) -> None:
        if self.pacer is not None:
            await asyncio.to_thread(records.save_pacing_state, self._db, self._campaign_id,
                                    {"ledger": self.pacer.ledger.to_dict()})
