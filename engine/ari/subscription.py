"""An in-order event queue for one consumer, fed by a client's single reader.

Both the ARI and the AMI client publish each event to every open ``Subscription``; each
subscription is an ``asyncio.Queue`` read by exactly one consumer, so consumers never steal
events from each other and each sees events in the order the server sent them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType
from typing import Generic, TypeVar

E = TypeVar("E")


class EventStreamClosed(Exception):
    """The client was closed while a consumer still waited for events."""


class Subscription(Generic[E]):
    """One consumer's in-order view of a client's events, from the moment it was opened.

    Open it *before* the action whose events you want (``sub = client.events()``, then the
    action), so nothing that arrives in between is missed. Iterate it with ``async for``, or
    take the next matching event with ``wait_for``. Close it (or use ``async with``) when
    done; the client also drops subscriptions nobody references any more.
    """

    def __init__(self, source: str, on_close: Callable[[Subscription[E]], None]) -> None:
        self._source = source
        self._queue: asyncio.Queue[E | None] = asyncio.Queue()
        self._on_close = on_close
        self._ended = False

    def deliver(self, event: E) -> None:
        """Queue one event for this consumer (called by the client's reader)."""
        self._queue.put_nowait(event)

    def end(self) -> None:
        """Mark the end of the stream: the consumer finishes after the events already queued."""
        self._queue.put_nowait(None)

    async def next(self) -> E:
        """The next event; raises ``EventStreamClosed`` once the client has closed."""
        if not self._ended:
            event = await self._queue.get()
            if event is not None:
                return event
            self._ended = True
        raise EventStreamClosed(f"the {self._source} client is closed")

    async def wait_for(self, predicate: Callable[[E], bool], timeout: float) -> E:
        """The first event for which ``predicate`` is true, skipping the others.

        Raises ``TimeoutError`` naming the wait when none arrives within ``timeout`` seconds.
        """
        try:
            async with asyncio.timeout(timeout):
                while True:
                    event = await self.next()
                    if predicate(event):
                        return event
        except TimeoutError:
            raise TimeoutError(
                f"no matching {self._source} event arrived within {timeout:g} s"
            ) from None

    def close(self) -> None:
        """Stop receiving events."""
        self._on_close(self)

    def __aiter__(self) -> Subscription[E]:
        return self

    async def __anext__(self) -> E:
        try:
            return await self.next()
        except EventStreamClosed:
            raise StopAsyncIteration from None

    async def __aenter__(self) -> Subscription[E]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
