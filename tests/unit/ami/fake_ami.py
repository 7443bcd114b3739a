"""A tiny AMI server on 127.0.0.1 for unit tests: enough protocol to exercise the client."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

EOL = "\r\n"
Fields = dict[str, str | list[str]]


def render(fields: Fields) -> bytes:
    lines: list[str] = []
    for key, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            lines.append(f"{key}: {item}")
    return (EOL.join(lines) + EOL + EOL).encode()


def parse(block: str) -> Fields:
    fields: Fields = {}
    for line in block.split(EOL):
        key, _, value = line.partition(": ")
        if key in fields:
            previous = fields[key]
            fields[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            fields[key] = value
    return fields


@dataclass
class Received:
    """One action as the server read it, and on which connection (1, 2...)."""

    connection: int
    fields: Fields

    @property
    def name(self) -> str:
        return str(self.fields["Action"])


Responder = Callable[["FakeAmi", Fields], list[Fields] | None]


@dataclass
class FakeAmi:
    """Speaks just enough AMI: banner, Login, scripted answers, pushed events, drops."""

    secret: str = "s3cret"
    answer_login: bool = True
    responders: dict[str, Responder] = field(default_factory=dict)
    drop_on: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    arrivals: asyncio.Queue[Received] = field(default_factory=asyncio.Queue)
    connections: int = 0
    _writer: asyncio.StreamWriter | None = None
    _server: asyncio.Server | None = None
    _sessions: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.sockets[0].getsockname()[1]

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        if self._writer is not None:
            self._writer.close()
        await asyncio.gather(*self._sessions)
        await self._server.wait_closed()

    def actions(self, name: str) -> list[Received]:
        return [item for item in self.received if item.name == name]

    def on_connection(self, number: int) -> list[str]:
        return [item.name for item in self.received if item.connection == number]

    async def push(self, *events: Fields) -> None:
        """Send events to the client on the current connection."""
        assert self._writer is not None
        for event in events:
            self._writer.write(render(event))
        await self._writer.drain()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = asyncio.current_task()
        assert session is not None
        self._sessions.add(session)
        self.connections += 1
        number = self.connections
        self._writer = writer
        writer.write(b"Asterisk Call Manager/9.0.0" + EOL.encode())
        buffer = ""
        try:
            while chunk := await self._read(reader):
                buffer += chunk.decode()
                *blocks, buffer = buffer.split(EOL + EOL)
                for block in blocks:
                    if block.strip() and not await self._handle(number, parse(block.strip()),
                                                                 writer):
                        return
        finally:
            writer.close()

    @staticmethod
    async def _read(reader: asyncio.StreamReader) -> bytes:
        try:
            return await reader.read(65536)
        except ConnectionError:
            return b""

    async def _handle(self, number: int, fields: Fields, writer: asyncio.StreamWriter) -> bool:
        """Answer one action; False when the connection is to be dropped."""
        received = Received(number, fields)
        self.received.append(received)
        self.arrivals.put_nowait(received)
        name = received.name
        action_id = str(fields.get("ActionID", ""))
        if name in self.drop_on:
            self.drop_on.discard(name)
            return False
        if name == "Login":
            return await self._login(fields, action_id, writer)
        responder = self.responders.get(name)
        answers = responder(self, fields) if responder else [{"Response": "Success"}]
        if answers is None:
            return True
        for answer in answers:
            writer.write(render({**answer, "ActionID": action_id}))
        await writer.drain()
        return True

    async def _login(self, fields: Fields, action_id: str, writer: asyncio.StreamWriter) -> bool:
        if not self.answer_login:
            return True
        if fields.get("Secret") != self.secret:
            writer.write(render({"Response": "Error", "ActionID": action_id,
                                 "Message": "Authentication failed"}))
            await writer.drain()
            return False
        writer.write(render({"Response": "Success", "ActionID": action_id,
                             "Message": "Authentication accepted"}))
        writer.write(render({"Event": "FullyBooted", "Privilege": "system,all",
                             "Status": "Fully Booted"}))
        await writer.drain()
        return True
