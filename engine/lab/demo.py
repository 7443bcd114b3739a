"""The lab demo: agents log in on real phones, calls go out over the trunk to every behaviour of
the simulated carrier, and each result is checked by ear (FFT)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass

from engine.ari.client import AriClient
from engine.audio import heard_tones
from engine.calls.controller import CallController, ControllerConfig
from engine.calls.model import CallOutcome, CallRequest, CallResult
from engine.config import Settings
from engine.lab.phones import LabPhone, PhoneControl, control

CALLEE_HZ = 440.0
MIN_RING_SECONDS = 15  # the compliance floor: never give up on a ringing phone sooner


@dataclass(frozen=True)
class DemoCall:
    """A number of the lab's plan, what it is meant to show, and what must come of it."""

    number: str
    behaviour: str
    expected: CallOutcome
    callee_sends_tone: bool = False


DEMO_CALLS: tuple[DemoCall, ...] = (
    DemoCall("+12025551106", "live, talks 6 s", CallOutcome.CONNECTED, callee_sends_tone=True),
    DemoCall("+13055551208", "live after 2 rings, talks 8 s", CallOutcome.CONNECTED, callee_sends_tone=True),
    DemoCall("+14155555100", "answering machine", CallOutcome.MACHINE),
    DemoCall("+16175553000", "busy", CallOutcome.BUSY),
    DemoCall("+13125558105", "live, says hello then silence", CallOutcome.CONNECTED),
    DemoCall("+17135554000", "congestion", CallOutcome.CONGESTION),
    DemoCall("+14045557000", "number not in service", CallOutcome.INVALID_NUMBER),
    DemoCall("+16025556000", "answers and hangs up at once", CallOutcome.CALLEE_HANGUP),
    DemoCall("+12065552000", "rings out", CallOutcome.NO_ANSWER),
    DemoCall("+13035551107", "live, talks 7 s", CallOutcome.CONNECTED, callee_sends_tone=True),
)


@dataclass(frozen=True)
class DemoResult:
    """One demo call: what was dialled, what came of it, and which tones its recording holds."""

    call: DemoCall
    result: CallResult
    tones_in_recording: frozenset[float]
    agent_hz: float | None

    @property
    def as_expected(self) -> bool:
        """The outcome is the one the number plan promises, and a connected call's recording
        holds exactly the parties who spoke: the agent, and the callee when it sends a tone."""
        if self.result.outcome is not self.call.expected:
            return False
        if self.result.outcome is not CallOutcome.CONNECTED:
            return self.result.recording is None
        expected = {self.agent_hz} | ({CALLEE_HZ} if self.call.callee_sends_tone else set())
        return self.tones_in_recording == expected


async def run_demo(settings: Settings, phones: list[LabPhone], trunk: str,
                   on_result: Callable[[DemoResult], None], calls: tuple[DemoCall, ...] = DEMO_CALLS) -> list[DemoResult]:
    """Log every agent phone in, place `calls` with at most one per agent in flight, log out."""
    agents = [p for p in phones if p.endpoint.role == "agent"]
    config = ControllerConfig.from_settings(settings)
    tones = [CALLEE_HZ, *(p.tone_hz for p in phones)]
    tone_of = {p.endpoint.endpoint: p.tone_hz for p in phones}
    results: list[DemoResult] = []
    async with AriClient.from_settings(settings.ari) as ari, CallController(ari, config) as controller:
        async with AsyncExitStack() as stack:
            sessions: list[PhoneControl] = [await stack.enter_async_context(control(p)) for p in agents]
            for session in sessions:
                await session.dial(settings.dialplan.agent_login)
            await controller.wait_for_agents(len(agents), timeout=20)
            lines = asyncio.Semaphore(len(agents))

            async def one(call: DemoCall) -> None:
                async with lines:
                    request = CallRequest(attempt_id=str(uuid.uuid4()), number=call.number, trunk=trunk,
                                          campaign="demo", ring_timeout=MIN_RING_SECONDS, amd=True)
                    result = await asyncio.wait_for(controller.place(request), MIN_RING_SECONDS + 60)
                heard = heard_tones(result.recording.path, tones) if result.recording else set()
                outcome = DemoResult(call, result, frozenset(heard), tone_of.get(result.agent or ""))
                results.append(outcome)
                on_result(outcome)

            async with asyncio.TaskGroup() as group:
                for call in calls:
                    group.create_task(one(call))
            for session in sessions:
                await session.hangup()
    return results
