"""The foundation: a real call over a SIP trunk, answered, bridged to a nailed-up agent, recorded.

Parties are told apart by tone: the callee (lab carrier) sends 440 Hz, agent1001 1000 Hz,
agent1002 1100 Hz; an FFT of each recording says who was audible.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from engine.audio import heard_tones
from engine.calls.controller import DEAD_CALL_SECONDS, CallController
from engine.calls.model import CallOutcome, CallRequest
from engine.lab.carrier import heard_path
from engine.lab.phones import PhoneControl, control
from engine.lab.session import RunningLab as Lab
from tests.integration.waits import complete_wav

pytestmark = pytest.mark.integration

CALLEE_HZ, TONES = 440.0, [440.0, 1000.0, 1100.0, 2000.0]


@asynccontextmanager
async def logged_in(lab: Lab, calls: CallController, endpoint: str) -> AsyncIterator[PhoneControl]:
    """The agent's phone dials the login extension and stays nailed up until the block ends."""
    async with control(lab.phone(endpoint)) as phone:
        await phone.dial(lab.settings.dialplan.agent_login)
        await calls.wait_for_agents(1, timeout=15)
        assert calls.lines.get(endpoint) is not None
        try:
            yield phone
        finally:
            await phone.hangup()
            await phone.wait_event("CALL_CLOSED", timeout=10)


def request(number: str, **overrides: object) -> CallRequest:
    fields: dict[str, object] = {"attempt_id": str(uuid.uuid4()), "number": number, "trunk": "lab",
                                 "campaign": "foundation", "ring_timeout": 20}
    fields.update(overrides)
    return CallRequest(**fields)  # type: ignore[arg-type]


async def test_live_answer_is_bridged_recorded_and_heard_both_ways(lab: Lab, calls: CallController,
                                                                   record_property: pytest.RecordProperty) -> None:
    agent = lab.phone("agent1001")
    async with logged_in(lab, calls, "agent1001"):
        # 1R HH: rings 1 s, says hello then sends 440 Hz, hangs up 6 s later.
        result = await asyncio.wait_for(calls.place(request("+12025551106")), 40)

    assert result.outcome is CallOutcome.CONNECTED, result.notes
    assert result.agent == "agent1001"
    assert result.cause == 16
    assert result.answered_at and result.connected_at and result.hungup_at
    assert result.answered_at <= result.connected_at < result.hungup_at
    delay = result.connect_delay
    assert delay is not None and 0 <= delay < 1.0
    record_property("answer_to_bridged_ms", round(delay * 1000, 1))

    recording = result.recording
    assert recording is not None, result.notes
    relative = recording.path.relative_to(lab.settings.recordings_dir).as_posix()
    assert re.fullmatch(rf"foundation/\d{{4}}/\d{{2}}/\d{{2}}/{result.request.attempt_id}\.wav", relative)
    assert hashlib.sha256(recording.path.read_bytes()).hexdigest() == recording.sha256
    assert 4.0 < recording.duration < 12.0
    assert heard_tones(recording.path, TONES) == {CALLEE_HZ, agent.tone_hz}

    callee_heard = await complete_wav(heard_path(lab.settings, result.request.attempt_id))
    assert heard_tones(callee_heard, TONES) == {agent.tone_hz}
    agent_heard = await complete_wav(agent.heard_path)
    assert heard_tones(agent_heard, TONES) == {CALLEE_HZ}


@pytest.mark.parametrize(("number", "ring_timeout", "outcome", "causes"), [
    ("+12025553000", 20, CallOutcome.BUSY, {17}),
    ("+12025552000", 4, CallOutcome.NO_ANSWER, {19}),
    ("+12025554000", 20, CallOutcome.CONGESTION, {34}),
    ("+12025557000", 20, CallOutcome.INVALID_NUMBER, {1}),
    ("+12025556000", 20, CallOutcome.CALLEE_HANGUP, {16}),
], ids=["busy", "no-answer", "congestion", "invalid-number", "hangup-at-once"])
async def test_unconnected_outcomes_have_no_bridge_and_no_recording(
        lab: Lab, calls: CallController, number: str, ring_timeout: int,
        outcome: CallOutcome, causes: set[int]) -> None:
    # An idle agent is on the line, so a wrongly connected call would find someone to join.
    async with logged_in(lab, calls, "agent1002"):
        result = await asyncio.wait_for(calls.place(request(number, ring_timeout=ring_timeout)), 30)
        line = calls.lines.get("agent1002")
        assert line is not None and line.customer is None

    assert result.outcome is outcome, (result.cause, result.cause_txt, result.notes)
    assert result.cause in causes
    assert result.recording is None
    if outcome is CallOutcome.CALLEE_HANGUP:
        # The carrier's BYE trails its 200 OK by the time Answer() waits for media, so the
        # engine may have bridged for a moment; it must not count or keep that as a call.
        assert result.connected_at is None or result.hungup_at is not None and (
            result.hungup_at - result.connected_at).total_seconds() < DEAD_CALL_SECONDS
    else:
        assert result.connected_at is None and result.answered_at is None
    attempt = result.request.attempt_id
    assert not list(lab.settings.recordings_dir.rglob(f"{attempt}.*"))
    assert not list((lab.settings.spool_dir / "recording").rglob(f"{attempt}.*"))
