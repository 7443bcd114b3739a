"""ARI REST calls: request shapes, parsing, and error mapping, against httpx.MockTransport."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from engine.ari import (
    AriAuthError,
    AriBadRequest,
    AriClient,
    AriConflict,
    AriError,
    AriNotFound,
    AriTimeout,
    AriUnreachable,
)

BASE = "http://127.0.0.1:8088/ari"

CHANNEL = {
    "id": "attempt-1",
    "name": "PJSIP/carrier-00000001",
    "state": "Down",
    "caller": {"name": "Phone Bank", "number": "5550100"},
    "connected": {"name": "", "number": ""},
    "accountcode": "",
    "dialplan": {"context": "outbound", "exten": "s", "priority": 1, "app_name": "",
                 "app_data": ""},
    "creationtime": "2024-05-01T10:00:00.123+0000",
    "language": "en",
}
BRIDGE = {"id": "agent-7", "technology": "simple_bridge", "bridge_type": "mixing",
          "bridge_class": "stasis", "creator": "Stasis", "name": "", "channels": ["a", "b"]}


class Recorder:
    """A MockTransport handler that records requests and answers from a script."""

    def __init__(self, respond: Callable[[httpx.Request], httpx.Response]) -> None:
        self.requests: list[httpx.Request] = []
        self._respond = respond

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self._respond(request)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


def answer(status: int = 200, body: Any = None) -> Callable[[httpx.Request], httpx.Response]:
    def respond(request: httpx.Request) -> httpx.Response:
        if body is None:
            return httpx.Response(status)
        return httpx.Response(status, json=body)
    return respond


Handler = Callable[[httpx.Request], httpx.Response]
MakeClient = Callable[[Handler], AriClient]


@pytest.fixture
def make_client() -> MakeClient:
    def make(handler: Handler) -> AriClient:
        return AriClient(BASE, "phonebank", "s3cret", "phonebank",
                         transport=httpx.MockTransport(handler), listen=False)
    return make


def params(request: httpx.Request) -> dict[str, str]:
    return dict(request.url.params)


async def test_originate_into_stasis(make_client: MakeClient) -> None:
    recorder = Recorder(answer(200, CHANNEL))
    async with make_client(recorder) as ari:
        channel = await ari.originate(
            "PJSIP/5551234@carrier", channel_id="attempt-1", app_args=["customer", "c1"],
            caller_id='"Phone Bank" <5550100>', timeout=20, variables={"CAMPAIGN": "gotv"})
    request = recorder.last
    assert request.method == "POST"
    assert request.url.path == "/ari/channels"
    assert params(request) == {
        "endpoint": "PJSIP/5551234@carrier", "channelId": "attempt-1", "app": "phonebank",
        "appArgs": "customer,c1", "callerId": '"Phone Bank" <5550100>', "timeout": "20",
    }
    assert json.loads(request.content) == {"variables": {"CAMPAIGN": "gotv"}}
    assert request.headers["authorization"] == "Basic " + base64.b64encode(
        b"phonebank:s3cret").decode()
    assert channel.id == "attempt-1"
    assert channel.caller.number == "5550100"
    assert channel.dialplan.context == "outbound"
    assert channel.creationtime is not None and channel.creationtime.year == 2024


async def test_originate_into_dialplan_leaves_out_the_app(make_client: MakeClient) -> None:
    recorder = Recorder(answer(200, CHANNEL))
    async with make_client(recorder) as ari:
        await ari.originate("PJSIP/5551234@carrier", channel_id="attempt-1",
                            context="phonebank-amd", extension="s", priority=1)
    sent = params(recorder.last)
    assert sent["context"] == "phonebank-amd"
    assert sent["extension"] == "s"
    assert sent["priority"] == "1"
    assert "app" not in sent and "appArgs" not in sent
    assert recorder.last.content == b""


async def test_create_then_dial(make_client: MakeClient) -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json=CHANNEL) if r.url.path.endswith(
        "/create") else httpx.Response(204))
    async with make_client(recorder) as ari:
        await ari.create_channel("PJSIP/agent1", channel_id="attempt-1", app_args="agent")
        await ari.dial("attempt-1", caller="other", timeout=15)
    create, dial = recorder.requests
    assert create.url.path == "/ari/channels/create"
    assert params(create)["app"] == "phonebank"
    assert params(create)["appArgs"] == "agent"
    assert dial.url.path == "/ari/channels/attempt-1/dial"
    assert params(dial) == {"caller": "other", "timeout": "15"}


async def test_bridge_calls(make_client: MakeClient) -> None:
    recorder = Recorder(answer(200, BRIDGE))
    async with make_client(recorder) as ari:
        bridge = await ari.create_bridge("agent-7", name="agent 7")
        await ari.add_channel("agent-7", ["c1", "c2"], role="customer", absorb_dtmf=True)
        await ari.remove_channel("agent-7", "c1")
    create, add, remove = recorder.requests
    assert create.url.path == "/ari/bridges/agent-7"
    assert params(create) == {"type": "mixing", "name": "agent 7"}
    assert bridge.channels == ["a", "b"] and bridge.bridge_type == "mixing"
    assert add.url.path == "/ari/bridges/agent-7/addChannel"
    assert params(add) == {"channel": "c1,c2", "role": "customer", "mute": "false",
                           "absorbDTMF": "true", "inhibitConnectedLineUpdates": "false"}
    assert params(remove) == {"channel": "c1"}


async def test_record_bridge(make_client: MakeClient) -> None:
    live = {"name": "attempt-1", "format": "wav", "state": "queued",
            "target_uri": "bridge:agent-7"}
    recorder = Recorder(answer(201, live))
    async with make_client(recorder) as ari:
        recording = await ari.record_bridge("agent-7", "attempt-1", if_exists="overwrite")
    assert recorder.last.url.path == "/ari/bridges/agent-7/record"
    assert params(recorder.last) == {
        "name": "attempt-1", "format": "wav", "ifExists": "overwrite", "beep": "false",
        "maxDurationSeconds": "0", "maxSilenceSeconds": "0", "terminateOn": "none"}
    assert recording.state == "queued" and recording.target_uri == "bridge:agent-7"


async def test_play_list_on_bridge(make_client: MakeClient) -> None:
    recorder = Recorder(answer(201, {"id": "pb1", "media_uri": "sound:a", "state": "queued",
                                     "target_uri": "bridge:b1"}))
    async with make_client(recorder) as ari:
        playback = await ari.play("b1", ["sound:a", "sound:b"], playback_id="pb1", on="bridge")
    assert recorder.last.url.path == "/ari/bridges/b1/play"
    assert params(recorder.last) == {"media": "sound:a,sound:b", "playbackId": "pb1"}
    assert playback.id == "pb1"


async def test_snoop_defaults_to_own_app(make_client: MakeClient) -> None:
    recorder = Recorder(answer(200, {**CHANNEL, "id": "snoop-1"}))
    async with make_client(recorder) as ari:
        snoop = await ari.snoop("attempt-1", spy="both", whisper="out", snoop_id="snoop-1")
    assert params(recorder.last) == {"spy": "both", "whisper": "out", "app": "phonebank",
                                     "snoopId": "snoop-1"}
    assert snoop.id == "snoop-1"


async def test_variables(make_client: MakeClient) -> None:
    recorder = Recorder(lambda r: httpx.Response(200, json={"value": "HUMAN"})
                        if r.method == "GET" else httpx.Response(204))
    async with make_client(recorder) as ari:
        assert await ari.get_variable("c1", "AMDSTATUS") == "HUMAN"
        await ari.set_variable("c1", "CDR(disposition)", "sale")
    get, post = recorder.requests
    assert params(get) == {"variable": "AMDSTATUS"}
    assert params(post) == {"variable": "CDR(disposition)", "value": "sale"}


async def test_ids_are_escaped_as_one_path_segment(make_client: MakeClient) -> None:
    recorder = Recorder(answer(204))
    async with make_client(recorder) as ari:
        await ari.stop_recording("gotv/attempt-1")
    assert recorder.last.url.raw_path == b"/ari/recordings/live/gotv%2Fattempt-1/stop"


async def test_hangup_of_a_gone_channel_is_not_an_error(make_client: MakeClient) -> None:
    recorder = Recorder(answer(404, {"message": "Channel not found"}))
    async with make_client(recorder) as ari:
        assert await ari.hangup("gone") is False
        with pytest.raises(AriNotFound, match="Channel not found"):
            await ari.hangup("gone", missing_ok=False)
    assert recorder.last.method == "DELETE"
    assert params(recorder.last) == {"reason": "normal"}


async def test_hangup_of_a_live_channel_reports_true(make_client: MakeClient) -> None:
    async with make_client(Recorder(answer(204))) as ari:
        assert await ari.hangup("live", reason="busy") is True


async def test_list_parsing(make_client: MakeClient) -> None:
    async with make_client(Recorder(answer(200, [CHANNEL, {**CHANNEL, "id": "x"}]))) as ari:
        assert [c.id for c in await ari.channels()] == ["attempt-1", "x"]


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, AriBadRequest), (404, AriNotFound), (409, AriConflict), (500, AriError)],
)
async def test_error_statuses_map_to_errors(
    make_client: MakeClient, status: int, error: type[AriError]
) -> None:
    async with make_client(Recorder(answer(status, {"message": "nope"}))) as ari:
        with pytest.raises(error) as raised:
            await ari.get_channel("c1")
    assert raised.value.status == status
    assert raised.value.message == "nope"
    assert raised.value.method == "GET"
    assert raised.value.path == "/channels/c1"
    assert f"ARI GET /channels/c1 failed with {status}: nope" == str(raised.value)


async def test_401_names_the_config_to_fix(make_client: MakeClient) -> None:
    async with make_client(Recorder(answer(401))) as ari:
        with pytest.raises(AriAuthError) as raised:
            await ari.ping()
    assert str(raised.value) == (
        "ARI rejected user 'phonebank': check [ari] username/password in phonebank.toml "
        "match the rendered ari.conf")


async def test_unreachable_names_the_check_to_run(make_client: MakeClient) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)
    async with make_client(refuse) as ari:
        with pytest.raises(AriUnreachable) as raised:
            await ari.asterisk_info()
    assert str(raised.value) == (
        "cannot reach Asterisk ARI at http://127.0.0.1:8088/ari: is Asterisk running "
        "(`phonebank asterisk status`) and http.conf enabled?")


async def test_timeout_is_a_clear_error(make_client: MakeClient) -> None:
    def hang(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)
    async with make_client(hang) as ari:
        with pytest.raises(AriTimeout, match=r"did not answer POST /bridges within 5 s"):
            await ari.create_bridge()


async def test_every_request_carries_the_timeout(make_client: MakeClient) -> None:
    recorder = Recorder(answer(200, {"asterisk_id": "x", "ping": "pong",
                                     "timestamp": "2024-05-01T10:00:00.000+0000"}))
    async with make_client(recorder) as ari:
        pong = await ari.ping()
    assert recorder.last.extensions["timeout"] == {"connect": 5.0, "read": 5.0, "write": 5.0,
                                                   "pool": 5.0}
    assert pong.ping == "pong"
