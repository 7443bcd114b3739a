"""The call controller: one reader of ARI events that owns every live call and agent line.

Flow of an outbound call (DESIGN.md "Call flow"):
  originate into Stasis with channelId = attempt id ("dialed")
  -> answered: with AMD, continue into the dialplan's AMD() and come back ("customer", verdict)
  -> machine: hang up, or leave a voicemail (dialplan `vmdrop`: wait for the beep, play, hang up)
  -> live: add to the longest-idle willing agent's bridge, record the bridge; with nobody free,
     wait up to the abandon deadline, then play the safe-harbor message (a key press opts out)
  -> hang-up: stop the recording, move it into place, release the agent, resolve the result.
Calls that never answer end with ChannelDestroyed and are classified by hangup cause.

Calls are originated straight into Stasis rather than into the dialplan: only then does the
application receive the ring, answer and hangup cause of a call that never answers.

Events are handled strictly in order by one task; anything that must wait for a later event
(a recording's end, an abandon deadline) runs in a task of the controller's own TaskGroup, so the
reader never blocks on itself.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self

from engine.ari.client import AriClient
from engine.ari.errors import AriError, AriUnreachable
from engine.ari.events import (
    AriEvent,
    ChannelDestroyed,
    ChannelDtmfReceived,
    ChannelEnteredBridge,
    ChannelHangupRequest,
    ChannelStateChange,
    Disconnected,
    PlaybackFinished,
    Reconnected,
    RecordingFailed,
    RecordingFinished,
    StasisEnd,
    StasisStart,
)
from engine.calls.agent_lines import AgentLine, AgentLines
from engine.calls.model import CallOutcome, CallRequest, CallResult, MachineAction
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


class AgentHooks(Protocol):
    """What the controller asks of, and tells, whoever owns agent state (agents/)."""

    def willing(self, endpoint: str) -> bool:
        """May this logged-in agent take a call now?"""

    def logged_in(self, endpoint: str) -> None: ...

    def connected(self, endpoint: str, attempt_id: str) -> None: ...

    def customer_left(self, endpoint: str, attempt_id: str) -> None: ...

    def logged_out(self, endpoint: str) -> None: ...


@dataclass(frozen=True)
class InboundRoute:
    """Where an inbound call belongs: the campaign whose caller ID was dialled back."""

    campaign: str
    contact_known: bool  # the caller is one of the campaign's contacts: an agent takes it
    message: str | None  # media played when no agent takes it; a key press there opts out
    optout_digit: str = "9"
    wait_for_agent: float = 1.5


class InboundRouter(Protocol):
    """Decides about inbound calls and records them (the engine's database side)."""

    async def route(self, call_id: str, dialled: str, caller: str) -> InboundRoute | None:
        """None: the number is not a campaign's, the call is refused."""

    async def finished(self, route: InboundRoute, result: CallResult) -> None:
        """Record the call (and an opt-out) once it is over."""


class EveryoneReady:
    """Agent hooks for when nobody tracks agent state: any idle line takes a call."""

    def willing(self, endpoint: str) -> bool:
        return True

    def logged_in(self, endpoint: str) -> None:
        return None

    def connected(self, endpoint: str, attempt_id: str) -> None:
        return None

    def customer_left(self, endpoint: str, attempt_id: str) -> None:
        return None

    def logged_out(self, endpoint: str) -> None:
        return None


@dataclass
class _LiveCall:
    request: CallRequest
    result: CallResult
    done: asyncio.Future[CallResult]
    greeting_end: datetime | None = None  # on Asterisk's clock: the abandon deadline counts from it
    line: AgentLine | None = None
    recording: str | None = None
    recording_done: asyncio.Future[bool] | None = None
    in_safe_harbor: bool = False
    inbound: bool = False
    hangup_cause: int | None = None


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


def _endpoint_of(channel_name: str) -> str:
    """'PJSIP/agent1001-0000002a' -> 'agent1001'."""
    return channel_name.split("/", 1)[-1].rsplit("-", 1)[0]


def _now(event: AriEvent) -> datetime:
    return event.timestamp or datetime.now(UTC)


class CallController:
    """Owns live calls and agent lines for one Asterisk. Use as `async with`."""

    def __init__(self, ari: AriClient, config: ControllerConfig, agents: AgentHooks | None = None,
                 inbound: InboundRouter | None = None) -> None:
        self._ari = ari
        self._config = config
        self._agents: AgentHooks = agents or EveryoneReady()
        self._inbound_router = inbound
        self._calls: dict[str, _LiveCall] = {}
        self._waiting: list[_LiveCall] = []
        self._serving = asyncio.Lock()  # one pass over the waiting calls at a time
        self._steps: set[asyncio.Task[None]] = set()
        self._recordings: dict[str, _LiveCall] = {}
        self._playbacks: dict[str, _LiveCall] = {}
        self.lines = AgentLines()
        self._line_changed = asyncio.Condition()
        self._group: asyncio.TaskGroup | None = None
        self._ready = asyncio.Event()
        # Clear while the events connection to Asterisk is down and until what happened
        # meanwhile has been reconciled.
        self._connected = asyncio.Event()
        self._connected.set()

    async def __aenter__(self) -> Self:
        self._group = asyncio.TaskGroup()
        await self._group.__aenter__()
        self._reader = self._group.create_task(self._read())
        await self._ready.wait()
        await self._adopt_existing()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        # Closing ends every step still waiting (a deadline, a recording's end, an inbound
        # call's result): whoever closes the controller has decided the calls are over.
        self._reader.cancel()
        for task in self._steps:
            task.cancel()
        assert self._group is not None
        await self._group.__aexit__(exc_type, exc, tb)

    # public API

    @property
    def connected(self) -> bool:
        """Asterisk is reachable and this controller's view of it is current."""
        return self._connected.is_set()

    async def wait_connected(self, timeout: float) -> None:
        """Wait until Asterisk is reachable again and lost calls have been settled."""
        async with asyncio.timeout(timeout):
            await self._connected.wait()

    @property
    def in_flight(self) -> int:
        """Calls dialled and not yet over."""
        return len(self._calls)

    def in_flight_ids(self) -> list[str]:
        return list(self._calls)

    def waiting(self) -> int:
        """Answered calls waiting for an agent."""
        return len(self._waiting)

    async def place(self, request: CallRequest) -> CallResult:
        """Dial and wait until the attempt is over, whatever its outcome."""
        return await self.start(request)

    def start(self, request: CallRequest) -> asyncio.Future[CallResult]:
        """Dial now; the returned future resolves when the attempt is over."""
        loop = asyncio.get_running_loop()
        call = _LiveCall(request, CallResult(request), loop.create_future())
        self._calls[request.attempt_id] = call
        self._spawn(self._originate(call))
        return call.done

    async def wait_for_agents(self, count: int, timeout: float) -> None:
        """Wait until at least `count` agents are logged in and nailed up."""
        async with asyncio.timeout(timeout):
            async with self._line_changed:
                await self._line_changed.wait_for(lambda: len(self.lines) >= count)

    async def hangup_customer(self, endpoint: str) -> bool:
        """End the agent's current call (the agent pressed hang-up). False if there is none."""
        line = self.lines.get(endpoint)
        if line is None or line.customer is None:
            return False
        await self._ari.hangup(line.customer, missing_ok=True)
        return True

    async def logout(self, endpoint: str) -> None:
        """Hang up an agent's login channel (the phone sees the call end)."""
        line = self.lines.get(endpoint)
        if line is not None:
            await self._ari.hangup(line.channel_id, missing_ok=True)

    async def agent_available(self) -> None:
        """An agent became willing: give them the longest-waiting answered call, if any."""
        await self._serve_waiting()

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
        except AriUnreachable as exc:
            # Asterisk could not be reached at all: the call never left. No new calls until it
            # answers again. (A timeout is different: the call may have gone out, so it counts
            # as a failed attempt and is never dialled again at once.)
            call.result.notes.append(f"not dialled: {exc}")
            self._finish(call, CallOutcome.NOT_DIALLED)
            if self._connected.is_set():
                self._connected.clear()
                self._spawn(self._probe())
            return
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
            if call.line is not None:
                self._agents.connected(call.line.endpoint, call.request.attempt_id)
            self._spawn(self._start_recording(call))
        elif isinstance(event, ChannelDtmfReceived) and channel_id in self._calls:
            call = self._calls[channel_id]
            if call.in_safe_harbor and event.digit == call.request.optout_digit:
                call.result.opted_out = True
                await self._ari.hangup(channel_id)
        elif isinstance(event, PlaybackFinished) and event.playback:
            call = self._playbacks.pop(event.playback.id, None)
            if call is not None:
                await self._ari.hangup(call.request.attempt_id, missing_ok=True)
        elif isinstance(event, ChannelHangupRequest) and channel_id in self._calls:
            self._calls[channel_id].hangup_cause = event.cause
        elif isinstance(event, ChannelDestroyed) and channel_id is not None:
            await self._on_destroyed(channel_id, _now(event), event.cause, event.cause_txt)
        elif isinstance(event, StasisEnd) and channel_id is not None:
            # Channels that came in through the dialplan (agents' logins, inbound calls) are
            # only ours while in Stasis: leaving it is the last event they send us.
            call = self._calls.get(channel_id)
            if self.lines.by_channel(channel_id) is not None or (call is not None and call.inbound):
                cause = call.hangup_cause if call is not None else None
                await self._on_destroyed(channel_id, _now(event), cause, "")
        elif isinstance(event, Disconnected):
            self._connected.clear()
            log.warning("lost the events connection to Asterisk: no new calls until it is back")
        elif isinstance(event, Reconnected):
            self._spawn(self._reconcile())
        elif isinstance(event, RecordingFinished | RecordingFailed) and event.recording:
            call = self._recordings.pop(event.recording.name, None)
            if call and call.recording_done and not call.recording_done.done():
                call.recording_done.set_result(isinstance(event, RecordingFinished))

    async def _on_stasis_start(self, event: StasisStart) -> None:
        role, *rest = event.args
        assert event.channel is not None
        channel_id = event.channel.id
        call = self._calls.get(channel_id)
        if role == "agent-login" and rest:
            await self._login(channel_id, rest[0])
        elif role == "dialed" and call is not None:
            call.result.answered_at = call.result.answered_at or _now(event)
            call.result.outcome = CallOutcome.CALLEE_HANGUP
            if call.request.amd:
                self._spawn(self._ari.continue_in_dialplan(channel_id, context=OUTBOUND_CONTEXT, extension="amd", priority=1))
            else:
                call.greeting_end = call.result.answered_at
                self._spawn(self._connect(call))
        elif role == "customer" and call is not None:
            call.result.greeting_end_at = _now(event)
            call.greeting_end = call.result.greeting_end_at
            call.result.amd_status = rest[1] if len(rest) > 1 else ""
            call.result.amd_cause = rest[2] if len(rest) > 2 else ""
            call.result.outcome = CallOutcome.CALLEE_HANGUP
            if call.result.amd_status == "MACHINE":
                self._spawn(self._machine(call))
            else:
                self._spawn(self._connect(call))
        elif role == "inbound" and rest:
            self._spawn(self._inbound(event, rest[0]))
        elif role in ("dialed", "customer"):
            # A call this controller did not place (a previous engine's): nobody will look
            # after it, so it ends now rather than sit in silence.
            await self._ari.hangup(channel_id, missing_ok=True)

    async def _inbound(self, event: StasisStart, dialled: str) -> None:
        """A callee calling back: an agent of that campaign if one is free, else the message."""
        assert event.channel is not None
        channel = event.channel
        caller = channel.caller.number
        route = await self._inbound_router.route(channel.id, dialled, caller) if self._inbound_router else None
        if route is None:
            await self._ari.hangup(channel.id, reason="unallocated", missing_ok=True)
            return
        request = CallRequest(attempt_id=channel.id, number=caller, trunk="", campaign=route.campaign,
                              safe_harbor=route.message, optout_digit=route.optout_digit,
                              abandon_deadline=route.wait_for_agent if route.contact_known else 0.0)
        call = _LiveCall(request, CallResult(request), asyncio.get_running_loop().create_future(), inbound=True)
        call.result.dialed_at = channel.creationtime or _now(event)
        self._calls[channel.id] = call
        await self._ari.answer(channel.id)
        call.result.answered_at = call.greeting_end = _now(event)
        call.result.outcome = CallOutcome.CALLEE_HANGUP
        if route.contact_known:
            await self._connect(call)
        else:
            await self._play_message(call)
        result = await call.done
        await self._inbound_router.finished(route, result)  # type: ignore[union-attr]

    async def _machine(self, call: _LiveCall) -> None:
        call.result.outcome = CallOutcome.MACHINE
        request = call.request
        if request.machine_action is MachineAction.VOICEMAIL and request.voicemail:
            call.result.voicemail_dropped = True
            await self._ari.set_variable(request.attempt_id, "PB_VOICEMAIL", request.voicemail.removeprefix("sound:"))
            await self._ari.continue_in_dialplan(request.attempt_id, context=OUTBOUND_CONTEXT,
                                                 extension="vmdrop", priority=1)
        else:
            await self._ari.hangup(request.attempt_id)

    async def _login(self, channel_id: str, endpoint: str) -> None:
        bridge_id = f"agent-{endpoint}"
        await self._ari.answer(channel_id)
        # A bridge left over from a previous session (engine restart) is replaced, not reused:
        # its recording and membership are unknown.
        await self._ari.destroy_bridge(bridge_id, missing_ok=True)
        await self._ari.create_bridge(bridge_id, type="mixing", name=endpoint)
        await self._ari.add_channel(bridge_id, channel_id)
        await self._add_line(AgentLine(endpoint, channel_id, bridge_id, idle_since=time.monotonic()))
        log.info("agent %s logged in on %s", endpoint, channel_id)

    async def _add_line(self, line: AgentLine) -> None:
        async with self._line_changed:
            self.lines.add(line)
            self._line_changed.notify_all()
        self._agents.logged_in(line.endpoint)
        await self._serve_waiting()

    def _willing_for(self, call: _LiveCall) -> Callable[[str], bool]:
        wanted = call.request.agent
        return lambda endpoint: (wanted is None or endpoint == wanted) and self._agents.willing(endpoint)

    def _gone(self, call: _LiveCall) -> bool:
        """The call ended while one of its steps waited its turn."""
        return call.result.hungup_at is not None or call.request.attempt_id not in self._calls

    async def _connect(self, call: _LiveCall) -> None:
        if self._gone(call):
            return
        line = self.lines.take(call.request.attempt_id, willing=self._willing_for(call))
        if line is None:
            self._waiting.append(call)
            self._spawn(self._abandon_after_deadline(call))
            return
        await self._bridge(call, line)

    async def _bridge(self, call: _LiveCall, line: AgentLine) -> None:
        call.line = line
        call.result.agent = line.endpoint
        # CONNECTED only once Asterisk says the channel entered the bridge: a callee who hangs
        # up at once is gone before that, and must not count as a conversation.
        await self._ari.add_channel(line.bridge_id, call.request.attempt_id)

    async def _serve_waiting(self) -> None:
        async with self._serving:
            await self._serve_waiting_locked()

    async def _serve_waiting_locked(self) -> None:
        for call in list(self._waiting):
            if call not in self._waiting:
                continue  # abandoned or hung up meanwhile
            line = self.lines.take(call.request.attempt_id, willing=self._willing_for(call))
            if line is None:
                continue
            self._waiting.remove(call)
            try:
                await self._bridge(call, line)
            except AriError as exc:
                log.info("waiting call %s left before it could be bridged: %s", call.request.attempt_id, exc)

    async def _abandon_after_deadline(self, call: _LiveCall) -> None:
        assert call.greeting_end is not None
        # From the moment Asterisk saw the answer, not from when this engine got round to it:
        # a busy engine must not stretch the callee's wait past the rule.
        deadline = call.greeting_end.timestamp() + call.request.abandon_deadline
        await asyncio.sleep(max(0.0, deadline - time.time()))
        if call not in self._waiting:
            return
        self._waiting.remove(call)
        await self._play_message(call)

    async def _play_message(self, call: _LiveCall) -> None:
        """Nobody will take this call: play the safe-harbor message (a key opts out), hang up."""
        call.result.outcome = CallOutcome.ABANDONED
        call.result.safe_harbor_at = datetime.now(UTC)
        attempt = call.request.attempt_id
        try:
            if call.request.safe_harbor:
                call.in_safe_harbor = True
                playback_id = f"safe-harbor-{attempt}"
                self._playbacks[playback_id] = call
                await self._ari.play(attempt, call.request.safe_harbor, playback_id=playback_id)
            else:
                await self._ari.hangup(attempt, missing_ok=True)
        except AriError as exc:
            log.info("abandoned call %s was gone before the safe-harbor message: %s", attempt, exc)

    async def _start_recording(self, call: _LiveCall) -> None:
        if call.line is None or call.recording is not None or not call.request.record or self._gone(call):
            return
        when = call.result.connected_at or datetime.now(UTC)
        name = recording_name(call.request.campaign, call.request.attempt_id, when)
        call.recording = name
        call.recording_done = asyncio.get_running_loop().create_future()
        self._recordings[name] = call
        await self._ari.record_bridge(call.line.bridge_id, name, format="wav", if_exists="overwrite")

    async def _on_destroyed(self, channel_id: str, at: datetime, cause: int | None, cause_txt: str) -> None:
        line = self.lines.by_channel(channel_id)
        if line is not None:
            await self._logout(line)
            return
        call = self._calls.get(channel_id)
        if call is None or call.result.hungup_at is not None:
            return
        call.result.hungup_at = at
        call.result.cause = cause
        call.result.cause_txt = cause_txt
        if call in self._waiting:
            self._waiting.remove(call)
        if call.result.answered_at is None:
            self._finish(call, CallOutcome.unanswered(classify_hangup(cause, timed_out=cause == 19)))
            return
        self._spawn(self._wrap_up(call))

    async def _wrap_up(self, call: _LiveCall) -> None:
        result = call.result
        if (result.outcome is CallOutcome.CONNECTED and result.connected_at and result.hungup_at
                and (result.hungup_at - result.connected_at).total_seconds() < DEAD_CALL_SECONDS):
            result.outcome = CallOutcome.CALLEE_HANGUP
        if call.recording is not None and call.recording_done is not None:
            try:
                await self._ari.stop_recording(call.recording, missing_ok=True)
            except AriError as exc:
                result.notes.append(f"stopping the recording failed: {exc}")
            try:
                finished = await asyncio.wait_for(call.recording_done, RECORDING_FINISH_TIMEOUT)
            except TimeoutError:
                finished = False
                result.notes.append("recording did not report its end")
            if finished and result.outcome is CallOutcome.CALLEE_HANGUP:
                discard(self._config.spool_recordings, call.recording)
            elif finished:
                try:
                    result.recording = await asyncio.to_thread(
                        finalize, self._config.spool_recordings, self._config.recordings_dir, call.recording)
                except (OSError, ValueError) as exc:
                    result.notes.append(f"recording not kept: {exc}")
        if call.line is not None:
            self.lines.release(call.line.endpoint, time.monotonic())
            if result.connected_at is not None:
                self._agents.customer_left(call.line.endpoint, call.request.attempt_id)
        self._finish(call, result.outcome)
        await self._serve_waiting()

    async def _logout(self, line: AgentLine) -> None:
        async with self._line_changed:
            self.lines.remove(line.endpoint)
            self._line_changed.notify_all()
        if line.customer is not None:
            await self._ari.hangup(line.customer, missing_ok=True)
        await self._ari.destroy_bridge(line.bridge_id, missing_ok=True)
        self._agents.logged_out(line.endpoint)
        log.info("agent %s logged out", line.endpoint)

    async def _probe(self) -> None:
        """After a failed request: wait until ARI answers again, then reconcile."""
        delay = 0.2
        while not self._connected.is_set():
            try:
                await self._ari.ping()
            except AriError:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                continue
            await self._reconcile()

    async def _reconcile(self) -> None:
        """After the events connection came back: settle whatever ended while it was down.

        Events sent while disconnected are lost, so each live call and agent line is checked
        against Asterisk's own list (after an Asterisk restart, none are left).
        """
        alive = {channel.id for channel in await self._ari.channels()}
        for line in self.lines.all():
            if line.channel_id not in alive:
                await self._logout(line)
        for call in list(self._calls.values()):
            if call.request.attempt_id in alive or call.done.done():
                continue
            call.result.notes.append("the call ended while Asterisk was unreachable")
            call.result.hungup_at = datetime.now(UTC)
            if call in self._waiting:
                self._waiting.remove(call)
            if call.line is not None:
                self.lines.release(call.line.endpoint, time.monotonic())
            outcome = call.result.outcome if call.result.answered_at else CallOutcome.FAILED
            self._finish(call, outcome)
        self._connected.set()
        log.warning("reconnected to Asterisk: %d calls and %d agents still up", len(self._calls), len(self.lines))

    async def _adopt_existing(self) -> None:
        """Take over what a previous engine left in Asterisk, so nothing is left hanging.

        Agents still nailed up in their bridges keep their lines. Customer channels cannot be
        resumed (their attempt's state died with the old engine): they are hung up, and the
        campaign's reconcile records those attempts as interrupted.
        """
        channels = {c.id: c for c in await self._ari.channels() if c.dialplan.app_name.lower() == "stasis"}
        adopted: set[str] = set()
        for bridge in await self._ari.bridges():
            endpoint = bridge.id.removeprefix("agent-")
            if bridge.id == endpoint:
                continue
            for channel_id in bridge.channels:
                channel = channels.get(channel_id)
                if channel is not None and _endpoint_of(channel.name) == endpoint and self.lines.get(endpoint) is None:
                    await self._add_line(AgentLine(endpoint, channel_id, bridge.id, idle_since=time.monotonic()))
                    adopted.add(channel_id)
        for channel_id in channels.keys() - adopted - self._calls.keys():
            await self._ari.hangup(channel_id, missing_ok=True)

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        """Run a step of some call beside the reader. A failure of one call's step is logged and
        must never take the controller, and with it every other call, down."""
        assert self._group is not None
        task = self._group.create_task(self._guarded(coroutine))
        self._steps.add(task)
        task.add_done_callback(self._steps.discard)

    @staticmethod
    async def _guarded(coroutine: Coroutine[Any, Any, None]) -> None:
        try:
            await coroutine
        except AriError as exc:
            log.info("ARI request failed (the channel is probably gone): %s", exc)
        except Exception:
            log.exception("a call step failed; the controller carries on")

    def _finish(self, call: _LiveCall, outcome: CallOutcome) -> None:
        call.result.outcome = outcome
        call.in_safe_harbor = False
        self._calls.pop(call.request.attempt_id, None)
        if not call.done.done():
            call.done.set_result(call.result)
