"""Render Asterisk's configuration (and the lab's) from phonebank.toml with jinja2.

Templates live in the top-level `asterisk-config/` folder: `common/` for files every instance
has, `pbx/` for the PBX, `carrier/` for the lab's simulated carrier, `phone/` for baresip.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from engine.config import PhoneSettings, Settings
from engine.pbx.modules import CARRIER_MODULES, PBX_MODULES

TEMPLATES_ENV = "PHONEBANK_TEMPLATES"
_COMMON = (
    "asterisk.conf", "logger.conf", "http.conf", "manager.conf", "rtp.conf", "stasis.conf",
    "indications.conf", "acl.conf", "udptl.conf", "pjproject.conf", "features.conf", "cdr.conf",
    "cel.conf", "ccss.conf", "websocket_client.conf",
)


class RenderError(Exception):
    """A template could not be rendered; the message names the template and the fix."""


@dataclass(frozen=True)
class PhoneEndpoint:
    """A person's SIP endpoint as the templates see it."""

    role: str
    endpoint: str
    number: str
    name: str
    password: str


def templates_dir() -> Path:
    """The asterisk-config folder: $PHONEBANK_TEMPLATES, else the one beside the packages."""
    override = os.environ.get(TEMPLATES_ENV)
    return Path(override) if override else Path(__file__).resolve().parents[2] / "asterisk-config"


def phone_endpoints(settings: Settings) -> list[PhoneEndpoint]:
    """Agents then supervisors, with the endpoint name each authenticates as."""

    def make(role: str, phone: PhoneSettings) -> PhoneEndpoint:
        return PhoneEndpoint(role, f"{role}{phone.number}", phone.number, phone.name, phone.password)

    return [make("agent", p) for p in settings.agents] + [
        make("supervisor", p) for p in settings.supervisors
    ]


def _environment() -> jinja2.Environment:
    root = templates_dir()
    if not root.is_dir():
        raise RenderError(f"templates folder {root} is missing: set {TEMPLATES_ENV} to asterisk-config/")
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def _render_files(env: jinja2.Environment, names: dict[str, str], context: dict[str, Any], out: Path) -> list[Path]:
    rendered: dict[Path, str] = {}
    for target, template in names.items():
        try:
            rendered[out / target] = env.get_template(template).render(**context)
        except jinja2.UndefinedError as exc:
            raise RenderError(f"{template}: {exc.message}: add the missing setting to phonebank.toml") from exc
        except jinja2.TemplateError as exc:
            line = getattr(exc, "lineno", "?")
            raise RenderError(f"{template} line {line}: {exc}: fix the template") from exc
    # Only write once everything rendered, so a broken template never leaves half a config.
    out.mkdir(parents=True, exist_ok=True)
    for path, text in rendered.items():
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return sorted(rendered)


def render_pbx(settings: Settings, out: Path | None = None) -> list[Path]:
    """Write every config file the PBX needs into `out` (default: the settings' asterisk dir)."""
    out = out or settings.asterisk_dir
    pbx = settings.pbx
    context: dict[str, Any] = {
        "bind_address": pbx.bind_address,
        "sip_port": pbx.sip_port,
        "rtp_start": pbx.rtp_start,
        "rtp_end": pbx.rtp_end,
        "http_enabled": True,
        "http_port": settings.ari.port,
        "ami": settings.ami,
        "ami_permit": _permit(pbx.bind_address),
        "ari": settings.ari,
        "allowed_origins": f"http://{pbx.bind_address}",
        "amd": settings.amd,
        "dialplan": settings.dialplan,
        "trunks": settings.trunks,
        "phones": phone_endpoints(settings),
        "modules": PBX_MODULES,
        "maxcalls": sum(t.max_channels for t in settings.trunks) + 2 * len(settings.agents) + 50,
    }
    names = {name: f"common/{name}.j2" for name in _COMMON}
    names |= {n: f"pbx/{n}.j2" for n in ("modules.conf", "pjsip.conf", "extensions.conf", "ari.conf", "amd.conf")}
    return _render_files(_environment(), names, context, out)


def render_carrier(settings: Settings, out: Path) -> list[Path]:
    """Write the lab carrier's config: the far side of the settings' first trunk."""
    if settings.lab is None:
        raise RenderError("phonebank.toml has no [lab] section: run `phonebank init --lab`")
    if not settings.trunks:
        raise RenderError("phonebank.toml has no [[trunks]]: the lab carrier answers the first trunk")
    lab = settings.lab
    context: dict[str, Any] = {
        "bind_address": settings.trunks[0].host,
        "sip_port": lab.carrier_sip_port,
        "rtp_start": lab.carrier_rtp_start,
        "rtp_end": lab.carrier_rtp_end,
        "http_enabled": False,
        "http_port": 0,
        "ami": _CarrierAmi(lab.carrier_ami_port, lab.carrier_ami_username, lab.carrier_ami_secret),
        "ami_permit": _permit(settings.trunks[0].host),
        "trunk": settings.trunks[0],
        "pbx_host": settings.pbx.bind_address,
        "pbx_sip_port": settings.pbx.sip_port,
        "modules": CARRIER_MODULES,
        "maxcalls": settings.trunks[0].max_channels + 50,
    }
    names = {name: f"common/{name}.j2" for name in _COMMON}
    names |= {n: f"carrier/{n}.j2" for n in ("modules.conf", "pjsip.conf", "extensions.conf")}
    return _render_files(_environment(), names, context, out)


def render_phone(settings: Settings, phone: PhoneEndpoint, ports: PhonePorts, out: Path,
                 tone_path: str, heard_path: str) -> list[Path]:
    """Write a baresip config folder for one lab phone."""
    context: dict[str, Any] = {
        "host": settings.pbx.bind_address,
        "sip_port": ports.sip,
        "ctrl_port": ports.control,
        "rtp_start": ports.rtp_start,
        "rtp_end": ports.rtp_end,
        "tone_path": tone_path,
        "heard_path": heard_path,
        "endpoint": phone.endpoint,
        "password": phone.password,
        "pbx_host": settings.pbx.bind_address,
        "pbx_sip_port": settings.pbx.sip_port,
    }
    return _render_files(_environment(), {"config": "phone/config.j2", "accounts": "phone/accounts.j2"}, context, out)


@dataclass(frozen=True)
class PhonePorts:
    """The loopback ports one lab phone uses."""

    sip: int
    control: int
    rtp_start: int
    rtp_end: int

    @classmethod
    def for_index(cls, base: int, index: int) -> PhonePorts:
        # baresip also opens SIP over TCP and TLS next to the UDP port, so the control socket
        # and RTP keep clear of start+1..start+3.
        start = base + index * 20
        return cls(sip=start, control=start + 4, rtp_start=start + 10, rtp_end=start + 19)


@dataclass(frozen=True)
class _CarrierAmi:
    port: int
    username: str
    secret: str


def _permit(address: str) -> str:
    """manager.conf's permit line for a bind address: only loopback unless bound wider."""
    if address == "0.0.0.0":
        return "0.0.0.0/0.0.0.0"
    return "127.0.0.1/255.255.255.255" if address.startswith("127.") else f"{address}/255.255.255.255"
