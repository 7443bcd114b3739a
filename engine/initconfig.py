"""Write a fresh phonebank.toml with newly generated secrets (`phonebank init`)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from engine.config import new_pin, new_secret


@dataclass(frozen=True)
class InitOptions:
    """What `phonebank init` asks for."""

    lab: bool = False
    agents: int = 2
    supervisors: int = 1
    first_agent: int = 1001
    first_supervisor: int = 1901
    # Shifts every port and suffixes every container name, so a second phonebank (the test
    # suite's, say) runs beside one already up on this machine.
    port_offset: int = 0
    name_suffix: str = ""


def _q(value: str) -> str:
    # A JSON string of printable ASCII is a valid TOML basic string.
    return json.dumps(value)


def config_text(options: InitOptions) -> str:
    """The text of a new phonebank.toml; every secret in it is freshly generated."""
    off, suffix = options.port_offset, options.name_suffix
    lines = [
        "# phonebank configuration, written by `phonebank init`.",
        "# Secrets below were generated for this installation: keep this file private (mode 600).",
        "# Any key can be overridden from the environment: PHONEBANK_<SECTION>__<KEY>.",
        "",
        'state_dir = "state"',
        "",
        "[pbx]",
        'container_engine = "auto"   # auto | podman | docker | none (an Asterisk you run yourself)',
        'bind_address = "127.0.0.1"  # SIP, AMI and ARI listen here only',
        f"sip_port = {5060 + off}",
        f"rtp_start = {10000 + off}",
        f"rtp_end = {10999 + off}",
        f'container_name = "phonebank-pbx{suffix}"',
        "",
        "[ami]",
        f"port = {5038 + off}",
        'username = "phonebank"',
        f"secret = {_q(new_secret())}",
        "",
        "[ari]",
        f"port = {8088 + off}",
        'username = "phonebank"',
        f"password = {_q(new_secret())}",
        'app = "phonebank"',
        "",
        "[web]",
        'bind_address = "127.0.0.1"',
        f"port = {8440 + off}",
        f"api_token = {_q(new_secret(24))}",
        "",
    ]
    if options.lab:
        lines += [
            "# The lab: a simulated carrier and test phones on loopback (docs/lab.md).",
            "[lab]",
            f'carrier_container = "phonebank-carrier{suffix}"',
            f"carrier_sip_port = {5070 + off}",
            f"carrier_ami_port = {5039 + off}",
            f"carrier_rtp_start = {11000 + off}",
            f"carrier_rtp_end = {11999 + off}",
            f"phone_port_base = {16000 + off}",
            f'phone_container_prefix = "phonebank-phone{suffix}"',
            f"carrier_ami_secret = {_q(new_secret())}",
            "",
            "[[trunks]]",
            'name = "lab"',
            'host = "127.0.0.1"',
            f"port = {5070 + off}",
            'username = "phonebank"',
            f"password = {_q(new_secret())}",
            "max_channels = 400",
            "max_cps = 50",
            "send_attempt_header = true",
            "",
        ]
    else:
        lines += [
            "# Add your carrier's SIP trunk:",
            "# [[trunks]]",
            '# name = "carrier"',
            '# host = "sip.example-carrier.net"',
            '# username = "..."',
            '# password = "..."',
            "",
        ]
    for i in range(options.agents):
        lines += _phone("agents", options.first_agent + i, f"Agent {i + 1}")
    for i in range(options.supervisors):
        lines += _phone("supervisors", options.first_supervisor + i, f"Supervisor {i + 1}")
    return "\n".join(lines)


def _phone(table: str, number: int, name: str) -> list[str]:
    return [
        f"[[{table}]]",
        f'number = "{number}"',
        f"name = {_q(name)}",
        f"password = {_q(new_secret())}",
        f'pin = "{new_pin()}"',
        "",
    ]


def write_config(path: Path, options: InitOptions, *, force: bool = False) -> Path:
    """Create `path` (mode 600). Refuses to overwrite unless `force`, so secrets are never lost."""
    if path.exists() and not force:
        raise FileExistsError(f"{path} already exists: keep it, or pass --force to replace its secrets")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(config_text(options))
    return path
