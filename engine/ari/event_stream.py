"""The ARI events websocket: one reader task, reconnecting forever, fanning out in order.

One reader task owns the websocket. It parses each message once and hands it to every open
``Subscription``, each an ``asyncio.Queue`` read by one consumer, so every consumer sees
every event in the order Asterisk sent them. When the socket drops the reader publishes
``Disconnected``, reconnects with capped exponential backoff and jitter until the stream is
closed, runs the ``on_reconnect`` hook (the client restores its event subscriptions), then
publishes ``Reconnected``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from engine.ari.backoff import Backoff
from engine.ari.errors import (
    AriAuthError,
    AriError,
    AriUnreachable,
    message_from_body,
)
from engine.ari.events import AriEvent, Disconnected, Reconnected, connection_event, parse_event
from engine.ari.subscription import Subscription

log = logging.getLogger(__name__)

EventSubscription = Subscription[AriEvent]
EventPredicate = Callable[[AriEvent], bool]


@dataclass(frozen=True)
class WebsocketOptions:
    """Where and how to open the events websocket."""

    url: str
    base_url: str
    username: str
    headers: tuple[tuple[str, str], ...]
    application: str
    timeout: float
    ping_interval: float
    backoff: Backoff


class EventStream:
    """Owns the events websocket and its reader task; see the module docstring."""

    def __init__(self, options: WebsocketOptions,
                 on_reconnect: Callable[[], Awaitable[None]] | None = None) -> None:
        self._options = options
        self._on_reconnect = on_reconnect
        self._subscriptions: weakref.WeakSet[EventSubscription] = weakref.WeakSet()
        self._socket: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None

    async def open(self) -> None:
        """Connect once (raising ``AriUnreachable``/``AriAuthError``), then start the reader."""
        self._socket = await self._connect()
        self._reader = asyncio.create_task(self._read_forever(), name="ari-events-reader")

    async def close(self) -> None:
        """Stop the reader, close the socket and end every subscription."""
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
        if self._socket is not None:
            await self._socket.close()
            self._socket = None
        for subscription in list(self._subscriptions):
            subscription.end()
        self._subscriptions.clear()

    def subscribe(self) -> EventSubscription:
        """A new subscription receiving every event from now on."""
        subscription: EventSubscription = Subscription("ARI", self._subscriptions.discard)
        self._subscriptions.add(subscription)
        return subscription

    async def _connect(self) -> ClientConnection:
        options = self._options
        try:
            return await connect(
                options.url,
                additional_headers=list(options.headers),
                open_timeout=options.timeout,
                ping_interval=options.ping_interval,
                ping_timeout=options.timeout,
                close_timeout=options.timeout,
                # Asterisk is on a local network: an environment proxy would only get in the way.
                proxy=None,
                max_size=None,
            )
        except InvalidStatus as exc:
            status = exc.response.status_code
            if status == 401:
                raise AriAuthError(options.username, "GET", "/events") from exc
            body = exc.response.body.decode("utf-8", "replace") if exc.response.body else ""
            raise AriError(status, message_from_body(body), "GET", "/events") from exc
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            raise AriUnreachable(options.base_url, "GET", "/events") from exc

    async def _read_forever(self) -> None:
        while True:
            reason = await self._pump()
            log.warning("ARI events websocket dropped (%s); reconnecting", reason)
            self._publish(connection_event(Disconnected, self._options.application, reason=reason))
            attempts = await self._reconnect()
            if self._on_reconnect is not None:
                await self._on_reconnect()
            log.info("ARI events websocket back after %d attempt(s)", attempts)
            self._publish(connection_event(Reconnected, self._options.application,
                                           attempts=attempts))

    async def _pump(self) -> str:
        """Publish messages until the socket closes; returns why it closed."""
        assert self._socket is not None
        try:
            async for message in self._socket:
                self._publish_message(message)
        except ConnectionClosed as exc:
            return str(exc)
        return "closed by Asterisk"

    async def _reconnect(self) -> int:
        """Reconnect with backoff until it works; returns the number of attempts."""
        attempt = 0
        while True:
            await asyncio.sleep(self._options.backoff.delay(attempt))
            attempt += 1
            try:
                self._socket = await self._connect()
            except AriError as exc:
                log.warning("%s (reconnect attempt %d)", exc, attempt)
                continue
            return attempt

    def _publish_message(self, message: str | bytes) -> None:
        try:
            data = json.loads(message)
        except ValueError:
            log.warning("ARI sent a websocket message that is not JSON; ignored")
            return
        if not isinstance(data, dict):
            log.warning("ARI sent a websocket message that is not an object; ignored")
            return
        self._publish(parse_event(data))

    def _publish(self, event: AriEvent) -> None:
        for subscription in list(self._subscriptions):
            subscription.deliver(event)

