"""The dialer service behind `phonebank serve`: one Asterisk, every active campaign.

Lifetimes are structured: the ARI client holds the call controller, which holds one runner per
active campaign, all in one TaskGroup. Campaign status is read from the database every few
seconds, so `phonebank campaigns start|pause|stop` in another process steers a running engine.
Stopping (SIGTERM) drains: runners start no new calls, calls in flight finish, then the
connection closes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from engine.ari.client import AriClient
from engine.calls.controller import AgentHooks, CallController, ControllerConfig
from engine.calls.model import CallResult
from engine.campaign.inbound import DatabaseInboundRouter
from engine.campaign.runner import AgentSnapshot, CampaignRunner
from engine.compliance.registry import Registry
from engine.config import Settings
from engine.dialing.trunks import TrunkLimiter
from engine.store.models import AuditEntry, Campaign, CampaignStatus

log = logging.getLogger(__name__)

STATUS_POLL_SECONDS = 2.0


@dataclass
class _Running:
    runner: CampaignRunner
    task: asyncio.Task[None]


@dataclass
class DialerService:
    """Everything `phonebank serve` runs for one Asterisk. Call `run(stop)`."""

    settings: Settings
    db: Engine
    agents: AgentHooks
    agent_snapshot: AgentSnapshot
    registry: Registry | None = None
    on_call_finished: Callable[[CallResult, str | None], None] = lambda result, code: None
    disposer: Callable[[CallResult], str | None] | None = None
    controller: CallController | None = None
    runners: dict[int, _Running] = field(default_factory=dict)
    _trunks: dict[str, TrunkLimiter] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # One limiter per trunk, shared by every campaign: the carrier's limits are per trunk.
        self._trunks = {t.name: TrunkLimiter(t.name, t.max_channels, t.max_cps) for t in self.settings.trunks}

    def wake(self) -> None:
        """An agent became free: every campaign decides again now."""
        for running in self.runners.values():
            running.runner.wake()
        if self.controller is not None:
            asyncio.get_running_loop().create_task(self.controller.agent_available())

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until `stop` is set, then drain within the configured time."""
        async with AriClient.from_settings(self.settings.ari) as ari, \
                CallController(ari, ControllerConfig.from_settings(self.settings), agents=self.agents,
                               inbound=DatabaseInboundRouter(self.db, self.settings)) as controller:
            self.controller = controller
            log.info("engine %s connected to Asterisk", self.settings.engine.node)
            async with asyncio.TaskGroup() as group:
                watcher = group.create_task(self._watch_campaigns(group))
                await stop.wait()
                watcher.cancel()
                for running in self.runners.values():
                    running.runner.stop()
                pending = [r.task for r in self.runners.values() if not r.task.done()]
                if pending:
                    log.info("draining %d campaigns, %d calls in flight", len(pending), controller.in_flight)
                    _, late = await asyncio.wait(pending, timeout=self.settings.engine.drain_seconds)
                    for task in late:
                        task.cancel()
            self.controller = None

    async def _watch_campaigns(self, group: asyncio.TaskGroup) -> None:
        while True:
            statuses = await asyncio.to_thread(self._statuses)
            for campaign_id, status in statuses.items():
                running = self.runners.get(campaign_id)
                if status == CampaignStatus.ACTIVE and (running is None or running.task.done()):
                    self._start(group, campaign_id)
                elif status != CampaignStatus.ACTIVE and running is not None and not running.task.done():
                    running.runner.stop()
            await asyncio.sleep(STATUS_POLL_SECONDS)

    def _statuses(self) -> dict[int, str]:
        with Session(self.db) as session:
            rows = session.exec(select(Campaign.id, Campaign.status)).all()
        return {campaign_id: status for campaign_id, status in rows if campaign_id is not None}

    def _start(self, group: asyncio.TaskGroup, campaign_id: int) -> None:
        assert self.controller is not None
        runner = CampaignRunner(
            db=self.db, campaign_id=campaign_id, controller=self.controller, settings=self.settings,
            trunks=list(self._trunks.values()), agents=self.agent_snapshot,
            node=self.settings.engine.node, registry=self.registry, disposer=self.disposer,
            on_finished=self.on_call_finished,
        )
        self.runners[campaign_id] = _Running(runner, group.create_task(self._run(runner, campaign_id)))
        log.info("campaign %d started", campaign_id)

    async def _run(self, runner: CampaignRunner, campaign_id: int) -> None:
        """A campaign that cannot dial (no registry loaded, a bad setting) is paused with the
        reason in the audit log; the engine and the other campaigns carry on."""
        try:
            await runner.run()
        except Exception as exc:
            log.exception("campaign %d stopped", campaign_id)
            await asyncio.to_thread(self._pause, campaign_id, f"{type(exc).__name__}: {exc}")

    def _pause(self, campaign_id: int, reason: str) -> None:
        with Session(self.db) as session:
            campaign = session.get(Campaign, campaign_id)
            if campaign is not None:
                campaign.status = CampaignStatus.PAUSED
                session.add(campaign)
                session.add(AuditEntry(actor=self.settings.engine.node, action="campaign.paused_by_engine",
                                       entity="campaign", entity_id=str(campaign_id), detail={"reason": reason}))
                session.commit()
