"""A whole lab for one piece of work: PBX + carrier + phones up on entry, down on exit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from engine.config import Settings
from engine.lab.lab import lab_down, lab_up
from engine.lab.phones import LabPhone
from engine.pbx import instance
from engine.pbx.container import ContainerEngine, detect
from engine.pbx.image import ensure_images
from engine.pbx.pbx import image_targets, pbx_instance
from engine.pbx.render import render_pbx


@dataclass(frozen=True)
class RunningLab:
    """A running PBX, carrier and phones, and the settings that describe them."""

    settings: Settings
    engine: ContainerEngine
    phones: dict[str, LabPhone]

    def phone(self, endpoint: str) -> LabPhone:
        return self.phones[endpoint]

    @property
    def agents(self) -> list[LabPhone]:
        return [p for p in self.phones.values() if p.endpoint.role == "agent"]


def start_pbx(settings: Settings, report: Callable[[str], None]) -> ContainerEngine:
    """Build images if needed, render the config and start the PBX (idempotent)."""
    engine = detect(settings.pbx.container_engine)
    ensure_images(engine, image_targets(settings), settings.pbx.base_image, report)
    render_pbx(settings)
    uid = instance.container_uid(engine, settings.pbx.image)
    if instance.start(engine, pbx_instance(settings), uid=uid):
        report(f"Asterisk started in container {settings.pbx.container_name}")
    return engine


@contextmanager
def running_lab(settings: Settings, report: Callable[[str], None], *, keep: bool = False) -> Iterator[RunningLab]:
    """PBX, carrier and a phone per agent and supervisor; all stopped afterwards unless `keep`."""
    engine = start_pbx(settings, report)
    try:
        phones = lab_up(engine, settings, report)
        yield RunningLab(settings, engine, {p.endpoint.endpoint: p for p in phones})
    finally:
        if not keep:
            lab_down(engine, settings)
            engine.stop(settings.pbx.container_name)
