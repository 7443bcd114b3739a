"""Typed ARI events, parsed from the JSON the events websocket sends.

Every event is an ``AriEvent``; the types phonebank reacts to get a subclass with their own
fields. Unknown event types still parse, as a plain ``AriEvent`` with the whole message in
``raw``. ``Disconnected`` and ``Reconnected`` are not Asterisk's: the client emits them when
the websocket drops and comes back, so the engine can reconcile calls it may have missed
events for.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final

from pydantic import Field, ValidationError

from engine.ari.models import AriModel, Bridge, Channel, LiveRecording, Playback

log = logging.getLogger(__name__)


class AriEvent(AriModel):
    """An event from ARI (or a synthetic connection event from the client)."""

    type: str
    timestamp: datetime | None = None
    application: str = ""
    asterisk_id: str = ""
    channel: Channel | None = None
    bridge: Bridge | None = None
    playback: Playback | None = None
    recording: LiveRecording | None = None
    raw: dict[str, Any] = Field(default_factory=dict, repr=False)


class StasisStart(AriEvent):
    """A channel entered the Stasis application (``args`` from the dialplan or originate)."""

    args: list[str] = Field(default_factory=list)
    replace_channel: Channel | None = None


class StasisEnd(AriEvent):
    """A channel left the Stasis application."""


class ChannelCreated(AriEvent):
    """A channel the application watches was created."""


class ChannelStateChange(AriEvent):
    """A channel changed state (``channel.state``: Down, Ring, Ringing, Up, Busy...)."""


class ChannelDtmfReceived(AriEvent):
    """A DTMF digit ended on a channel."""

    digit: str
    duration_ms: int = 0


class ChannelHangupRequest(AriEvent):
    """Someone asked for a channel to hang up, with the Q.850 cause."""

    cause: int | None = None
    soft: bool = False


class ChannelDestroyed(AriEvent):
    """A channel is gone, with its final Q.850 cause."""

    cause: int | None = None
    cause_txt: str = ""


class ChannelEnteredBridge(AriEvent):
    """A channel joined a bridge."""


class ChannelLeftBridge(AriEvent):
    """A channel left a bridge."""


class ChannelVarset(AriEvent):
    """A channel variable (or a global one, when ``channel`` is None) changed."""

    variable: str
    value: str = ""


class ChannelCallerId(AriEvent):
    """A channel's caller ID changed."""

    caller_presentation: int = 0
    caller_presentation_txt: str = ""


class Dial(AriEvent):
    """Dialling progress: ``dialstatus`` is '' while it starts, RINGING, ANSWER, BUSY..."""

    peer: Channel
    caller: Channel | None = None
    forwarded: Channel | None = None
    dialstatus: str = ""
    dialstring: str = ""
    forward: str = ""


class PlaybackStarted(AriEvent):
    """A playback began."""


class PlaybackContinuing(AriEvent):
    """One media of a playback list finished and the next begins."""


class PlaybackFinished(AriEvent):
    """A playback ended (done, stopped, or failed: see ``playback.state``)."""


class RecordingStarted(AriEvent):
    """A live recording began."""


class RecordingFinished(AriEvent):
    """A live recording ended and its file is stored."""


class RecordingFailed(AriEvent):
    """A live recording failed (``recording.cause`` says why)."""


class BridgeCreated(AriEvent):
    """A bridge was created."""


class BridgeDestroyed(AriEvent):
    """A bridge was destroyed."""


class Disconnected(AriEvent):
    """Synthetic: the events websocket dropped; events may be lost until ``Reconnected``."""

    reason: str = ""


class Reconnected(AriEvent):
    """Synthetic: the events websocket is back after ``attempts`` tries; reconcile now."""

    attempts: int = 1


EVENT_TYPES: Final[Mapping[str, type[AriEvent]]] = MappingProxyType(
    {
        cls.__name__: cls
        for cls in (
            StasisStart,
            StasisEnd,
            ChannelCreated,
            ChannelStateChange,
            ChannelDtmfReceived,
            ChannelHangupRequest,
            ChannelDestroyed,
            ChannelEnteredBridge,
            ChannelLeftBridge,
            ChannelVarset,
            ChannelCallerId,
            Dial,
            PlaybackStarted,
            PlaybackContinuing,
            PlaybackFinished,
            RecordingStarted,
            RecordingFinished,
            RecordingFailed,
            BridgeCreated,
            BridgeDestroyed,
        )
    }
)


def parse_event(data: dict[str, Any]) -> AriEvent:
    """The typed event for one ARI event message.

    A message whose known type does not validate (a field missing in some Asterisk version)
    degrades to a plain ``AriEvent`` rather than losing the event.
    """
    event_type = str(data.get("type", ""))
    cls = EVENT_TYPES.get(event_type, AriEvent)
    try:
        return cls.model_validate({**data, "raw": data})
    except ValidationError as exc:
        log.warning("ARI %s event did not match its model (%s); passing it on untyped",
                    event_type, exc.errors()[0]["msg"])
    return AriEvent(type=event_type, application=str(data.get("application", "")), raw=data)


def connection_event(cls: type[Disconnected] | type[Reconnected], application: str,
                     **fields: Any) -> AriEvent:
    """A synthetic connection event stamped with the current time."""
    return cls(type=cls.__name__, timestamp=datetime.now(UTC), application=application,
               **fields)

