"""The ARI client: typed REST calls and the events stream over one connection pair.

    async with AriClient("http://127.0.0.1:8088/ari", "phonebank", secret, "phonebank") as ari:
        events = ari.events()
        await ari.originate("PJSIP/5551234@carrier", channel_id=attempt_id)
        started = await events.wait_for(
            lambda e: e.type == "StasisStart" and e.channel.id == attempt_id, timeout=30)

Entering the client opens the events websocket first, so the Stasis application is registered
before anything is originated into it; leaving it stops the reader task and closes both.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Literal
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import httpx

from engine.ari.backoff import Backoff
from engine.ari.errors import AriError, AriNotFound
from engine.ari.event_stream import EventPredicate, EventStream, EventSubscription, WebsocketOptions
from engine.ari.events import AriEvent
from engine.ari.models import (
    AsteriskInfo,
    AsteriskPing,
    Bridge,
    Channel,
    LiveRecording,
    Playback,
    StoredRecording,
)
from engine.ari.rest import AriHttp, QueryValue
from engine.config import AriSettings

log = logging.getLogger(__name__)

SpyDirection = Literal["none", "in", "out", "both"]
IfExists = Literal["fail", "overwrite", "append"]
TerminateOn = Literal["none", "any", "*", "#"]
HangupReason = Literal[
    "normal", "busy", "congestion", "no_answer", "timeout", "rejected", "unallocated",
    "normal_unspecified", "number_incomplete", "codec_mismatch", "interworking", "failure",
    "answered_elsewhere",
]


def _seg(identifier: str) -> str:
    """An id as one URL path segment."""
    return quote(identifier, safe="")


def _args(values: Sequence[str] | str | None) -> str | None:
    """Stasis application arguments travel comma-separated."""
    if values is None or isinstance(values, str):
        return values
    return ",".join(values)


def events_url(base_url: str, app: str) -> str:
    """The events websocket URL for ``app`` under an ARI base URL."""
    parts = urlsplit(base_url.rstrip("/"))
    scheme = "wss" if parts.scheme == "https" else "ws"
    query = urlencode({"app": app, "subscribeAll": "false"})
    return urlunsplit((scheme, parts.netloc, parts.path + "/events", query, ""))


class AriClient:
    """Asterisk's REST interface for one Stasis application.

    Every request has a timeout (``timeout`` seconds) and every failure is an ``AriError``
    subclass whose message names the fix. ``listen=False`` skips the events websocket, for
    one-shot queries such as a status check that must not register the Stasis application.
    """

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        app: str,
        *,
        timeout: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
        listen: bool = True,
        backoff: Backoff | None = None,
        ping_interval: float = 10.0,
    ) -> None:
        self.app = app
        self._http = AriHttp(base_url, username, password, timeout=timeout, transport=transport)
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        self._stream = EventStream(
            WebsocketOptions(
                url=events_url(base_url, app),
                base_url=self._http.base_url,
                username=username,
                headers=(("Authorization", f"Basic {token}"),),
                application=app,
                timeout=timeout,
                ping_interval=ping_interval,
                backoff=backoff or Backoff(),
            ),
            on_reconnect=self._restore_event_sources,
        )
        self._listen = listen
        self._event_sources: set[str] = set()

    @classmethod
    def from_settings(cls, settings: AriSettings, **options: Any) -> AriClient:
        """A client for the ``[ari]`` section of phonebank.toml."""
        return cls(settings.base_url, settings.username, settings.password, settings.app,
                   **options)

    async def __aenter__(self) -> AriClient:
        if self._listen:
            try:
                await self._stream.open()
            except BaseException:
                await self._http.aclose()
                raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop the events reader and close the HTTP and websocket connections."""
        await self._stream.close()
        await self._http.aclose()

    # events

    def events(self) -> EventSubscription:
        """A subscription to every event from now on, in order (see ``EventSubscription``)."""
        return self._stream.subscribe()

    async def wait_for_event(self, predicate: EventPredicate, timeout: float) -> AriEvent:
        """The first event from now on that satisfies ``predicate``.

        Only events arriving after this call count: to catch the events an action causes,
        open ``events()`` before the action and call its ``wait_for`` instead.
        """
        async with self.events() as subscription:
            return await subscription.wait_for(predicate, timeout)

    async def subscribe(self, event_sources: Sequence[str] | str) -> None:
        """Also receive events of these sources, e.g. ``endpoint:PJSIP/carrier``.

        The app only hears about channels that are in Stasis. A call originated into the
        dialplan (AMD first) that fails busy never gets there, so subscribe to the trunk's
        endpoint (or ``channel:<id>``) to see its ``ChannelDestroyed`` and cause. The client
        restores these subscriptions after the websocket reconnects.
        """
        sources = [event_sources] if isinstance(event_sources, str) else list(event_sources)
        await self._post(f"/applications/{_seg(self.app)}/subscription",
                         {"eventSource": sources})
        self._event_sources.update(sources)

    async def unsubscribe(self, event_sources: Sequence[str] | str) -> None:
        """Stop receiving events of these sources."""
        sources = [event_sources] if isinstance(event_sources, str) else list(event_sources)
        self._event_sources.difference_update(sources)
        await self._delete(f"/applications/{_seg(self.app)}/subscription",
                           {"eventSource": sources}, missing_ok=True)

    async def _restore_event_sources(self) -> None:
        if not self._event_sources:
            return
        try:
            await self._post(f"/applications/{_seg(self.app)}/subscription",
                             {"eventSource": sorted(self._event_sources)})
        except AriError as exc:
            log.warning("could not restore ARI event subscriptions after reconnect: %s", exc)

    # Asterisk

    async def asterisk_info(self) -> AsteriskInfo:
        """Build, system, config and status information."""
        return AsteriskInfo.model_validate(await self._get("/asterisk/info"))

    async def ping(self) -> AsteriskPing:
        """A cheap round trip proving ARI answers."""
        return AsteriskPing.model_validate(await self._get("/asterisk/ping"))

    # channels

    async def channels(self) -> list[Channel]:
        """Every active channel."""
        return [Channel.model_validate(item) for item in await self._get("/channels")]

    async def get_channel(self, channel_id: str) -> Channel:
        """One channel; raises ``AriNotFound`` if it is gone."""
        return Channel.model_validate(await self._get(f"/channels/{_seg(channel_id)}"))

    async def originate(
        self,
        endpoint: str,
        *,
        channel_id: str,
        app_args: Sequence[str] | str | None = None,
        caller_id: str | None = None,
        timeout: int = 30,
        variables: Mapping[str, str] | None = None,
        context: str | None = None,
        extension: str | None = None,
        priority: int | None = None,
        originator: str | None = None,
        formats: Sequence[str] | None = None,
        other_channel_id: str | None = None,
    ) -> Channel:
        """Dial ``endpoint`` now (``POST /channels``).

        ``channel_id`` is mandatory: it makes the request idempotent (Asterisk refuses a
        second channel with the same id) and lets the engine find the call again after a
        reconnect. With ``context`` or ``extension`` the answered channel runs that dialplan
        (AMD, then Stasis); otherwise it enters this client's Stasis app with ``app_args``.
        ``timeout`` is the ring timeout in seconds (-1: none).
        """
        params: dict[str, QueryValue] = {
            "endpoint": endpoint,
            "channelId": channel_id,
            "callerId": caller_id,
            "timeout": timeout,
            "originator": originator,
            "formats": formats,
            "otherChannelId": other_channel_id,
        }
        if context is not None or extension is not None:
            params.update(context=context, extension=extension, priority=priority)
        else:
            params.update(app=self.app, appArgs=_args(app_args))
        data = await self._http.request("POST", "/channels", params, _variables(variables))
        return Channel.model_validate(data)

    async def create_channel(
        self,
        endpoint: str,
        *,
        channel_id: str,
        app_args: Sequence[str] | str | None = None,
        variables: Mapping[str, str] | None = None,
        originator: str | None = None,
        formats: Sequence[str] | None = None,
        other_channel_id: str | None = None,
    ) -> Channel:
        """Create a channel in this Stasis app without dialling it yet (then ``dial``)."""
        params: dict[str, QueryValue] = {
            "endpoint": endpoint,
            "app": self.app,
            "appArgs": _args(app_args),
            "channelId": channel_id,
            "originator": originator,
            "formats": formats,
            "otherChannelId": other_channel_id,
        }
        data = await self._http.request("POST", "/channels/create", params,
                                         _variables(variables))
        return Channel.model_validate(data)

    async def dial(self, channel_id: str, *, caller: str | None = None,
                   timeout: int = 30) -> None:
        """Dial a channel made by ``create_channel``; ``timeout`` rings in seconds."""
        await self._post(f"/channels/{_seg(channel_id)}/dial",
                         {"caller": caller, "timeout": timeout})

    async def answer(self, channel_id: str) -> None:
        """Answer a ringing inbound channel."""
        await self._post(f"/channels/{_seg(channel_id)}/answer")

    async def hangup(self, channel_id: str, reason: HangupReason = "normal", *,
                     missing_ok: bool = True) -> bool:
        """Hang a channel up; returns False if it was already gone (and ``missing_ok``)."""
        return await self._delete(f"/channels/{_seg(channel_id)}", {"reason": reason},
                                  missing_ok=missing_ok)

    async def ring(self, channel_id: str) -> None:
        """Indicate ringing to a channel."""
        await self._post(f"/channels/{_seg(channel_id)}/ring")

    async def ring_stop(self, channel_id: str) -> None:
        """Stop indicating ringing."""
        await self._delete(f"/channels/{_seg(channel_id)}/ring")

    async def start_moh(self, channel_id: str, moh_class: str | None = None) -> None:
        """Play music on hold to a channel."""
        await self._post(f"/channels/{_seg(channel_id)}/moh", {"mohClass": moh_class})

    async def stop_moh(self, channel_id: str) -> None:
        """Stop music on hold."""
        await self._delete(f"/channels/{_seg(channel_id)}/moh")

    async def start_silence(self, channel_id: str) -> None:
        """Send silence to a channel (keeps RTP flowing without a sound)."""
        await self._post(f"/channels/{_seg(channel_id)}/silence")

    async def stop_silence(self, channel_id: str) -> None:
        """Stop sending silence."""
        await self._delete(f"/channels/{_seg(channel_id)}/silence")

    async def send_dtmf(self, channel_id: str, dtmf: str, *, before_ms: int | None = None,
                        between_ms: int | None = None, duration_ms: int | None = None,
                        after_ms: int | None = None) -> None:
        """Send DTMF digits to a channel."""
        await self._post(f"/channels/{_seg(channel_id)}/dtmf", {
            "dtmf": dtmf, "before": before_ms, "between": between_ms,
            "duration": duration_ms, "after": after_ms,
        })

    async def get_variable(self, channel_id: str, variable: str) -> str:
        """A channel variable or dialplan function value; raises ``AriNotFound`` if unset."""
        data = await self._get(f"/channels/{_seg(channel_id)}/variable", {"variable": variable})
        return str(data.get("value", ""))

    async def set_variable(self, channel_id: str, variable: str, value: str) -> None:
        """Set a channel variable or writable dialplan function."""
        await self._post(f"/channels/{_seg(channel_id)}/variable",
                         {"variable": variable, "value": value})

    async def continue_in_dialplan(self, channel_id: str, *, context: str | None = None,
                                   extension: str | None = None, priority: int | None = None,
                                   label: str | None = None) -> None:
        """Let a channel leave Stasis and continue in the dialplan."""
        await self._post(f"/channels/{_seg(channel_id)}/continue", {
            "context": context, "extension": extension, "priority": priority, "label": label,
        })

    async def snoop(self, channel_id: str, *, spy: SpyDirection = "none",
                    whisper: SpyDirection = "none", app: str | None = None,
                    app_args: Sequence[str] | str | None = None,
                    snoop_id: str | None = None) -> Channel:
        """A snoop channel on ``channel_id`` (listen with ``spy``, talk with ``whisper``).

        The snoop channel enters ``app`` (default: this client's app); put it in a bridge
        with a supervisor to listen, whisper or barge.
        """
        data = await self._post(f"/channels/{_seg(channel_id)}/snoop", {
            "spy": spy, "whisper": whisper, "app": app or self.app,
            "appArgs": _args(app_args), "snoopId": snoop_id,
        })
        return Channel.model_validate(data)

    # media

    async def play(self, target_id: str, media: Sequence[str] | str, *,
                   playback_id: str | None = None,
                   on: Literal["channel", "bridge"] = "channel",
                   lang: str | None = None) -> Playback:
        """Play ``media`` (one URI such as ``sound:hello-world`` or a list played in order)."""
        resource = "channels" if on == "channel" else "bridges"
        uris = [media] if isinstance(media, str) else list(media)
        data = await self._post(f"/{resource}/{_seg(target_id)}/play",
                                {"media": uris, "playbackId": playback_id, "lang": lang})
        return Playback.model_validate(data)

    async def get_playback(self, playback_id: str) -> Playback:
        """A playback's current state."""
        return Playback.model_validate(await self._get(f"/playbacks/{_seg(playback_id)}"))

    async def stop_playback(self, playback_id: str, *, missing_ok: bool = True) -> bool:
        """Stop a playback; returns False if it had already finished (and ``missing_ok``)."""
        return await self._delete(f"/playbacks/{_seg(playback_id)}", missing_ok=missing_ok)

    # bridges

    async def create_bridge(self, bridge_id: str | None = None, type: str = "mixing",
                            name: str | None = None) -> Bridge:
        """A new bridge; ``type`` is comma-separated flags (mixing, holding, dtmf_events...)."""
        path = "/bridges" if bridge_id is None else f"/bridges/{_seg(bridge_id)}"
        return Bridge.model_validate(await self._post(path, {"type": type, "name": name}))

    async def bridges(self) -> list[Bridge]:
        """Every bridge."""
        return [Bridge.model_validate(item) for item in await self._get("/bridges")]

    async def get_bridge(self, bridge_id: str) -> Bridge:
        """One bridge; raises ``AriNotFound`` if it is gone."""
        return Bridge.model_validate(await self._get(f"/bridges/{_seg(bridge_id)}"))

    async def destroy_bridge(self, bridge_id: str, *, missing_ok: bool = True) -> bool:
        """Destroy a bridge; returns False if it was already gone (and ``missing_ok``)."""
        return await self._delete(f"/bridges/{_seg(bridge_id)}", missing_ok=missing_ok)

    async def add_channel(self, bridge_id: str, channel_ids: Sequence[str] | str, *,
                          role: str | None = None, mute: bool = False,
                          absorb_dtmf: bool = False,
                          inhibit_connected_line_updates: bool = False) -> None:
        """Put one or more channels into a bridge."""
        await self._post(f"/bridges/{_seg(bridge_id)}/addChannel", {
            "channel": [channel_ids] if isinstance(channel_ids, str) else list(channel_ids),
            "role": role, "mute": mute, "absorbDTMF": absorb_dtmf,
            "inhibitConnectedLineUpdates": inhibit_connected_line_updates,
        })

    async def remove_channel(self, bridge_id: str, channel_ids: Sequence[str] | str) -> None:
        """Take one or more channels out of a bridge."""
        await self._post(f"/bridges/{_seg(bridge_id)}/removeChannel", {
            "channel": [channel_ids] if isinstance(channel_ids, str) else list(channel_ids),
        })

    # recordings

    async def record_bridge(self, bridge_id: str, name: str, *, format: str = "wav",
                            if_exists: IfExists = "fail", beep: bool = False,
                            max_duration: int = 0, max_silence: int = 0,
                            terminate_on: TerminateOn = "none") -> LiveRecording:
        """Record everything mixed in a bridge to ``<spool>/recording/<name>.<format>``."""
        return await self._record(f"/bridges/{_seg(bridge_id)}/record", name, format,
                                  if_exists, beep, max_duration, max_silence, terminate_on)

    async def record_channel(self, channel_id: str, name: str, *, format: str = "wav",
                             if_exists: IfExists = "fail", beep: bool = False,
                             max_duration: int = 0, max_silence: int = 0,
                             terminate_on: TerminateOn = "none") -> LiveRecording:
        """Record what a channel sends to ``<spool>/recording/<name>.<format>``."""
        return await self._record(f"/channels/{_seg(channel_id)}/record", name, format,
                                  if_exists, beep, max_duration, max_silence, terminate_on)

    async def stop_recording(self, name: str, *, missing_ok: bool = True) -> bool:
        """Stop a live recording and keep its file; False if it had already ended."""
        try:
            await self._post(f"/recordings/live/{_seg(name)}/stop")
        except AriNotFound:
            if not missing_ok:
                raise
            return False
        return True

    async def get_stored_recording(self, name: str) -> StoredRecording:
        """A finished recording; raises ``AriNotFound`` if there is none by that name."""
        return StoredRecording.model_validate(
            await self._get(f"/recordings/stored/{_seg(name)}"))

    async def delete_stored_recording(self, name: str, *, missing_ok: bool = True) -> bool:
        """Delete a finished recording; False if there was none (and ``missing_ok``)."""
        return await self._delete(f"/recordings/stored/{_seg(name)}", missing_ok=missing_ok)

    # plumbing

    async def _record(self, path: str, name: str, format: str, if_exists: str, beep: bool,
                      max_duration: int, max_silence: int, terminate_on: str) -> LiveRecording:
        data = await self._post(path, {
            "name": name, "format": format, "ifExists": if_exists, "beep": beep,
            "maxDurationSeconds": max_duration, "maxSilenceSeconds": max_silence,
            "terminateOn": terminate_on,
        })
        return LiveRecording.model_validate(data)

    async def _get(self, path: str, params: Mapping[str, QueryValue] | None = None) -> Any:
        return await self._http.request("GET", path, params)

    async def _post(self, path: str, params: Mapping[str, QueryValue] | None = None) -> Any:
        return await self._http.request("POST", path, params)

    async def _delete(self, path: str, params: Mapping[str, QueryValue] | None = None, *,
                      missing_ok: bool = False) -> bool:
        try:
            await self._http.request("DELETE", path, params)
        except AriNotFound:
            if not missing_ok:
                raise
            return False
        return True


def _variables(variables: Mapping[str, str] | None) -> dict[str, Any] | None:
    return {"variables": dict(variables)} if variables else None
