"""What `phonebank asterisk status` reports, gathered over AMI so it also works for an Asterisk
phonebank does not run itself."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.ami.client import AmiClient
from engine.ami.errors import AmiError
from engine.config import Settings
from engine.pbx.modules import PBX_MODULES
from engine.pbx.render import phone_endpoints

# `pjsip show contacts` status words, in words a sysadmin reads.
_CONTACT_WORDS = {
    "Avail": "answers OPTIONS",
    "Unavail": "does not answer OPTIONS",
    "NonQual": "not checked (qualify off)",
    "Unknown": "not checked yet",
}


@dataclass
class PbxStatus:
    """The state of the PBX in plain facts."""

    up: bool
    problem: str = ""
    version: str = ""
    failed_modules: list[str] = field(default_factory=list)
    registered: list[str] = field(default_factory=list)
    unregistered: list[str] = field(default_factory=list)
    trunks: dict[str, str] = field(default_factory=dict)
    active_channels: int = 0


def static_contact_states(show_contacts: str) -> dict[str, str]:
    """AOR name -> status word for each contact in `pjsip show contacts` output.

    AMI's PJSIPShowContacts lists only registered contacts; a trunk's contact is static, so the
    CLI listing is the one place its OPTIONS result shows.
    """
    states: dict[str, str] = {}
    for line in show_contacts.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[0] == "Contact:" and "/" in parts[1] and not parts[1].startswith("<"):
            states[parts[1].split("/", 1)[0]] = parts[3]
    return states


def loaded_modules(module_show: str) -> set[str]:
    """Names of running modules in `module show` output."""
    running: set[str] = set()
    for line in module_show.splitlines():
        parts = line.split()
        if parts and parts[0].endswith(".so") and " Running " in f" {line} " and "Not Running" not in line:
            running.add(parts[0].removesuffix(".so"))
    return running


async def pbx_status(settings: Settings, *, timeout: float = 5.0) -> PbxStatus:
    """Ask Asterisk over AMI; an unreachable or misconfigured AMI is reported, not raised."""
    try:
        async with AmiClient.from_settings(settings.ami, timeout=timeout) as ami:
            version = (await ami.command("core show version")).strip().splitlines()
            modules = loaded_modules(await ami.command("module show"))
            contacts = await ami.pjsip_show_contacts()
            static = static_contact_states(await ami.command("pjsip show contacts"))
            channels = await ami.core_show_channels()
    except AmiError as exc:
        return PbxStatus(up=False, problem=str(exc))
    status = PbxStatus(up=True, version=version[0] if version else "", active_channels=len(channels))
    status.failed_modules = sorted(set(PBX_MODULES) - modules)
    by_endpoint = {c.endpoint: c for c in contacts}
    for phone in phone_endpoints(settings):
        contact = by_endpoint.get(phone.endpoint)
        (status.registered if contact and contact.status != "Unavailable" else status.unregistered).append(phone.endpoint)
    for trunk in settings.trunks:
        word = static.get(trunk.name)
        status.trunks[trunk.name] = _CONTACT_WORDS.get(word, word) if word else "no contact configured"
    return status
