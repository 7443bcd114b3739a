"""The call controller: one reader of ARI events that owns every live call and agent line.

Flow of an outbound call (DESIGN.md "Call flow"):
  originate into Stasis with channelId = attempt id ("dialed")
  -> answered: with AMD, continue into the dialplan's AMD() and come back ("customer", verdict)
  -> live: add to the longest-idle agent's bridge, record the bridge
  -> hang-up: stop the recording, move it into place, release the agent, resolve the result.
Calls that never answer end with ChannelDestroyed and are classified by hangup cause.

Events are handled strictly in order by one task; anything that must wait for a later event
(a recording's end) runs in a task of the controller's own TaskGroup, so the reader never blocks
on itself.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Self

from engine.ari.client import AriClient
from engine.ari.errors import AriError
from engine.ari.events import (
    AriEvent,
    ChannelDestroyed,
    ChannelEnteredBridge,
    ChannelStateChange,
    RecordingFailed,
    RecordingFinished,
    StasisStart,
)
from engine.calls.agent_lines import AgentLine, AgentLines
from engine.calls.model import CallOutcome, CallRequest, CallResult
from engine.calls.recordings import discard, finalize, recording_name
from engine.config import Settings
from engine.hangup_causes import classify_hangup

log = logging.getLogger(__name__)

OUTBOUND_CONTEXT = "phonebank-outbound"
RECORDING_FINISH_TIMEOUT = 10.0
# A callee gone within this long of being connected hung up on pick-up: the agent heard a
# click, not a conversation. Such a call is no contact, keeps no recording, and sends the agent
# straight back to ready. (The carrier's BYE can trail its 200 OK by tens of milliseconds, long
# after the engine has bridged the call.)
DEAD_CALL_SECONDS = 0.5


@dataclass
class _LiveCall:
    request: CallRequest
    result: CallResult
    done: asyncio.Future[CallResult]
    line: AgentLine | None = None
    recording: str | None = None
    recording_done: asyncio.Future[bool] | None = None


@dataclass(frozen=True)
class ControllerConfig:
    """Where recordings land, and the folder Asterisk records into (its spool, as seen here)."""

    spool_recordings: Path
    recordings_dir: Path
    send_attempt_header: Callable[[str], bool] = field(default=lambda trunk: False)

    @classmethod
    def from_settings(cls, settings: Settings) -> ControllerConfig:
        flags = {trunk.name: trunk.send_attempt_header for trunk in settings.trunks}
        return cls(settings.spool_dir / "recording", settings.recordings_dir,
                   lambda name: flags.get(name, False))


def _now(event: AriEvent) -> datetime:
    return event.timestamp or datetime.now(UTC)


class CallController:
    """Owns live calls and agent lines for one Asterisk. Use as `async with`."""

    def __init__(self, ari: AriClient, config: ControllerConfig) -> None:
        self._ari = ari
        self._config = config
        self._calls: dict[str, _LiveCall] = {}
        self._recordings: dict[str, _LiveCall] = {}
        self.lines = AgentLines()
        self._line_changed = asyncio.Condition()
        self._group: asyncio.TaskGroup | None = None
        self._ready = asyncio.Event()

    async def __aenter__(self) -> Self:
        self._group = asyncio.TaskGroup()
        await self._group.__aenter__()
        self._reader = self._group.create_task(self._read())
        await self._ready.wait()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self._reader.cancel()
        assert self._group is not None
        await self._group.__aexit__(exc_type, exc, tb)

    # public API

    async def place(self, request: CallRequest) -> CallResult:
        """Dial and wait until the attempt is over, whatever its outcome."""
        return await self.start(request)

    def start(self, request: CallRequest) -> asyncio.Future[CallResult]:
        """Dial now; the returned future resolves when the attempt is over."""
        loop = asyncio.get_running_loop()
        call = _LiveCall(request, CallResult(request), loop.create_future())
        self._calls[request.attempt_id] = call
        assert self._group is not None
        self._group.create_task(self._originate(call))
        return call.done

    async def wait_for_agents(self, count: int, timeout: float) -> None:
        """Wait until at least `count` agents are logged in and nailed up."""
        async with asyncio.timeout(timeout):
            async with self._line_changed:
                await self._line_changed.wait_for(lambda: len(self.lines) >= count)

    async def logout(self, endpoint: str) -> None:
        """Hang up an agent's login channel (the phone sees the call end)."""
        line = self.lines.get(endpoint)
        if line is not None:
            await self._ari.hangup(line.channel_id, missing_ok=True)

    # origination

    async def _originate(self, call: _LiveCall) -> None:
        request = call.request
        variables = {"PB_ATTEMPT": request.attempt_id, "PB_AMD_PARAMS": request.amd_params}
        if self._config.send_attempt_header(request.trunk):
            variables["PJSIP_HEADER(add,X-Phonebank-Attempt)"] = request.attempt_id
        call.result.dialed_at = datetime.now(UTC)
        try:
            channel = await self._ari.originate(
                f"PJSIP/{request.number}@{request.trunk}", channel_id=request.attempt_id,
                app_args=["dialed", request.attempt_id], caller_id=request.caller_id,
                timeout=request.ring_timeout, variables=variables,
            )
        except AriError as exc:
            call.result.notes.append(f"originate refused: {exc}")
            self._finish(call, CallOutcome.FAILED)
            return
        call.result.dialed_at = channel.creationtime or call.result.dialed_at

    # events

    async def _read(self) -> None:
        async with self._ari.events() as events:
            self._ready.set()
            while True:
                event = await events.next()
                try:
                    await self._handle(event)
                except AriError as exc:
                    # A channel that vanished between the event and our request: the hang-up
                    # event that follows settles the call.
                    log.info("ARI request during %s failed: %s", event.type, exc)

    async def _handle(self, event: AriEvent) -> None:
        channel_id = event.channel.id if event.channel else None
        if isinstance(event, StasisStart) and event.args:
            await self._on_stasis_start(event)
        elif isinstance(event, ChannelStateChange) and channel_id in self._calls:
            if event.channel and event.channel.state == "Up":
                self._calls[channel_id].result.answered_at = _now(event)
        elif isinstance(event, ChannelEnteredBridge) and channel_id in self._calls:
            call = self._calls[channel_id]
            call.result.connected_at = _now(event)
            call.result.outcome = CallOutcome.CONNECTED
            await self._start_recording(call)
        elif isinstance(event, ChannelDestroyed) and channel_id is not None:
            await self._on_destroyed(event, channel_id)
        elif isinstance(event, RecordingFinished | RecordingFailed) and event.recording:
            call = self._recordings.pop(event.recording.name, None)
            if call and call.recording_done and not call.recording_done.done():
                call.recording_done.set_result(isinstance(event, RecordingFinished))

    async def _on_stasis_start(self, event: StasisStart) -> None:
        role, *rest = event.args
        assert event.channel is not None
        if role == "agent-login" and rest:
            await self._login(event.channel.id, rest[0])
        elif role == "dialed" and event.channel.id in self._calls:
            call = self._calls[event.channel.id]
            call.result.answered_at = call.result.answered_at or _now(event)
            call.result.outcome = CallOutcome.CALLEE_HANGUP
            if call.request.amd:
                await self._ari.continue_in_dialplan(event.channel.id, context=OUTBOUND_CONTEXT,
                                                     extension="amd", priority=1)
            else:
                await self._connect(call)
        elif role == "customer" and event.channel.id in self._calls:
            call = self._calls[event.channel.id]
            call.result.greeting_end_at = _now(event)
            call.result.amd_status = rest[1] if len(rest) > 1 else ""
            call.result.amd_cause = rest[2] if len(rest) > 2 else ""
            call.result.outcome = CallOutcome.CALLEE_HANGUP
            if call.result.amd_status == "MACHINE":
                call.result.outcome = CallOutcome.MACHINE
                await self._ari.hangup(event.channel.id)
            else:
                await self._connect(call)

    async def _login(self, channel_id: str, endpoint: str) -> None:
        bridge_id = f"agent-{endpoint}"
        await self._ari.answer(channel_id)
        # A bridge left over from a previous session (engine restart) is replaced, not reused:
        # its recording and membership are unknown.
        await self._ari.destroy_bridge(bridge_id, missing_ok=True)
        await self._ari.create_bridge(bridge_id, type="mixing", name=endpoint)
        await self._ari.add_channel(bridge_id, channel_id)
        async with self._line_changed:
            self.lines.add(AgentLine(endpoint, channel_id, bridge_id, idle_since=time.monotonic()))
            self._line_changed.notify_all()
        log.info("agent %s logged in on %s", endpoint, channel_id)

    async def _connect(self, call: _LiveCall) -> None:
        line = self.lines.take(call.request.attempt_id)
        if line is None:
            call.result.outcome = CallOutcome.ABANDONED
            await self._ari.hangup(call.request.attempt_id)
            return
        call.line = line
        call.result.agent = line.endpoint
        # CONNECTED only once Asterisk says the channel entered the bridge: a callee who hangs
        # up at once is gone before that, and must not count as a conversation.
        call.result.outcome = CallOutcome.CALLEE_HANGUP
        await self._ari.add_channel(line.bridge_id, call.request.attempt_id)

    async def _start_recording(self, call: _LiveCall) -> None:
        if call.line is None or call.recording is not None:
            return
        when = call.result.connected_at or datetime.now(UTC)
        name = recording_name(call.request.campaign, call.request.attempt_id, when)
        call.recording = name
        call.recording_done = asyncio.get_running_loop().create_future()
        self._recordings[name] = call
        await self._ari.record_bridge(call.line.bridge_id, name, format="wav", if_exists="overwrite")

    async def _on_destroyed(self, event: ChannelDestroyed, channel_id: str) -> None:
        line = self.lines.by_channel(channel_id)
        if line is not None:
            await self._logout(line)
            return
        call = self._calls.get(channel_id)
        if call is None:
            return
        call.result.hungup_at = _now(event)
        call.result.cause = event.cause
        call.result.cause_txt = event.cause_txt
        if call.result.answered_at is None:
            timed_out = event.cause == 19
            self._finish(call, CallOutcome.unanswered(classify_hangup(event.cause, timed_out=timed_out)))
            return
        assert self._group is not None
        self._group.create_task(self._wrap_up(call))

    async def _wrap_up(self, call: _LiveCall) -> None:
        result = call.result
        if (result.outcome is CallOutcome.CONNECTED and result.connected_at and result.hungup_at
                and (result.hungup_at - result.connected_at).total_seconds() < DEAD_CALL_SECONDS):
            result.outcome = CallOutcome.CALLEE_HANGUP
        if call.recording is not None and call.recording_done is not None:
            await self._ari.stop_recording(call.recording, missing_ok=True)
            try:
                finished = await asyncio.wait_for(call.recording_done, RECORDING_FINISH_TIMEOUT)
            except TimeoutError:
                finished = False
                call.result.notes.append("recording did not report its end")
            if finished and result.outcome is CallOutcome.CALLEE_HANGUP:
                discard(self._config.spool_recordings, call.recording)
            elif finished:
                try:
                    call.result.recording = await asyncio.to_thread(
                        finalize, self._config.spool_recordings, self._config.recordings_dir, call.recording)
                except (OSError, ValueError) as exc:
                    call.result.notes.append(f"recording not kept: {exc}")
        if call.line is not None:
            self.lines.release(call.line.endpoint, time.monotonic())
        self._finish(call, call.result.outcome)

    async def _logout(self, line: AgentLine) -> None:
        async with self._line_changed:
            self.lines.remove(line.endpoint)
            self._line_changed.notify_all()
        if line.customer is not None:
            await self._ari.hangup(line.customer, missing_ok=True)
        await self._ari.destroy_bridge(line.bridge_id, missing_ok=True)
        log.info("agent %s logged out", line.endpoint)

    def _finish(self, call: _LiveCall, outcome: CallOutcome) -> None:
        call.result.outcome = outcome
        self._calls.pop(call.request.attempt_id, None)
        if not call.done.done():
            call.done.set_result(call.result)
