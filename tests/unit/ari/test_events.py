"""ARI events websocket: parsing, ordering, reconnect, against a real websockets server."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
from collections.abc import AsyncIterator
from http import HTTPStatus
from typing import Any

import httpx
import pytest
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

from engine.ari import (
    AriAuthError,
    AriClient,
    AriError,
    AriEvent,
    AriUnreachable,
    Backoff,
    EventStreamClosed,
)
from engine.ari.events import (
    ChannelDestroyed,
    ChannelDtmfReceived,
    Dial,
    Disconnected,
    Reconnected,
    StasisStart,
)

AUTH = "Basic " + base64.b64encode(b"phonebank:s3cret").decode()
FAST = Backoff(initial=0.001, cap=0.01)
CHANNEL = {"id": "c1", "name": "PJSIP/carrier-1", "state": "Up",
           "caller": {"name": "", "number": "5551234"}}


def event(kind: str, **fields: Any) -> str:
    return json.dumps({"type": kind, "application": "phonebank",
                       "timestamp": "2024-05-01T10:00:00.000+0000", **fields})


class FakeAri:
    """The events side of ARI: checks auth, hands each accepted connection to the test."""

    def __init__(self) -> None:
        self.connections: asyncio.Queue[ServerConnection] = asyncio.Queue()
        self.paths: list[str] = []
        self.refuse_next = 0
        self.server: Server | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/ari"

    def process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        self.paths.append(request.path)
        if request.headers.get("Authorization") != AUTH:
            return connection.respond(HTTPStatus.UNAUTHORIZED, "Unauthorized\n")
        if self.refuse_next:
            self.refuse_next -= 1
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "starting\n")
        return None

    async def handler(self, connection: ServerConnection) -> None:
        await self.connections.put(connection)
        await connection.wait_closed()


@pytest.fixture
async def fake_ari() -> AsyncIterator[FakeAri]:
    fake = FakeAri()
    async with serve(fake.handler, "127.0.0.1", 0, process_request=fake.process_request) as srv:
        fake.server = srv
        yield fake


def client(url: str, password: str = "s3cret") -> AriClient:
    return AriClient(url, "phonebank", password, "phonebank", backoff=FAST, timeout=2.0)


async def test_events_arrive_typed_and_in_order(fake_ari: FakeAri) -> None:
    async with client(fake_ari.url) as ari:
        events = ari.events()
        server = await fake_ari.connections.get()
        await server.send(event("StasisStart", args=["customer", "gotv"], channel=CHANNEL))
        await server.send(event("ChannelDtmfReceived", digit="5", duration_ms=120,
                                channel=CHANNEL))
        await server.send(event("Dial", dialstatus="BUSY", peer=CHANNEL))
        await server.send(event("ChannelTalkingStarted", channel=CHANNEL))
        await server.send(event("ChannelDestroyed", cause=17, cause_txt="User busy",
                                channel=CHANNEL))
        received = [await events.next() for _ in range(5)]
    assert [e.type for e in received] == ["StasisStart", "ChannelDtmfReceived", "Dial",
                                          "ChannelTalkingStarted", "ChannelDestroyed"]
    start, dtmf, dial, talking, destroyed = received
    assert isinstance(start, StasisStart) and start.args == ["customer", "gotv"]
    assert start.channel is not None and start.channel.caller.number == "5551234"
    assert start.application == "phonebank" and start.timestamp is not None
    assert isinstance(dtmf, ChannelDtmfReceived) and (dtmf.digit, dtmf.duration_ms) == ("5", 120)
    assert isinstance(dial, Dial) and dial.dialstatus == "BUSY" and dial.peer.id == "c1"
    assert type(talking) is AriEvent and talking.raw["channel"]["id"] == "c1"
    assert isinstance(destroyed, ChannelDestroyed) and destroyed.cause == 17
    assert fake_ari.paths == ["/ari/events?app=phonebank&subscribeAll=false"]


async def test_every_subscription_sees_every_event(fake_ari: FakeAri) -> None:
    async with client(fake_ari.url) as ari:
        first, second = ari.events(), ari.events()
        server = await fake_ari.connections.get()
        for digit in "123":
            await server.send(event("ChannelDtmfReceived", digit=digit, channel=CHANNEL))
        assert [(await first.next()).raw["digit"] for _ in range(3)] == ["1", "2", "3"]
        assert [(await second.next()).raw["digit"] for _ in range(3)] == ["1", "2", "3"]


async def test_malformed_messages_are_skipped(fake_ari: FakeAri) -> None:
    async with client(fake_ari.url) as ari:
        events = ari.events()
        server = await fake_ari.connections.get()
        await server.send("this is not json")
        await server.send("[1, 2]")
        await server.send(event("ChannelDtmfReceived", channel=CHANNEL))  # digit missing
        await server.send(event("StasisEnd", channel=CHANNEL))
        degraded = await events.next()
        assert type(degraded) is AriEvent and degraded.type == "ChannelDtmfReceived"
        assert (await events.next()).type == "StasisEnd"


async def test_wait_for_skips_to_the_matching_event(fake_ari: FakeAri) -> None:
    async with client(fake_ari.url) as ari:
        events = ari.events()
        server = await fake_ari.connections.get()
        for digit in "12#":
            await server.send(event("ChannelDtmfReceived", digit=digit, channel=CHANNEL))
        found = await events.wait_for(
            lambda e: isinstance(e, ChannelDtmfReceived) and e.digit == "#", timeout=5)
        assert found.raw["digit"] == "#"
        with pytest.raises(TimeoutError, match="no matching ARI event arrived within 0.05 s"):
            await events.wait_for(lambda e: True, timeout=0.05)


async def test_reconnects_after_the_server_drops(fake_ari: FakeAri) -> None:
    async with client(fake_ari.url) as ari:
        events = ari.events()
        first = await fake_ari.connections.get()
        fake_ari.refuse_next = 3
        await first.close()
        dropped = await events.next()
        back = await events.next()
        second = await fake_ari.connections.get()
        await second.send(event("StasisEnd", channel=CHANNEL))
        after = await events.next()
    assert isinstance(dropped, Disconnected) and dropped.reason
    assert isinstance(back, Reconnected) and back.attempts == 4
    assert after.type == "StasisEnd"
    assert fake_ari.paths[-1] == "/ari/events?app=phonebank&subscribeAll=false"
    assert len(fake_ari.paths) == 5


async def test_close_ends_subscriptions_and_the_reader(fake_ari: FakeAri) -> None:
    async with client(fake_ari.url) as ari:
        events = ari.events()
        await fake_ari.connections.get()
    assert [e async for e in events] == []
    with pytest.raises(EventStreamClosed):
        await events.next()
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "ari-events-reader"]


async def test_wrong_password_fails_on_enter(fake_ari: FakeAri) -> None:
    with pytest.raises(AriAuthError, match="ARI rejected user 'phonebank'"):
        async with client(fake_ari.url, password="wrong"):
            pass


async def test_other_handshake_status_is_an_ari_error(fake_ari: FakeAri) -> None:
    fake_ari.refuse_next = 1
    with pytest.raises(AriError) as raised:
        async with client(fake_ari.url):
            pass
    assert raised.value.status == 503 and raised.value.message == "starting"


async def test_nothing_listening_is_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(AriUnreachable, match=rf"cannot reach Asterisk ARI at http://127.0.0.1:{port}/ari"):
        async with client(f"http://127.0.0.1:{port}/ari"):
            pass


async def test_event_subscriptions_are_restored_after_a_reconnect(fake_ari: FakeAri) -> None:
    posts: list[httpx.Request] = []

    def rest(request: httpx.Request) -> httpx.Response:
        posts.append(request)
        return httpx.Response(200, json={"name": "phonebank"})

    ari = AriClient(fake_ari.url, "phonebank", "s3cret", "phonebank", backoff=FAST,
                    transport=httpx.MockTransport(rest))
    async with ari:
        events = ari.events()
        first = await fake_ari.connections.get()
        await ari.subscribe(["endpoint:PJSIP/carrier", "channel:c1"])
        await ari.unsubscribe("channel:c1")
        await first.close()
        await events.wait_for(lambda e: isinstance(e, Reconnected), timeout=5)
    subscribe, unsubscribe, restore = posts
    assert subscribe.method == "POST"
    assert subscribe.url.path == "/ari/applications/phonebank/subscription"
    assert subscribe.url.params["eventSource"] == "endpoint:PJSIP/carrier,channel:c1"
    assert unsubscribe.method == "DELETE"
    assert unsubscribe.url.params["eventSource"] == "channel:c1"
    assert (restore.method, restore.url.path) == ("POST", subscribe.url.path)
    assert restore.url.params["eventSource"] == "endpoint:PJSIP/carrier"
