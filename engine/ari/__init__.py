"""Asterisk REST Interface (ARI) client: typed REST calls and a reconnecting events stream."""

from engine.ari.backoff import Backoff
from engine.ari.client import AriClient
from engine.ari.errors import (
    AriAuthError,
    AriBadRequest,
    AriConflict,
    AriError,
    AriNotFound,
    AriTimeout,
    AriUnreachable,
)
from engine.ari.event_stream import EventSubscription
from engine.ari.events import AriEvent, Disconnected, Reconnected, parse_event
from engine.ari.models import (
    AsteriskInfo,
    AsteriskPing,
    Bridge,
    CallerId,
    Channel,
    DialplanLocation,
    LiveRecording,
    Playback,
    StoredRecording,
)
from engine.ari.subscription import EventStreamClosed, Subscription

__all__ = [
    "AriAuthError",
    "AriBadRequest",
    "AriClient",
    "AriConflict",
    "AriError",
    "AriEvent",
    "AriNotFound",
    "AriTimeout",
    "AriUnreachable",
    "AsteriskInfo",
    "AsteriskPing",
    "Backoff",
    "Bridge",
    "CallerId",
    "Channel",
    "DialplanLocation",
    "Disconnected",
    "EventStreamClosed",
    "EventSubscription",
    "LiveRecording",
    "Playback",
    "Reconnected",
    "StoredRecording",
    "Subscription",
    "parse_event",
]
