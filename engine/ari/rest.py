"""HTTP plumbing for ARI: one httpx client, query encoding, and error mapping."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from engine.ari.errors import (
    AriAuthError,
    AriError,
    AriTimeout,
    AriUnreachable,
    error_for_status,
    message_from_body,
)

QueryValue = str | int | float | bool | Sequence[str] | None


def encode_query(params: Mapping[str, QueryValue]) -> dict[str, str]:
    """ARI's query syntax: booleans as true/false, lists comma-joined, None left out."""
    encoded: dict[str, str] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            encoded[key] = "true" if value else "false"
        elif isinstance(value, (str, int, float)):
            encoded[key] = str(value)
        else:
            encoded[key] = ",".join(value)
    return encoded


class AriHttp:
    """Sends ARI requests and turns every failure into an ``AriError`` with a clear message."""

    def __init__(self, base_url: str, username: str, password: str, *, timeout: float,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.username = username
        self.timeout = timeout
        self._client = httpx.AsyncClient(
            base_url=self.base_url + "/",
            auth=httpx.BasicAuth(username, password),
            timeout=httpx.Timeout(timeout),
            transport=transport,
            # Asterisk is reached directly: an environment proxy would only get in the way.
            trust_env=False,
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, QueryValue] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Any:
        """The decoded JSON answer (None for an empty one); raises an ``AriError``."""
        try:
            response = await self._client.request(
                method, path.lstrip("/"), params=encode_query(params or {}), json=body
            )
        except httpx.TimeoutException as exc:
            raise AriTimeout(self.timeout, method, path) from exc
        except httpx.TransportError as exc:
            raise AriUnreachable(self.base_url, method, path) from exc
        if response.status_code == 401:
            raise AriAuthError(self.username, method, path)
        if response.status_code >= 400:
            raise error_for_status(
                response.status_code, message_from_body(response.text), method, path
            )
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise AriError(response.status_code, "answer is not JSON", method, path) from exc
