"""The simulated carrier: a second Asterisk from the same image, answering the PBX's trunk.

What a callee does is chosen by the number dialled (docs/lab.md). Each answered call records
what the callee heard to `<lab>/carrier/spool/heard/<attempt-id>.wav`.
"""

from __future__ import annotations

from pathlib import Path

from engine.config import LabSettings, Settings
from engine.pbx.instance import AsteriskInstance, Port
from engine.pbx.render import RenderError


def lab_dir(settings: Settings) -> Path:
    return settings.state_dir / "lab"


def lab_settings(settings: Settings) -> LabSettings:
    if settings.lab is None:
        raise RenderError("phonebank.toml has no [lab] section: run `phonebank init --lab` in a new folder")
    return settings.lab


def carrier_instance(settings: Settings) -> AsteriskInstance:
    lab = lab_settings(settings)
    root = lab_dir(settings) / "carrier"
    host = settings.trunks[0].host if settings.trunks else "127.0.0.1"
    return AsteriskInstance(
        name=lab.carrier_container,
        image=settings.pbx.image,
        config_dir=root / "etc",
        spool_dir=root / "spool",
        log_dir=root / "log",
        ports=(
            Port(host, lab.carrier_sip_port, "udp", "[lab] carrier_sip_port"),
            Port(host, lab.carrier_ami_port, "tcp", "[lab] carrier_ami_port"),
        ),
    )


def heard_dir(settings: Settings) -> Path:
    """Where the carrier files what each callee heard."""
    return carrier_instance(settings).spool_dir / "heard"


def heard_path(settings: Settings, attempt_id: str) -> Path:
    return heard_dir(settings) / f"{attempt_id}.wav"
