"""Typed views of AMI messages: events, Originate results and the status listings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final

HeaderValue = str | list[str]

# Originate's Reason is the last control frame Asterisk saw on the dialled channel.
ORIGINATE_REASONS: Final[Mapping[int, str]] = MappingProxyType(
    {
        0: "failed (busy, congestion and bad numbers all end here: use the hangup cause)",
        1: "hung up",
        3: "ring timeout",
        4: "answered",
        5: "busy",
        8: "congestion",
    }
)


def _headers(message: Mapping[str, Any]) -> dict[str, HeaderValue]:
    # panoramisk stores the response body under "content"; it is not a header.
    return {
        key.lower(): value
        for key, value in message.items()
        if key.lower() != "content" and isinstance(value, (str, list))
    }


def _int(value: str, default: int = 0) -> int:
    try:
        return int(value)
    except ValueError:
        return default


@dataclass(frozen=True)
class AmiEvent:
    """An AMI event: its name and its headers (keys lower-cased).

    ``Disconnected`` and ``Reconnected`` are synthetic, emitted by the client when the
    connection drops and when it is logged in again; after ``Reconnected``, reconcile.
    """

    name: str
    headers: Mapping[str, HeaderValue] = field(default_factory=dict)
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @classmethod
    def from_message(cls, message: Mapping[str, Any]) -> AmiEvent:
        """The event for a panoramisk ``Message``."""
        headers = _headers(message)
        return cls(name=str(headers.get("event", "")), headers=MappingProxyType(headers))

    def get(self, key: str, default: str = "") -> str:
        """One header's value (the last one when the header repeats)."""
        value = self.headers.get(key.lower(), default)
        return value[-1] if isinstance(value, list) else value

    def get_all(self, key: str) -> list[str]:
        """Every value of a header that may repeat (``ChanVariable``...)."""
        value = self.headers.get(key.lower())
        if value is None:
            return []
        return list(value) if isinstance(value, list) else [value]


@dataclass(frozen=True)
class OriginateResult:
    """How an asynchronous Originate ended (AMI's ``OriginateResponse``).

    ``reason`` alone cannot tell busy from congestion (both come back as 0 with chan_pjsip):
    classify the call by the Q.850 cause of the channel's ``Hangup`` event, matched on
    ``channel_id``.
    """

    channel_id: str
    success: bool
    reason: int
    channel: str
    uniqueid: str

    @classmethod
    def from_message(cls, channel_id: str, message: Mapping[str, Any]) -> OriginateResult:
        """Parse the ``OriginateResponse`` for the Originate of ``channel_id``."""
        event = AmiEvent.from_message(message)
        return cls(
            channel_id=channel_id,
            success=event.get("Response") == "Success",
            reason=_int(event.get("Reason"), default=-1),
            channel=event.get("Channel"),
            uniqueid=event.get("Uniqueid") or channel_id,
        )

    @property
    def reason_text(self) -> str:
        """What ``reason`` means."""
        return ORIGINATE_REASONS.get(self.reason, f"reason {self.reason}")


@dataclass(frozen=True)
class ChannelSummary:
    """One row of ``core show channels`` (AMI ``CoreShowChannel``)."""

    channel: str
    uniqueid: str
    state: str
    context: str
    exten: str
    application: str
    caller_id_num: str
    duration: str
    bridge_id: str

    @classmethod
    def from_event(cls, event: AmiEvent) -> ChannelSummary:
        """Parse a ``CoreShowChannel`` event."""
        return cls(
            channel=event.get("Channel"), uniqueid=event.get("Uniqueid"),
            state=event.get("ChannelStateDesc"), context=event.get("Context"),
            exten=event.get("Exten"), application=event.get("Application"),
            caller_id_num=event.get("CallerIDNum"), duration=event.get("Duration"),
            bridge_id=event.get("BridgeId"),
        )


@dataclass(frozen=True)
class PjsipEndpoint:
    """One PJSIP endpoint and whether it can take calls (AMI ``EndpointList``)."""

    name: str
    device_state: str
    active_channels: int
    contacts: str
    aor: str
    transport: str

    @classmethod
    def from_event(cls, event: AmiEvent) -> PjsipEndpoint:
        """Parse an ``EndpointList`` event."""
        return cls(
            name=event.get("ObjectName"), device_state=event.get("DeviceState"),
            active_channels=_int(event.get("ActiveChannels")), contacts=event.get("Contacts"),
            aor=event.get("Aor"), transport=event.get("Transport"),
        )


@dataclass(frozen=True)
class PjsipContact:
    """One registered or static contact (AMI ``ContactList``)."""

    name: str
    endpoint: str
    uri: str
    status: str
    roundtrip_usec: int
    user_agent: str

    @classmethod
    def from_event(cls, event: AmiEvent) -> PjsipContact:
        """Parse a ``ContactList`` event."""
        return cls(
            name=event.get("ObjectName"), endpoint=event.get("Endpoint"), uri=event.get("Uri"),
            status=event.get("Status"), roundtrip_usec=_int(event.get("RoundtripUsec")),
            user_agent=event.get("UserAgent"),
        )


@dataclass(frozen=True)
class PjsipRegistration:
    """One outbound registration to a carrier (AMI ``OutboundRegistrationDetail``)."""

    name: str
    server_uri: str
    client_uri: str
    status: str

    @classmethod
    def from_event(cls, event: AmiEvent) -> PjsipRegistration:
        """Parse an ``OutboundRegistrationDetail`` event."""
        return cls(
            name=event.get("ObjectName"), server_uri=event.get("ServerUri"),
            client_uri=event.get("ClientUri"), status=event.get("Status"),
        )
