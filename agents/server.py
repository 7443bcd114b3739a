"""`phonebank serve`: the engine, the agent floor and the API in one asyncio process."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections import Counter
from datetime import UTC, datetime

import uvicorn

from agents.floor import AgentFloor
from agents.session import AgentState
from agents.web.api import create_api
from engine.calls.model import CallResult
from engine.config import Settings
from engine.dnc.national import open_registry
from engine.metrics.campaign import LiveCounters, campaign_metrics
from engine.metrics.prometheus import prometheus_text
from engine.service import DialerService
from engine.store.db import open_database

log = logging.getLogger(__name__)


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run until SIGTERM/SIGINT (or `stop`), then drain: no new calls, live calls finish."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    db = await asyncio.to_thread(open_database, settings.database_url)
    registry = await asyncio.to_thread(open_registry, settings.state_dir)
    wake: list[DialerService] = []
    floor = AgentFloor(db, on_available=lambda: wake[0].wake() if wake else None)

    def finished(result: CallResult, code: str | None) -> None:
        if code is not None:
            floor.system_disposed(result.agent, result.request.attempt_id)

    service = DialerService(settings, db, agents=floor, agent_snapshot=floor.pacer_snapshot,
                            registry=registry, on_call_finished=finished)
    wake.append(service)

    def metrics_text() -> str:
        rows = floor.snapshot()
        counts = Counter(row.state for row in rows)
        controller = service.controller
        now = datetime.now(UTC)
        metrics = [campaign_metrics(db, campaign_id, now, LiveCounters(
            in_flight=running.runner.in_flight, waiting=controller.waiting() if controller else 0,
            agents_logged_in=len(rows), agents_ready=counts[AgentState.READY],
            agents_on_call=counts[AgentState.ON_CALL], agents_wrap_up=counts[AgentState.WRAP_UP],
            agents_paused=counts[AgentState.PAUSED])) for campaign_id, running in service.runners.items()]
        return prometheus_text(metrics, {"calls_in_flight": float(controller.in_flight if controller else 0)})

    api = create_api(floor, service, settings.web.api_token, metrics_text=metrics_text)
    server = uvicorn.Server(uvicorn.Config(api, host=settings.web.bind_address, port=settings.web.port,
                                           log_level="warning", lifespan="off"))
    async with asyncio.TaskGroup() as group:
        timer = group.create_task(floor.run_timer())
        web = group.create_task(server.serve())
        try:
            await service.run(stop)
        finally:
            server.should_exit = True
            timer.cancel()
            await web
    log.info("engine %s stopped", settings.engine.node)
