"""baresip test phones: one container each, driven over baresip's ctrl_tcp socket.

Every phone sends a tone of its own (agents from 1000 Hz, supervisors from 2000 Hz) and records
what it hears, so an FFT says who heard whom.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.audio import write_tone
from engine.config import Settings
from engine.lab.carrier import lab_dir, lab_settings
from engine.pbx.container import ContainerEngine, ContainerSpec, Mount
from engine.pbx.render import PhoneEndpoint, PhonePorts, phone_endpoints, render_phone

TONE_SECONDS = 600
AGENT_BASE_HZ = 1000.0
SUPERVISOR_BASE_HZ = 2000.0
TONE_STEP_HZ = 100.0


class PhoneError(Exception):
    """A lab phone did not do what it was asked; the message says what and where to look."""


@dataclass(frozen=True)
class LabPhone:
    """One baresip phone: whose endpoint it registers, its ports, folder and tone."""

    endpoint: PhoneEndpoint
    ports: PhonePorts
    folder: Path
    tone_hz: float
    container: str

    @property
    def heard_path(self) -> Path:
        return self.folder / "heard.wav"


def lab_phones(settings: Settings) -> list[LabPhone]:
    """A phone for every agent and supervisor in phonebank.toml, with stable ports and tones."""
    lab = lab_settings(settings)
    phones: list[LabPhone] = []
    counters = {"agent": 0, "supervisor": 0}
    for index, endpoint in enumerate(phone_endpoints(settings)):
        base = AGENT_BASE_HZ if endpoint.role == "agent" else SUPERVISOR_BASE_HZ
        tone = base + TONE_STEP_HZ * counters[endpoint.role]
        counters[endpoint.role] += 1
        phones.append(LabPhone(
            endpoint=endpoint,
            ports=PhonePorts.for_index(lab.phone_port_base, index),
            folder=lab_dir(settings) / "phones" / endpoint.endpoint,
            tone_hz=tone,
            container=f"{lab.phone_container_prefix}-{endpoint.endpoint}",
        ))
    return phones


def start_phone(engine: ContainerEngine, settings: Settings, phone: LabPhone, uid: int) -> None:
    """Render the phone's config, give it its tone, and start its container."""
    phone.folder.mkdir(parents=True, exist_ok=True)
    tone = phone.folder / "tone.wav"
    if not tone.exists():
        write_tone(tone, phone.tone_hz, TONE_SECONDS)
    render_phone(settings, phone.endpoint, phone.ports, phone.folder, "/phone/tone.wav", "/phone/heard.wav")
    if os.geteuid() == 0:
        for path in (phone.folder, *phone.folder.iterdir()):
            os.chown(path, uid, uid)
    engine.kill(phone.container)
    engine.start(ContainerSpec(
        name=phone.container,
        image=lab_settings(settings).phone_image,
        mounts=(Mount(phone.folder, "/phone"),),
        entrypoint="baresip",
        args=("-f", "/phone"),
    ))


def _netstring(payload: dict[str, Any]) -> bytes:
    body = json.dumps(payload).encode()
    return str(len(body)).encode() + b":" + body + b","


@dataclass
class PhoneControl:
    """An open ctrl_tcp session with one phone: commands out, events in (in order)."""

    phone: LabPhone
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    events: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    _responses: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    _token: int = 0

    async def command(self, command: str, params: str = "", *, timeout: float = 5.0) -> dict[str, Any]:
        """Send one baresip command and wait for its response."""
        self._token += 1
        token = str(self._token)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._responses[token] = future
        self.writer.write(_netstring({"command": command, "params": params, "token": token}))
        await self.writer.drain()
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError as exc:
            raise PhoneError(f"{self.phone.container} did not answer `{command}` within {timeout} s") from exc
        finally:
            self._responses.pop(token, None)

    async def dial(self, target: str) -> None:
        response = await self.command("dial", target)
        if not response.get("ok", False):
            raise PhoneError(f"{self.phone.container} refused to dial {target}: {response.get('data')}")

    async def hangup(self) -> None:
        await self.command("hangup")

    async def send_dtmf(self, digits: str) -> None:
        """Key digits into the current call (RFC 4733 events)."""
        for digit in digits:
            await self.command("sndcode", digit)

    async def wait_event(self, kind: str, *, timeout: float = 10.0) -> dict[str, Any]:
        """Wait for the next event of `kind` (e.g. CALL_ESTABLISHED, CALL_CLOSED)."""

        async def next_match() -> dict[str, Any]:
            while True:
                event = await self.events.get()
                if event.get("type") == kind:
                    return event

        try:
            return await asyncio.wait_for(next_match(), timeout)
        except TimeoutError as exc:
            raise PhoneError(f"{self.phone.container}: no {kind} within {timeout} s") from exc

    async def _read(self) -> None:
        while True:
            try:
                length = await self.reader.readuntil(b":")
                body = await self.reader.readexactly(int(length[:-1]) + 1)
            except (asyncio.IncompleteReadError, ConnectionError):
                return  # the phone went away; waiters time out with a clear message
            message = json.loads(body[:-1])
            if message.get("response"):
                future = self._responses.get(str(message.get("token")))
                if future is not None and not future.done():
                    future.set_result(message)
            elif message.get("event"):
                self.events.put_nowait(message)


@asynccontextmanager
async def control(phone: LabPhone, host: str = "127.0.0.1", *, timeout: float = 10.0) -> AsyncIterator[PhoneControl]:
    """Connect to a phone's control socket, retrying while its container starts."""
    deadline = asyncio.get_running_loop().time() + timeout
    delay = 0.05
    while True:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, phone.ports.control), 2.0)
            break
        except (OSError, TimeoutError) as exc:
            if asyncio.get_running_loop().time() + delay > deadline:
                raise PhoneError(f"{phone.container}'s control port {phone.ports.control} does not answer: "
                                 "see `podman logs` for that container") from exc
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.5)
    session = PhoneControl(phone, reader, writer)
    async with asyncio.TaskGroup() as group:
        reader_task = group.create_task(session._read())
        try:
            yield session
        finally:
            reader_task.cancel()
            writer.close()
