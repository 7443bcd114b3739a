"""The AMI client against a fake AMI server on loopback."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest

from engine.ami import (
    AmiActionError,
    AmiAuthError,
    AmiClient,
    AmiDisconnected,
    AmiEvent,
    AmiSubscription,
    AmiTimeout,
    AmiUnreachable,
)
from tests.unit.ami.fake_ami import FakeAmi, Fields


@pytest.fixture
async def fake() -> AsyncIterator[FakeAmi]:
    server = FakeAmi()
    await server.start()
    yield server
    await server.stop()


def client(fake: FakeAmi, secret: str = "s3cret", timeout: float = 5.0) -> AmiClient:
    return AmiClient("127.0.0.1", fake.port, "phonebank", secret, timeout=timeout,
                     reconnect_delay=0)


async def wait_for_all(events: AmiSubscription, names: set[str]) -> None:
    pending = set(names)
    while pending:
        pending.discard((await events.wait_for(lambda e: e.name in pending, timeout=5)).name)


def queued_then(final: Fields) -> list[Fields]:
    return [{"Response": "Success", "Message": "Originate successfully queued"},
            {"Event": "OriginateResponse", **final}]


async def test_login_and_command(fake: FakeAmi) -> None:
    fake.responders["Command"] = lambda _, fields: [{
        "Response": "Success", "Message": "Command output follows",
        "Output": ["Asterisk 22.10.1 built by debian", "on x86_64"]}]
    async with client(fake) as ami:
        output = await ami.command("core show version")
    login, command = fake.received
    assert login.fields["Username"] == "phonebank" and login.fields["Secret"] == "s3cret"
    assert login.fields["Events"] == "on"
    assert command.fields["Command"] == "core show version"
    assert output == "Asterisk 22.10.1 built by debian\non x86_64"


async def test_failed_command_raises_with_its_output(fake: FakeAmi) -> None:
    fake.responders["Command"] = lambda _, fields: [{
        "Response": "Error", "Message": "Command output follows",
        "Output": "No such command 'frobnicate'"}]
    async with client(fake) as ami:
        with pytest.raises(AmiActionError, match="No such command 'frobnicate'"):
            await ami.command("frobnicate")


async def test_wrong_secret_names_the_config_to_fix(fake: FakeAmi) -> None:
    with pytest.raises(AmiAuthError) as raised:
        async with client(fake, secret="wrong"):
            pass
    assert str(raised.value).startswith(
        "AMI rejected user 'phonebank': check [ami] username/secret in phonebank.toml")


async def test_nothing_listening_is_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(AmiUnreachable, match=rf"cannot reach Asterisk AMI at 127.0.0.1:{port}"):
        async with AmiClient("127.0.0.1", port, "phonebank", "x"):
            pass


async def test_unanswered_login_times_out_as_unreachable(fake: FakeAmi) -> None:
    fake.answer_login = False
    with pytest.raises(AmiUnreachable, match="no login answer within 0.2 s"):
        async with client(fake, timeout=0.2):
            pass


async def test_unanswered_action_times_out(fake: FakeAmi) -> None:
    fake.responders["QueueStatus"] = lambda _, fields: None
    async with client(fake) as ami:
        with pytest.raises(AmiTimeout, match="AMI did not answer QueueStatus within 0.1 s"):
            await ami.action({"Action": "QueueStatus"}, timeout=0.1)


async def test_events_arrive_in_order(fake: FakeAmi) -> None:
    async with client(fake) as ami:
        events = ami.events()
        newchannels: list[Fields] = [
            {"Event": "Newchannel", "Uniqueid": str(n), "Channel": f"PJSIP/{n}"}
            for n in range(50)]
        await fake.push(*newchannels)
        await fake.push({"Event": "Hangup", "Uniqueid": "7", "Cause": "17",
                         "Cause-txt": "User busy"})
        received = [await events.next() for _ in range(51)]
    assert [e.get("uniqueid") for e in received[:50]] == [str(n) for n in range(50)]
    hangup = received[50]
    assert hangup.name == "Hangup" and hangup.get("Cause") == "17"
    assert hangup.get("cause-txt") == "User busy"


async def test_originate_sends_async_with_channel_id(fake: FakeAmi) -> None:
    fake.responders["Originate"] = lambda _, fields: queued_then({
        "Response": "Failure", "Channel": "PJSIP/carrier-00000001", "Reason": "0",
        "Uniqueid": "attempt-1"})
    async with client(fake) as ami:
        events = ami.events()
        result = await ami.originate(
            "PJSIP/5551234@carrier", channel_id="attempt-1", context="phonebank-outbound",
            exten="s", caller_id='"Phone Bank" <5550100>', ring_timeout=20,
            variables={"CAMPAIGN": "gotv", "ATTEMPT": "attempt-1"})
        await fake.push({"Event": "Hangup", "Uniqueid": "attempt-1", "Cause": "34"})
        hangup = await events.wait_for(lambda e: e.name == "Hangup", timeout=5)
    sent = fake.actions("Originate")[0].fields
    assert sent["Async"] == "true"
    assert sent["ChannelId"] == "attempt-1"
    assert sent["Timeout"] == "20000"
    assert (sent["Context"], sent["Exten"], sent["Priority"]) == ("phonebank-outbound", "s", "1")
    assert sent["Variable"] == ["CAMPAIGN=gotv", "ATTEMPT=attempt-1"]
    assert result.success is False and result.reason == 0
    assert result.channel == "PJSIP/carrier-00000001" and result.uniqueid == "attempt-1"
    assert "use the hangup cause" in result.reason_text
    # The OriginateResponse went to the Originate, not to the event stream.
    assert hangup.get("Cause") == "34"


async def test_originate_rejected_at_once_raises(fake: FakeAmi) -> None:
    fake.responders["Originate"] = lambda _, fields: [
        {"Response": "Error", "Message": "Extension does not exist."}]
    async with client(fake) as ami:
        with pytest.raises(AmiActionError, match="Extension does not exist"):
            await ami.originate("PJSIP/1@carrier", channel_id="a", context="nowhere", exten="s")


async def test_originate_is_not_resent_after_a_reconnect(fake: FakeAmi) -> None:
    fake.drop_on.add("Originate")
    async with client(fake) as ami:
        events = ami.events()
        with pytest.raises(AmiDisconnected, match="reconcile by that channel id"):
            await ami.originate("PJSIP/5551234@carrier", channel_id="attempt-1",
                                context="phonebank-outbound", exten="s")
        await events.wait_for(lambda e: e.name == "Disconnected", timeout=5)
        # panoramisk re-sends its awaiting actions on FullyBooted; the new session's login
        # (Reconnected) may be seen before or after it. Past both, any re-send has been
        # written, so it would reach the server ahead of the Command.
        await wait_for_all(events, {"Reconnected", "FullyBooted"})
        await ami.command("core show version")
    assert len(fake.actions("Originate")) == 1
    assert fake.on_connection(2) == ["Login", "Command"]


async def test_harness_sees_panoramisk_resend_other_actions(fake: FakeAmi) -> None:
    # Control for the test above: panoramisk does re-send an unanswered non-forgettable
    # action after the reconnect, and this fake server observes it.
    fake.drop_on.add("Hangup")
    async with client(fake) as ami:
        answer = await ami.action({"Action": "Hangup", "Channel": "PJSIP/x-1"}, timeout=5)
    first, second = fake.actions("Hangup")
    assert (first.connection, second.connection) == (1, 2)
    assert first.fields["ActionID"] == second.fields["ActionID"]
    assert not isinstance(answer, list) and answer.response == "Success"


async def test_status_listings(fake: FakeAmi) -> None:
    fake.responders["CoreShowChannels"] = lambda _, fields: [
        {"Response": "Success", "EventList": "start", "Message": "Channels will follow"},
        {"Event": "CoreShowChannel", "Channel": "PJSIP/agent1-00000001", "Uniqueid": "u1",
         "ChannelStateDesc": "Up", "Context": "agents", "Exten": "8000",
         "Application": "Stasis", "CallerIDNum": "1001", "Duration": "00:01:02",
         "BridgeId": "agent-1001"},
        {"Event": "CoreShowChannelsComplete", "EventList": "Complete", "ListItems": "1"}]
    fake.responders["PJSIPShowEndpoints"] = lambda _, fields: [
        {"Response": "Error", "Message": "No endpoints found"}]
    fake.responders["PJSIPShowContacts"] = lambda _, fields: [
        {"Response": "Success", "EventList": "start", "Message": "A listing of Contacts follows"},
        {"Event": "ContactList", "ObjectName": "1001;@abc", "Endpoint": "1001",
         "Uri": "sip:1001@127.0.0.1:5070", "Status": "Reachable", "RoundtripUsec": "812"},
        {"Event": "ContactListComplete", "EventList": "Complete", "ListItems": "1"}]
    async with client(fake) as ami:
        channels = await ami.core_show_channels()
        endpoints = await ami.pjsip_show_endpoints()
        contacts = await ami.pjsip_show_contacts()
    assert [(c.channel, c.state, c.bridge_id) for c in channels] == [
        ("PJSIP/agent1-00000001", "Up", "agent-1001")]
    assert endpoints == []
    assert [(c.endpoint, c.status, c.roundtrip_usec) for c in contacts] == [
        ("1001", "Reachable", 812)]


async def test_module_check_and_reload(fake: FakeAmi) -> None:
    fake.responders["ModuleCheck"] = lambda _, fields: [
        {"Response": "Success", "Version": "22.10.1"} if fields["Module"] == "app_amd"
        else {"Response": "Error", "Message": "Module not loaded"}]
    async with client(fake) as ami:
        assert await ami.module_check("app_amd") is True
        assert await ami.module_check("chan_sip") is False
        await ami.reload("res_pjsip")
    assert fake.actions("Reload")[0].fields["Module"] == "res_pjsip"


async def test_close_ends_event_iteration(fake: FakeAmi) -> None:
    async with client(fake) as ami:
        events = ami.events()
        await fake.push({"Event": "Newchannel", "Uniqueid": "1"})
        first = await events.next()
    assert isinstance(first, AmiEvent) and first.name == "Newchannel"
    assert [e async for e in events] == []


async def test_silent_server_is_dropped_and_reconnected(fake: FakeAmi) -> None:
    fake.responders["Ping"] = lambda _, fields: None
    ami = AmiClient("127.0.0.1", fake.port, "phonebank", "s3cret", timeout=0.2,
                    reconnect_delay=0, keepalive=0.01)
    async with ami:
        events = ami.events()
        await events.wait_for(lambda e: e.name == "Disconnected", timeout=5)
        await events.wait_for(lambda e: e.name == "Reconnected", timeout=5)
    assert fake.on_connection(1)[:2] == ["Login", "Ping"]
    assert fake.on_connection(2)[0] == "Login"
