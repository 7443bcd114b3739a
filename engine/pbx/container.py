"""Run containers with docker (when a daemon answers) or podman, through their command lines.

Both speak the same CLI for what phonebank needs (build, run, ps, logs, exec, rm), so one small
wrapper serves both. Podman on hosts with hybrid cgroups and a low open-files ceiling needs two
settings (runc, no default ulimits); phonebank writes them to its own containers.conf and points
only its own podman calls at it, leaving the user's configuration alone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

EngineChoice = Literal["auto", "podman", "docker", "none"]

PODMAN_CONF = """\
# Written by phonebank for its own podman calls (CONTAINERS_CONF).
# runc, because crun refuses hosts with hybrid cgroups; no default ulimits, because podman's
# default nofile (1048576) is above the hard limit of some hosts and every run would fail.
[engine]
runtime = "runc"

[containers]
default_ulimits = []
"""


class ContainerError(Exception):
    """A container operation failed; the message is one line that names the fix."""


def cache_dir() -> Path:
    """Where phonebank keeps what outlives a checkout: root filesystems, podman settings."""
    override = os.environ.get("PHONEBANK_CACHE")
    if override:
        return Path(override)
    if os.geteuid() == 0:
        return Path("/var/cache/phonebank")
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "phonebank"


@dataclass(frozen=True)
class Mount:
    """A host folder mounted into a container."""

    host: Path
    container: str
    read_only: bool = False

    def flag(self) -> str:
        return f"{self.host}:{self.container}:{'ro' if self.read_only else 'rw'}"


@dataclass(frozen=True)
class ContainerSpec:
    """Everything needed to start one long-running container on the host network."""

    name: str
    image: str
    mounts: tuple[Mount, ...] = ()
    entrypoint: str | None = None
    args: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ContainerEngine:
    """One container CLI (podman or docker) and the environment its calls run with."""

    binary: str
    env: dict[str, str]

    @property
    def name(self) -> str:
        return Path(self.binary).name

    def run(self, args: Sequence[str], *, timeout: float = 120, check: bool = True,
            stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
        """Run one CLI call; on failure raise ContainerError with the tool's last words."""
        try:
            result = subprocess.run(
                [self.binary, *args], env=self.env, capture_output=True, timeout=timeout,
                input=stdin.decode("latin-1") if stdin is not None else None, text=True, check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ContainerError(f"`{self.name} {args[0]}` did not finish within {timeout:.0f} s") from exc
        if check and result.returncode != 0:
            last = (result.stderr.strip() or result.stdout.strip()).splitlines()
            raise ContainerError(f"`{self.name} {' '.join(args[:2])}` failed: {last[-1] if last else 'no output'}")
        return result

    def image_exists(self, image: str) -> bool:
        return self.run(["image", "inspect", image], check=False).returncode == 0

    def image_label(self, image: str, label: str) -> str | None:
        result = self.run(["image", "inspect", "--format", f'{{{{index .Config.Labels "{label}"}}}}', image], check=False)
        value = result.stdout.strip()
        return value if result.returncode == 0 and value not in ("", "<no value>") else None

    def state(self, name: str) -> str | None:
        """'running', 'exited', ... or None when no such container exists."""
        result = self.run(["container", "inspect", "--format", "{{.State.Status}}", name], check=False)
        return result.stdout.strip() or None if result.returncode == 0 else None

    def label(self, name: str, label: str) -> str | None:
        result = self.run(["container", "inspect", "--format", f'{{{{index .Config.Labels "{label}"}}}}', name], check=False)
        value = result.stdout.strip()
        return value if result.returncode == 0 and value not in ("", "<no value>") else None

    def start(self, spec: ContainerSpec) -> None:
        """Start `spec` detached on the host network, replacing any stopped container of that name."""
        self.remove(spec.name)
        args = ["run", "-d", "--name", spec.name, "--network", "host"]
        for mount in spec.mounts:
            args += ["-v", mount.flag()]
        for key, value in spec.labels.items():
            args += ["--label", f"{key}={value}"]
        if spec.entrypoint:
            args += ["--entrypoint", spec.entrypoint]
        self.run([*args, spec.image, *spec.args])

    def stop(self, name: str, timeout: int = 10) -> None:
        if self.state(name) is not None:
            self.run(["stop", "-t", str(timeout), name], check=False, timeout=timeout + 30)
            self.remove(name)

    def kill(self, name: str) -> None:
        """SIGKILL and remove: for containers that ignore SIGTERM (baresip while unregistering)."""
        if self.state(name) is not None:
            self.run(["rm", "-f", "-t", "0", name], check=False)

    def remove(self, name: str) -> None:
        if self.state(name) is not None:
            self.run(["rm", "-f", name], check=False)

    def exec(self, name: str, command: Sequence[str], *, timeout: float = 30) -> subprocess.CompletedProcess[str]:
        return self.run(["exec", name, *command], timeout=timeout, check=False)

    def logs(self, name: str, tail: int = 100) -> str:
        result = self.run(["logs", "--tail", str(tail), name], check=False)
        return result.stdout + result.stderr

    def names(self, prefix: str) -> list[str]:
        result = self.run(["ps", "-a", "--format", "{{.Names}}"], check=False)
        return [n for n in result.stdout.split() if n.startswith(prefix)]


def _docker_answers(binary: str) -> bool:
    try:
        return subprocess.run([binary, "info"], capture_output=True, timeout=10, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _podman_env() -> dict[str, str]:
    env = dict(os.environ)
    if "CONTAINERS_CONF" not in env:
        conf = cache_dir() / "containers.conf"
        conf.parent.mkdir(parents=True, exist_ok=True)
        if not conf.exists() or conf.read_text() != PODMAN_CONF:
            conf.write_text(PODMAN_CONF)
        env["CONTAINERS_CONF"] = str(conf)
    return env


def detect(choice: EngineChoice = "auto") -> ContainerEngine:
    """The container engine to use: docker when its daemon answers, else podman."""
    if choice == "none":
        raise ContainerError(
            "[pbx] container_engine is 'none': phonebank does not run Asterisk here; "
            "copy the rendered config to your Asterisk (docs/install.md)"
        )
    docker, podman = shutil.which("docker"), shutil.which("podman")
    if choice in ("auto", "docker") and docker and _docker_answers(docker):
        return ContainerEngine(docker, dict(os.environ))
    if choice == "docker":
        raise ContainerError("docker's daemon does not answer: start it, or set [pbx] container_engine = \"podman\"")
    if podman:
        if shutil.which("runc") is None:
            raise ContainerError("podman needs runc on this host: apt-get install runc")
        return ContainerEngine(podman, _podman_env())
    raise ContainerError("no container engine found: apt-get install podman runc (or install docker)")
