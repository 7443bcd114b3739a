"""Typed views of the JSON objects ARI returns (Asterisk 22's ARI data models).

Fields phonebank does not use are kept out of the models but remain reachable through the
event's ``raw`` dict; unknown fields are ignored so a newer Asterisk does not break parsing.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class AriModel(BaseModel):
    """Base of every ARI model: immutable, tolerant of fields it does not declare."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class CallerId(AriModel):
    """A caller ID: name and number (either may be empty)."""

    name: str = ""
    number: str = ""


class DialplanLocation(AriModel):
    """Where a channel is in the dialplan."""

    context: str = ""
    exten: str = ""
    priority: int = 0
    app_name: str = ""
    app_data: str = ""


class Channel(AriModel):
    """An Asterisk channel (one leg of a call)."""

    id: str
    name: str = ""
    state: str = ""
    caller: CallerId = Field(default_factory=CallerId)
    connected: CallerId = Field(default_factory=CallerId)
    dialplan: DialplanLocation = Field(default_factory=DialplanLocation)
    creationtime: datetime | None = None
    language: str = ""
    channelvars: dict[str, str] = Field(default_factory=dict)


class Bridge(AriModel):
    """A bridge: channels in it hear each other (mixing) or are held (holding)."""

    id: str
    technology: str = ""
    bridge_type: str = ""
    bridge_class: str = ""
    name: str = ""
    channels: list[str] = Field(default_factory=list)


class Playback(AriModel):
    """A media playback on a channel or bridge."""

    id: str
    media_uri: str = ""
    next_media_uri: str = ""
    target_uri: str = ""
    language: str = ""
    state: str = ""


class LiveRecording(AriModel):
    """A recording in progress (or just finished) on a channel or bridge."""

    name: str
    format: str = ""
    target_uri: str = ""
    state: str = ""
    duration: int | None = None
    talking_duration: int | None = None
    silence_duration: int | None = None
    cause: str = ""


class StoredRecording(AriModel):
    """A finished recording file in Asterisk's recording spool."""

    name: str
    format: str = ""


class AsteriskInfo(AriModel):
    """``GET /asterisk/info``: build, system, config and status sections as ARI sends them."""

    build: dict[str, object] = Field(default_factory=dict)
    system: dict[str, object] = Field(default_factory=dict)
    config: dict[str, object] = Field(default_factory=dict)
    status: dict[str, object] = Field(default_factory=dict)

    @property
    def version(self) -> str:
        """The Asterisk version string, or '' when ARI did not include the system section."""
        return str(self.system.get("version", ""))


class AsteriskPing(AriModel):
    """``GET /asterisk/ping``: Asterisk's id and its clock."""

    asterisk_id: str = ""
    ping: str = ""
    timestamp: datetime | None = None
