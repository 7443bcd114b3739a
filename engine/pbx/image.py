"""Build the Asterisk and lab images from Dockerfile.asterisk, with no registry if need be.

When the configured base image (debian:sid-slim) is neither present nor pullable, phonebank
makes one: a minimal Debian sid root filesystem from debootstrap, imported as an image. The root
filesystem and the image live outside the checkout (cache_dir() and the engine's own store), so a
second run, or CI in a fresh clone on the same machine, reuses them.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from engine.pbx.container import ContainerEngine, ContainerError, cache_dir

LOCAL_BASE = "localhost/phonebank-base:sid"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
HASH_LABEL = "org.phonebank.dockerfile-sha256"

Report = Callable[[str], None]


@dataclass(frozen=True)
class ImageTargets:
    """The images one Dockerfile.asterisk yields."""

    asterisk: str
    lab: str


def dockerfile_path() -> Path:
    return Path(__file__).resolve().parents[2] / "Dockerfile.asterisk"


def _digest(dockerfile: Path, base: str) -> str:
    return hashlib.sha256(dockerfile.read_bytes() + base.encode()).hexdigest()[:16]


def _pull(engine: ContainerEngine, image: str) -> bool:
    try:
        return engine.run(["pull", image], check=False, timeout=90).returncode == 0
    except ContainerError:
        return False


def ensure_base(engine: ContainerEngine, base: str, report: Report) -> str:
    """An image to build FROM: `base` if present or pullable, else a local debootstrap'd sid."""
    if engine.image_exists(base):
        return base
    if engine.image_exists(LOCAL_BASE):
        return LOCAL_BASE
    report(f"pulling {base}")
    if _pull(engine, base):
        return base
    report(f"no registry answers for {base}: building {LOCAL_BASE} from a debootstrap'd Debian sid")
    rootfs = build_rootfs(cache_dir() / "rootfs-sid", report)
    tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
    imported = subprocess.run([engine.binary, "import", "-", LOCAL_BASE], stdin=tar.stdout,
                              env=engine.env, capture_output=True, text=True, timeout=600, check=False)
    tar.wait()
    if imported.returncode != 0 or tar.returncode != 0:
        raise ContainerError(f"importing {rootfs} as {LOCAL_BASE} failed: {imported.stderr.strip()[-200:]}")
    return LOCAL_BASE


def build_rootfs(target: Path, report: Report) -> Path:
    """debootstrap a minimal sid into `target` once; a complete one is reused."""
    done = target / ".phonebank-complete"
    if done.exists():
        return target
    if shutil.which("debootstrap") is None:
        raise ContainerError("building the base image needs debootstrap: apt-get install debootstrap")
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    report(f"debootstrap sid into {target} (about a minute)")
    result = subprocess.run(["debootstrap", "--variant=minbase", "sid", str(target), DEBIAN_MIRROR],
                            capture_output=True, text=True, timeout=1800, check=False)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:]
        raise ContainerError(f"debootstrap of Debian sid failed ({' '.join(tail)}): check that {DEBIAN_MIRROR} is reachable")
    policy = target / "usr/sbin/policy-rc.d"
    policy.write_text("#!/bin/sh\nexit 101\n")
    policy.chmod(0o755)
    done.touch()
    return target


def ensure_images(engine: ContainerEngine, targets: ImageTargets, base: str, report: Report,
                  *, force: bool = False) -> None:
    """Build both targets unless images built from this very Dockerfile and base exist."""
    dockerfile = dockerfile_path()
    # podman's default OCI format drops HEALTHCHECK; the docker format keeps it.
    engine_args = ["--format", "docker", "--pull=never"] if engine.name == "podman" else []
    digest = _digest(dockerfile, base + " ".join(engine_args))
    current = all(engine.image_label(image, HASH_LABEL) == digest for image in (targets.asterisk, targets.lab))
    if current and not force:
        return
    base_image = ensure_base(engine, base, report)
    for target, tag in (("asterisk", targets.asterisk), ("lab", targets.lab)):
        report(f"building {tag} (target {target}) from {dockerfile.name}")
        args = ["build", "--network", "host", "-f", str(dockerfile), "--target", target, "-t", tag,
                "--build-arg", f"BASE={base_image}", "--label", f"{HASH_LABEL}={digest}", *engine_args]
        engine.run([*args, str(dockerfile.parent)], timeout=1800)

