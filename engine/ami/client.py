"""The AMI client: actions under timeouts, Originate that is never sent twice, ordered events.

    async with AmiClient("127.0.0.1", 5038, "phonebank", secret) as ami:
        print(await ami.command("core show version"))
        events = ami.events()
        result = await ami.originate("PJSIP/5551234@carrier", channel_id=attempt_id,
                                     context="phonebank-outbound", exten="s")

Built on panoramisk 1.4, whose two hazards this module exists to contain:
- actions unanswered when the connection drops are re-sent after the reconnect, with the same
  ActionID. For Originate that is a second call to the same person. Originate is therefore
  listed in panoramisk's ``forgetable_actions`` (dropped, not queued, on disconnect) and its
  caller gets ``AmiDisconnected`` at once, to reconcile by the ChannelId it chose.
- coroutine event handlers run as separate tasks in no guaranteed order. Events are taken by
  one plain (synchronous) handler that queues them, so consumers see Asterisk's order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Final, TypeAlias

from panoramisk.actions import Action
from panoramisk.message import Message

from engine.ami.errors import (
    AmiActionError,
    AmiAuthError,
    AmiDisconnected,
    AmiError,
    AmiTimeout,
    AmiUnreachable,
)
from engine.ami.manager import PhonebankManager
from engine.ami.models import (
    AmiEvent,
    ChannelSummary,
    OriginateResult,
    PjsipContact,
    PjsipEndpoint,
    PjsipRegistration,
)
from engine.ari.subscription import Subscription
from engine.config import AmiSettings

log = logging.getLogger(__name__)

# Lower-case action names panoramisk drops instead of re-sending after a reconnect.
FORGETTABLE_ACTIONS: Final = ("ping", "login", "logoff", "originate")
_FAILED_RESPONSES: Final = ("Error", "Fail", "Failure")
_NEVER: Final = 365 * 24 * 3600

AmiSubscription = Subscription[AmiEvent]
AmiAnswer: TypeAlias = "Message | list[Message]"


class AmiClient:
    """One AMI session to Asterisk, reconnecting by itself until closed.

    Every action waits at most ``timeout`` seconds (or its own ``timeout``); every failure
    is an ``AmiError`` subclass whose message names the fix.
    """

    def __init__(
        self,
        host: str,
        port: int,
        username: str,
        secret: str,
        *,
        timeout: float = 5.0,
        reconnect_delay: int = 1,
        keepalive: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.username = username
        self._secret = secret
        self._timeout = timeout
        self._reconnect_delay = reconnect_delay
        self._keepalive_interval = keepalive
        self._keepalive: asyncio.Task[None] | None = None
        self._manager: PhonebankManager | None = None
        self._first_login: asyncio.Future[bool] | None = None
        self._ready = False
        self._subscriptions: weakref.WeakSet[AmiSubscription] = weakref.WeakSet()
        self._originates: dict[str, Action] = {}

    @classmethod
    def from_settings(cls, settings: AmiSettings, **options: Any) -> AmiClient:
        """A client for the ``[ami]`` section of phonebank.toml."""
        return cls(settings.host, settings.port, settings.username, settings.secret, **options)

    async def __aenter__(self) -> AmiClient:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def connect(self) -> None:
        """Connect and log in within ``timeout``; raises ``AmiUnreachable``/``AmiAuthError``."""
        loop = asyncio.get_running_loop()
        self._first_login = loop.create_future()
        manager = PhonebankManager(
            host=self.host,
            port=self.port,
            username=self.username,
            secret=self._secret,
            events="on",
            loop=loop,
            reconnect_timeout=self._reconnect_delay,
            # panoramisk's own pinger never looks at the answer; _keep_alive replaces it.
            ping_delay=_NEVER,
            ping_interval=_NEVER,
            forgetable_actions=FORGETTABLE_ACTIONS,
            on_login_result=self._on_login_result,
            on_disconnect=self._on_disconnect,
            log=log,
        )
        manager.register_event("*", self._on_event)
        self._manager = manager
        try:
            async with asyncio.timeout(self._timeout):
                await manager.open()
                authenticated = await self._first_login
        except TimeoutError as exc:  # before OSError, of which it is a subclass
            manager.shutdown()
            reason = f"no login answer within {self._timeout:g} s"
            raise AmiUnreachable(self.host, self.port, reason) from exc
        except OSError as exc:
            manager.shutdown()
            raise AmiUnreachable(self.host, self.port, exc.strerror or str(exc)) from exc
        if not authenticated:
            manager.shutdown()
            raise AmiAuthError(self.username)
        self._keepalive = asyncio.create_task(self._keep_alive(), name="ami-keepalive")

    async def aclose(self) -> None:
        """Stop the keepalive and reconnecting, close, and end every event subscription."""
        if self._keepalive is not None:
            self._keepalive.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._keepalive
            self._keepalive = None
        if self._manager is not None:
            self._manager.shutdown()
            self._manager = None
        self._ready = False
        for action in self._originates.values():
            action.future.cancel()
        self._originates.clear()
        for subscription in list(self._subscriptions):
            subscription.end()
        self._subscriptions.clear()

    # events

    def events(self) -> AmiSubscription:
        """A subscription to every AMI event from now on, in order.

        Open it before the action whose events you want. ``OriginateResponse`` never appears
        here: panoramisk hands it to the Originate that asked for it.
        """
        subscription: AmiSubscription = Subscription("AMI", self._subscriptions.discard)
        self._subscriptions.add(subscription)
        return subscription

    # actions

    async def action(self, action: Mapping[str, str | Sequence[str]], *,
                     timeout: float | None = None, as_list: bool | None = None,
                     check: bool = True) -> AmiAnswer:
        """Send one action and wait for its complete answer.

        Answers that are lists of events (``EventList: start``) come back as a list of
        messages, others as one message. With ``check`` an Error answer raises
        ``AmiActionError``.
        """
        request = Action(dict(action), as_list=as_list)
        answer = await self._send(request, timeout or self._timeout)
        if check:
            _raise_for_error(request["Action"], answer)
        return answer

    async def originate(
        self,
        channel: str,
        *,
        channel_id: str,
        context: str | None = None,
        exten: str | None = None,
        priority: int = 1,
        application: str | None = None,
        data: str | None = None,
        caller_id: str | None = None,
        ring_timeout: float = 30.0,
        variables: Mapping[str, str] | None = None,
        other_channel_id: str | None = None,
        account: str | None = None,
        codecs: Sequence[str] | None = None,
    ) -> OriginateResult:
        """Dial ``channel`` and, once answered, run ``context,exten,priority`` or ``application``.

        Sent with ``Async: true``: the answer comes when the call is answered or fails (within
        ``ring_timeout`` plus the client timeout). ``channel_id`` becomes the channel's
        Uniqueid, so the call can be found in ``Hangup``/``core show channels`` whatever
        happens to this connection. If the connection drops before the answer this raises
        ``AmiDisconnected`` and the Originate is NOT re-sent (see the module docstring):
        whether the call exists must be reconciled by ``channel_id``.
        """
        fields: dict[str, str | list[str]] = {
            "Action": "Originate",
            "Channel": channel,
            "ChannelId": channel_id,
            "Async": "true",
            "Timeout": str(int(ring_timeout * 1000)),
        }
        if application is not None:
            fields.update(Application=application, Data=data or "")
        else:
            fields.update(Context=context or "default", Exten=exten or "s",
                          Priority=str(priority))
        optional = {"CallerID": caller_id, "OtherChannelId": other_channel_id,
                    "Account": account, "Codecs": ",".join(codecs) if codecs else None}
        fields.update({key: value for key, value in optional.items() if value is not None})
        if variables:
            fields["Variable"] = [f"{name}={value}" for name, value in variables.items()]
        request = Action(fields)
        self._originates[channel_id] = request
        try:
            answer = await self._send(request, ring_timeout + self._timeout)
        finally:
            self._originates.pop(channel_id, None)
        _raise_for_error("Originate", answer)
        final = answer[-1] if isinstance(answer, list) else answer
        return OriginateResult.from_message(channel_id, final)

    async def command(self, cli_command: str, *, timeout: float | None = None) -> str:
        """Run an Asterisk CLI command and return its output text."""
        answer = await self.action({"Action": "Command", "Command": cli_command},
                                   timeout=timeout, check=False)
        message = answer[0] if isinstance(answer, list) else answer
        output = _command_output(message)
        if message.response in _FAILED_RESPONSES:
            raise AmiActionError(f"Command {cli_command!r}", output or str(message.message))
        return output

    async def core_show_channels(self) -> list[ChannelSummary]:
        """Every active channel."""
        rows = await self._listing("CoreShowChannels", "CoreShowChannel")
        return [ChannelSummary.from_event(row) for row in rows]

    async def pjsip_show_endpoints(self) -> list[PjsipEndpoint]:
        """Every PJSIP endpoint with its device state."""
        rows = await self._listing("PJSIPShowEndpoints", "EndpointList")
        return [PjsipEndpoint.from_event(row) for row in rows]

    async def pjsip_show_contacts(self) -> list[PjsipContact]:
        """Every PJSIP contact with its reachability."""
        rows = await self._listing("PJSIPShowContacts", "ContactList")
        return [PjsipContact.from_event(row) for row in rows]

    async def pjsip_show_registrations(self) -> list[PjsipRegistration]:
        """Every outbound registration with its status."""
        rows = await self._listing("PJSIPShowRegistrationsOutbound",
                                   "OutboundRegistrationDetail")
        return [PjsipRegistration.from_event(row) for row in rows]

    async def reload(self, module: str | None = None) -> None:
        """Reload one module's configuration, or all of it."""
        fields = {"Action": "Reload"}
        if module is not None:
            fields["Module"] = module
        await self.action(fields)

    async def module_check(self, name: str) -> bool:
        """Whether module ``name`` (e.g. ``res_ari``, ``app_amd``) is loaded."""
        answer = await self.action({"Action": "ModuleCheck", "Module": name}, check=False)
        message = answer[0] if isinstance(answer, list) else answer
        return message.response == "Success"

    # plumbing

    async def _send(self, request: Action, timeout: float) -> AmiAnswer:
        manager = self._manager
        if manager is None or not self._ready:
            raise AmiUnreachable(self.host, self.port, "not connected, reconnecting")
        future = manager.send_action(request, as_list=request.as_list)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            _forget(manager, request)
            raise AmiTimeout(request["Action"], timeout) from None

    async def _keep_alive(self) -> None:
        """Ping every ``keepalive`` seconds; no Pong within the timeout means a dead link.

        A peer that vanished without closing TCP would otherwise leave the client waiting
        for events forever; aborting the transport makes panoramisk reconnect.
        """
        while True:
            await asyncio.sleep(self._keepalive_interval)
            if not self._ready:
                continue
            try:
                await self.action({"Action": "Ping"})
            except AmiTimeout:
                log.warning("AMI at %s:%d stopped answering pings; reconnecting",
                            self.host, self.port)
                self._abort_connection()
            except AmiError as exc:
                log.debug("AMI keepalive ping failed: %s", exc)

    def _abort_connection(self) -> None:
        protocol = self._manager.protocol if self._manager is not None else None
        if protocol is not None:
            protocol.transport.abort()

    async def _listing(self, action: str, row_event: str) -> list[AmiEvent]:
        answer = await self.action({"Action": action}, check=False)
        messages = answer if isinstance(answer, list) else [answer]
        first = messages[0]
        if first.response in _FAILED_RESPONSES:
            # Asterisk answers an empty PJSIP listing with an error ("No endpoints found").
            if "found" in str(first.message).lower():
                return []
            raise AmiActionError(action, str(first.message))
        events = (AmiEvent.from_message(message) for message in messages[1:])
        return [event for event in events if event.name == row_event]

    def _on_event(self, manager: PhonebankManager, message: Message) -> None:
        # Deliberately synchronous: panoramisk runs coroutine handlers as unordered tasks.
        self._publish(AmiEvent.from_message(message))

    def _on_login_result(self, authenticated: bool) -> None:
        first = self._first_login
        if first is not None and not first.done():
            self._ready = authenticated
            first.set_result(authenticated)
            return
        if authenticated:
            self._ready = True
            log.info("AMI session to %s:%d is back", self.host, self.port)
            self._publish(AmiEvent(name="Reconnected"))
        else:
            log.error("%s", AmiAuthError(self.username))

    def _on_disconnect(self, manager: PhonebankManager, exc: Exception | None) -> None:
        self._ready = False
        reason = str(exc) if exc else "connection closed"
        log.warning("AMI connection to %s:%d dropped (%s); reconnecting",
                    self.host, self.port, reason)
        for channel_id, request in list(self._originates.items()):
            if not request.future.done():
                request.future.set_exception(AmiDisconnected(channel_id))
        self._publish(AmiEvent(name="Disconnected", headers={"reason": reason}))

    def _publish(self, event: AmiEvent) -> None:
        for subscription in list(self._subscriptions):
            subscription.deliver(event)


def _forget(manager: PhonebankManager, request: Action) -> None:
    """Drop a timed-out action so a late answer is not kept forever."""
    protocol = manager.protocol
    if protocol is not None:
        protocol.responses.pop(request.id, None)


def _raise_for_error(action: str, answer: AmiAnswer) -> None:
    first = answer[0] if isinstance(answer, list) else answer
    if first.response in _FAILED_RESPONSES:
        raise AmiActionError(action, str(first.message) or "no message")


def _command_output(message: Message) -> str:
    output = message.get("Output")
    if output is None:
        return str(message.content).strip()
    lines = output if isinstance(output, list) else [output]
    return "\n".join(lines)

