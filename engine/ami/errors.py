"""Errors raised by the AMI client, each phrased as one line that names the fix."""

from __future__ import annotations


class AmiError(Exception):
    """Base of every AMI client error."""


class AmiActionError(AmiError):
    """Asterisk answered an action with an error."""

    def __init__(self, action: str, message: str) -> None:
        self.action = action
        self.message = message
        super().__init__(f"AMI action {action} failed: {message}")


class AmiAuthError(AmiError):
    """Asterisk rejected the AMI login."""

    def __init__(self, username: str) -> None:
        self.username = username
        super().__init__(
            f"AMI rejected user {username!r}: check [ami] username/secret in phonebank.toml "
            "match the rendered manager.conf"
        )


class AmiUnreachable(AmiError):
    """No AMI session could be opened: Asterisk is down or its manager is disabled."""

    def __init__(self, host: str, port: int, reason: str) -> None:
        self.host = host
        self.port = port
        super().__init__(
            f"cannot reach Asterisk AMI at {host}:{port} ({reason}): is Asterisk running "
            "(`phonebank asterisk status`) and manager.conf enabled?"
        )


class AmiTimeout(AmiError):
    """An action got no complete answer within its timeout."""

    def __init__(self, action: str, timeout: float) -> None:
        self.action = action
        self.timeout = timeout
        super().__init__(
            f"AMI did not answer {action} within {timeout:g} s: is Asterisk overloaded or "
            "stuck? (`phonebank asterisk status`)"
        )


class AmiDisconnected(AmiError):
    """The connection dropped while an Originate was in flight; it will not be re-sent.

    Whether the call exists is unknown: look it up by its ``channel_id``.
    """

    def __init__(self, channel_id: str) -> None:
        self.channel_id = channel_id
        super().__init__(
            f"AMI connection dropped during Originate of channel {channel_id!r}; it was not "
            "re-sent: reconcile by that channel id"
        )
