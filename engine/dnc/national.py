"""Where the national registry file lives under the state directory, and opening it if present."""

from __future__ import annotations

from pathlib import Path

from engine.compliance.registry import Registry

REGISTRY_FILE = Path("dnc") / "national.npy"


def registry_path(state_dir: Path) -> Path:
    """The registry file `phonebank dnc import --national` writes and the engine reads."""
    return state_dir / REGISTRY_FILE


def open_registry(state_dir: Path) -> Registry | None:
    """The imported national registry, or None when none has been imported yet.

    None is safe to pass on: every campaign that uses the registry then refuses to lease
    (RegistryUnavailable) instead of dialling unscrubbed numbers.
    """
    path = registry_path(state_dir)
    return Registry.open(path) if path.exists() else None
