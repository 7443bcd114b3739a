"""One Asterisk instance in a container: the PBX, or the lab's carrier, from the same image."""

from __future__ import annotations

import hashlib
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from engine.pbx.container import ContainerEngine, ContainerError, ContainerSpec, Mount

CONFIG_LABEL = "org.phonebank.config-sha256"
ASTERISK_CONF = "/etc/asterisk/asterisk.conf"


@dataclass(frozen=True)
class Port:
    """A port an instance needs free on the host before it starts."""

    host: str
    port: int
    proto: str  # "tcp" or "udp"
    setting: str  # where in phonebank.toml to change it


@dataclass(frozen=True)
class AsteriskInstance:
    """Where one Asterisk's config, spool and logs live on the host, and which ports it takes."""

    name: str
    image: str
    config_dir: Path
    spool_dir: Path
    log_dir: Path
    ports: tuple[Port, ...]

    def spec(self, config_digest: str) -> ContainerSpec:
        return ContainerSpec(
            name=self.name,
            image=self.image,
            mounts=(
                Mount(self.config_dir, "/etc/asterisk", read_only=True),
                Mount(self.spool_dir, "/var/spool/asterisk"),
                Mount(self.log_dir, "/var/log/asterisk"),
            ),
            labels={CONFIG_LABEL: config_digest},
        )


def config_digest(config_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(config_dir.glob("*.conf")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def container_uid(engine: ContainerEngine, image: str) -> int:
    """The asterisk user's uid inside the image: the owner its writable mounts need."""
    result = engine.run(["run", "--rm", "--network", "host", "--entrypoint", "id", image, "-u", "asterisk"])
    return int(result.stdout.strip())


def port_busy(port: Port) -> bool:
    kind = socket.SOCK_DGRAM if port.proto == "udp" else socket.SOCK_STREAM
    with socket.socket(socket.AF_INET, kind) as probe:
        if kind == socket.SOCK_STREAM:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((port.host if port.host != "0.0.0.0" else "", port.port))
        except OSError:
            return True
    return False


def prepare_dirs(instance: AsteriskInstance, uid: int, extra: tuple[Path, ...] = ()) -> None:
    """Create the writable folders and hand them to the container's asterisk user."""
    for path in (instance.spool_dir, instance.spool_dir / "recording", instance.log_dir, *extra):
        path.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            os.chown(path, uid, uid)


def start(engine: ContainerEngine, instance: AsteriskInstance, *, uid: int,
          extra_dirs: tuple[Path, ...] = (), timeout: float = 60) -> bool:
    """Start the instance unless it already runs this exact config. True if (re)started."""
    digest = config_digest(instance.config_dir)
    if engine.state(instance.name) == "running" and engine.label(instance.name, CONFIG_LABEL) == digest:
        return False
    engine.remove(instance.name)
    for port in instance.ports:
        if port_busy(port):
            raise ContainerError(
                f"port {port.port}/{port.proto} on {port.host} is already in use (another Asterisk?): "
                f"stop that program or change {port.setting} in phonebank.toml"
            )
    prepare_dirs(instance, uid, extra_dirs)
    engine.start(instance.spec(digest))
    wait_booted(engine, instance, timeout)
    return True


def wait_booted(engine: ContainerEngine, instance: AsteriskInstance, timeout: float) -> None:
    """Block until Asterisk reports itself fully booted, or fail with its last log lines.

    `core waitfullybooted` itself blocks until every module has loaded; the loop only covers
    the moment before Asterisk's control socket exists.
    """
    deadline = time.monotonic() + timeout
    delay = 0.1
    while time.monotonic() < deadline:
        if engine.state(instance.name) != "running":
            break
        result = engine.exec(instance.name, ["asterisk", "-C", ASTERISK_CONF, "-rx", "core waitfullybooted"],
                             timeout=max(1.0, deadline - time.monotonic()))
        if result.returncode == 0 and "fully booted" in result.stdout.lower():
            return
        time.sleep(delay)
        delay = min(delay * 2, 1.0)
    last = engine.logs(instance.name, tail=5).strip().splitlines()
    raise ContainerError(
        f"Asterisk in container {instance.name} did not boot within {timeout:.0f} s "
        f"({last[-1] if last else 'no output'}): see `phonebank asterisk logs`"
    )


def asterisk_cli(engine: ContainerEngine, instance: AsteriskInstance, command: str) -> str:
    """Run one Asterisk CLI command in the instance and return its output."""
    result = engine.exec(instance.name, ["asterisk", "-C", ASTERISK_CONF, "-rx", command])
    if result.returncode != 0:
        raise ContainerError(f"Asterisk CLI in {instance.name} failed: is it running? (`phonebank asterisk status`)")
    return result.stdout
