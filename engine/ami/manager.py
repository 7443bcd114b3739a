"""panoramisk's ``Manager`` with the hooks phonebank needs to control its lifecycle.

panoramisk reconnects on its own and cannot be told to stop: a failed first connect or a
rejected login (after which Asterisk hangs up) schedules another attempt, forever. This
subclass adds a ``closing`` switch that stops every scheduled reconnect, leaves a failed
first connect to the client, reports each login result, and ignores connection attempts
cancelled by the client's timeout.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from panoramisk.manager import Manager


class PhonebankManager(Manager):
    """A ``Manager`` that can be shut down for good and reports login results."""

    def __init__(self, *, on_login_result: Callable[[bool], None], **config: Any) -> None:
        super().__init__(**config)
        self._on_login_result = on_login_result
        self.closing = False
        self.has_connected = False

    def open(self) -> asyncio.Task[Any]:
        """The first connection attempt; await it for the socket (or the OSError)."""
        return super().connect()

    def connect(self, *args: Any, **kwargs: Any) -> asyncio.Task[Any] | None:  # type: ignore[override]
        """Reconnect (panoramisk schedules this), unless the client is shutting down."""
        if self.closing:
            return None
        return super().connect(*args, **kwargs)

    def connection_made(self, f: asyncio.Future[Any]) -> None:
        """Adopt a new connection; drop it if the client timed out or closed meanwhile.

        A failed *first* attempt is the client's to report (``AmiUnreachable``), so it is
        not retried here; once connected, lost connections are retried as panoramisk does.
        """
        if f.cancelled():
            return
        failed = f.exception() is not None
        if self.closing or (failed and not self.has_connected):
            if not failed:
                transport, _ = f.result()
                transport.close()
            return
        if not failed:
            self.has_connected = True
        super().connection_made(f)

    def login(self, future: asyncio.Future[Any]) -> bool:
        """Record the login result and tell the client."""
        if future.cancelled() or future.exception() is not None:
            return False
        authenticated = bool(super().login(future))
        self._on_login_result(authenticated)
        return authenticated

    def shutdown(self) -> None:
        """Close the connection and cancel every reconnect panoramisk has scheduled."""
        self.closing = True
        self.close()
