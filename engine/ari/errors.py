"""Errors raised by the ARI client, each phrased as one line that names the fix."""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final


class AriError(Exception):
    """ARI answered a request with an error status.

    ``status`` is the HTTP status (``None`` when no answer arrived), ``message`` what Asterisk
    said, ``method`` and ``path`` the request that failed.
    """

    def __init__(self, status: int | None, message: str, method: str, path: str) -> None:
        self.status = status
        self.message = message
        self.method = method
        self.path = path
        super().__init__(self._describe())

    def _describe(self) -> str:
        return f"ARI {self.method} {self.path} failed with {self.status}: {self.message}"


class AriBadRequest(AriError):
    """400: a parameter was missing or wrong (for instance a Stasis app not registered)."""


class AriNotFound(AriError):
    """404: the channel, bridge, playback or recording does not exist (any more)."""


class AriConflict(AriError):
    """409: the object is in the wrong state, or an id is already in use."""


class AriAuthError(AriError):
    """401: Asterisk rejected the ARI username or password."""

    def __init__(self, username: str, method: str, path: str) -> None:
        self.username = username
        super().__init__(401, "unauthorized", method, path)

    def _describe(self) -> str:
        return (
            f"ARI rejected user {self.username!r}: check [ari] username/password in "
            "phonebank.toml match the rendered ari.conf"
        )


class AriUnreachable(AriError):
    """No HTTP answer at all: Asterisk is down, or its HTTP server is disabled."""

    def __init__(self, base_url: str, method: str = "CONNECT", path: str = "") -> None:
        self.base_url = base_url
        super().__init__(None, "unreachable", method, path)

    def _describe(self) -> str:
        return (
            f"cannot reach Asterisk ARI at {self.base_url}: is Asterisk running "
            "(`phonebank asterisk status`) and http.conf enabled?"
        )


class AriTimeout(AriError):
    """Asterisk accepted the connection but did not answer within the client's timeout."""

    def __init__(self, timeout: float, method: str, path: str) -> None:
        self.timeout = timeout
        super().__init__(None, "timed out", method, path)

    def _describe(self) -> str:
        return (
            f"ARI did not answer {self.method} {self.path} within {self.timeout:g} s: "
            "is Asterisk overloaded or stuck? (`phonebank asterisk status`)"
        )


_BY_STATUS: Final[Mapping[int, type[AriError]]] = MappingProxyType(
    {400: AriBadRequest, 404: AriNotFound, 409: AriConflict}
)


def error_for_status(status: int, message: str, method: str, path: str) -> AriError:
    """The most specific ``AriError`` subclass for an HTTP error status (401 excluded)."""
    return _BY_STATUS.get(status, AriError)(status, message, method, path)


def message_from_body(body: str) -> str:
    """What Asterisk said in an error response body (ARI sends ``{"message": ...}``)."""
    try:
        data = json.loads(body)
    except ValueError:
        return body.strip() or "no message"
    if isinstance(data, dict) and "message" in data:
        return str(data["message"])
    return body.strip() or "no message"
