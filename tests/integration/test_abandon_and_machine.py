"""Abandons hear the safe-harbor message in time and can opt out; machines get one voicemail.

Prompts are tone-coded so the carrier's recording of what the callee heard can be checked by
FFT: safe-harbor message 2400 Hz, voicemail message 3000 Hz.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest

from engine.ami.client import AmiClient
from engine.audio import heard_tones, tone_onset, write_tone
from engine.calls.controller import CallController
from engine.calls.model import CallOutcome, CallRequest, MachineAction
from engine.lab.carrier import heard_path
from engine.lab.session import RunningLab
from tests.integration.waits import complete_wav

pytestmark = pytest.mark.integration

SAFE_HARBOR_HZ, VOICEMAIL_HZ = 2400.0, 3000.0


def _prompt(lab: RunningLab, name: str, hz: float) -> str:
    path = lab.settings.sounds_dir / "lab" / f"{name}.wav"
    if not path.exists():
        write_tone(path, hz, 3.0)
        for folder in (path.parent, path.parent.parent):
            folder.chmod(0o755)
    return lab.settings.media_uri(path)


def _request(number: str, **fields: object) -> CallRequest:
    return CallRequest(attempt_id=str(uuid.uuid4()), number=number, trunk="lab", campaign="lab",  # type: ignore[arg-type]
                       ring_timeout=20, **fields)


async def _carrier_answered(lab: RunningLab, attempt_id: str, ready: asyncio.Event) -> float:
    """Seconds since the epoch at which the carrier answered and started recording `attempt_id`."""
    assert lab.settings.lab is not None
    lab_settings = lab.settings.lab
    async with AmiClient("127.0.0.1", lab_settings.carrier_ami_port, lab_settings.carrier_ami_username,
                         lab_settings.carrier_ami_secret) as ami, ami.events() as events:
        ready.set()
        event = await events.wait_for(
            lambda e: e.name == "UserEvent" and e.get("Attempt") == attempt_id, timeout=30)
        return float(event.get("Timestamp"))


async def test_abandon_plays_safe_harbor_within_two_seconds(lab: RunningLab, calls: CallController,
                                                            record_property: pytest.RecordProperty) -> None:
    # Nobody is logged in, so the live answer can only be abandoned.
    request = _request("+12025551104", safe_harbor=_prompt(lab, "safe-harbor", SAFE_HARBOR_HZ))
    ready = asyncio.Event()
    answered = asyncio.create_task(_carrier_answered(lab, request.attempt_id, ready))
    await ready.wait()
    result = await asyncio.wait_for(calls.place(request), 30)
    carrier_started = await answered

    assert result.outcome is CallOutcome.ABANDONED
    assert result.answered_at is not None and result.safe_harbor_at is not None
    assert not result.opted_out and result.recording is None
    heard = await complete_wav(heard_path(lab.settings, request.attempt_id))
    onset = tone_onset(heard, SAFE_HARBOR_HZ)
    assert onset is not None, "the callee never heard the safe-harbor message"
    heard_after_answer = carrier_started + onset - result.answered_at.timestamp()
    record_property("safe_harbor_heard_after_answer_ms", round(heard_after_answer * 1000))
    record_property("safe_harbor_started_after_answer_ms",
                    round((result.safe_harbor_at - result.answered_at).total_seconds() * 1000))
    assert heard_after_answer <= 2.0, f"message reached the callee {heard_after_answer:.2f} s after answer"
    assert heard_after_answer >= request.abandon_deadline - 0.1


async def test_a_key_pressed_during_safe_harbor_is_an_opt_out(lab: RunningLab, calls: CallController) -> None:
    # 0RHH: the callee says hello and presses 9 a second later, during the message.
    request = _request("+12025550120", safe_harbor=_prompt(lab, "safe-harbor", SAFE_HARBOR_HZ),
                       abandon_deadline=0.5)
    result = await asyncio.wait_for(calls.place(request), 30)
    assert result.outcome is CallOutcome.ABANDONED
    assert result.opted_out


async def test_machine_gets_the_voicemail_message_after_the_beep(lab: RunningLab, calls: CallController) -> None:
    request = _request("+12025555100", amd=True, machine_action=MachineAction.VOICEMAIL,
                       voicemail=_prompt(lab, "voicemail", VOICEMAIL_HZ))
    result = await asyncio.wait_for(calls.place(request), 60)
    assert result.outcome is CallOutcome.MACHINE and result.amd_status == "MACHINE"
    assert result.voicemail_dropped
    heard = await complete_wav(heard_path(lab.settings, request.attempt_id))
    assert VOICEMAIL_HZ in heard_tones(heard, [440.0, VOICEMAIL_HZ])


async def test_machine_without_voicemail_is_hung_up_silently(lab: RunningLab, calls: CallController) -> None:
    request = _request("+12025555100", amd=True)
    result = await asyncio.wait_for(calls.place(request), 60)
    assert result.outcome is CallOutcome.MACHINE and not result.voicemail_dropped
    heard = await complete_wav(heard_path(lab.settings, request.attempt_id))
    assert VOICEMAIL_HZ not in heard_tones(heard, [VOICEMAIL_HZ])
