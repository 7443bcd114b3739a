"""The JSON API of a running engine: agent actions, live state, Prometheus metrics.

Scripts and the lab's simulated agents authenticate with the bearer token from phonebank.toml
([web] api_token). The API binds to loopback unless configured otherwise.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from agents.floor import AgentFloor, FloorError
from engine.metrics.prometheus import CONTENT_TYPE
from engine.service import DialerService


class PauseBody(BaseModel):
    code: str


class DispositionBody(BaseModel):
    attempt_id: str
    code: str
    then_pause: str | None = None


def create_api(floor: AgentFloor, service: DialerService, token: str,
               metrics_text: Callable[[], str] | None = None) -> FastAPI:
    """The API over one engine's floor and dialer. `metrics_text()` renders /metrics."""
    app = FastAPI(title="phonebank engine", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")

    def authorised(authorization: Annotated[str | None, Header()] = None) -> None:
        expected = f"Bearer {token}"
        if authorization is None or not hmac.compare_digest(authorization.encode(), expected.encode()):
            raise HTTPException(status_code=401, detail="send Authorization: Bearer <[web] api_token>")

    guard = [Depends(authorised)]

    @app.get("/healthz")
    def health() -> dict[str, Any]:
        return {"ok": True, "asterisk": service.controller is not None}

    @app.get("/api/agents", dependencies=guard)
    def agents() -> list[dict[str, Any]]:
        return [{"agent": row.agent, "state": row.state.value, "seconds": round(row.seconds, 1),
                 "attempt_id": row.attempt_id, "pause_code": row.pause_code} for row in floor.snapshot()]

    @app.post("/api/agents/{agent}/ready", dependencies=guard)
    def ready(agent: str) -> dict[str, str]:
        _act(lambda: floor.go_ready(agent))
        return {"agent": agent, "state": "READY"}

    @app.post("/api/agents/{agent}/pause", dependencies=guard)
    def pause(agent: str, body: PauseBody) -> dict[str, str]:
        _act(lambda: floor.pause(agent, body.code))
        return {"agent": agent, "state": "PAUSED"}

    @app.post("/api/agents/{agent}/hangup", dependencies=guard)
    async def hangup(agent: str) -> dict[str, Any]:
        if service.controller is None or not await service.controller.hangup_customer(agent):
            raise HTTPException(status_code=409, detail=f"{agent} is not on a call")
        return {"agent": agent, "hung_up": True}

    @app.post("/api/agents/{agent}/disposition", dependencies=guard)
    async def disposition(agent: str, body: DispositionBody) -> dict[str, str]:
        try:
            await floor.dispose(agent, body.attempt_id, body.code, then_pause=body.then_pause)
        except (FloorError, ValueError) as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from exc
        return {"agent": agent, "attempt_id": body.attempt_id, "code": body.code}

    @app.get("/api/campaigns", dependencies=guard)
    def campaigns() -> list[dict[str, Any]]:
        return [{"campaign_id": campaign_id, "in_flight": running.runner.in_flight,
                 "dialled": running.runner.stats.dialled, "outcomes": running.runner.stats.outcomes,
                 "skipped": running.runner.stats.skipped, "running": not running.task.done()}
                for campaign_id, running in service.runners.items()]

    @app.get("/metrics", response_class=PlainTextResponse, dependencies=guard)
    def metrics() -> PlainTextResponse:
        return PlainTextResponse(metrics_text() if metrics_text is not None else "", media_type=CONTENT_TYPE)

    return app


def _act(action: Any) -> None:
    try:
        action()
    except FloorError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from exc
