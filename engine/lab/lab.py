"""Bring the whole lab up or down: the carrier, then a phone per agent and supervisor."""

from __future__ import annotations

from collections.abc import Callable

from engine.config import Settings
from engine.lab.carrier import carrier_instance, heard_dir
from engine.lab.phones import LabPhone, lab_phones, start_phone
from engine.pbx import instance as pbx_instance_ops
from engine.pbx.container import ContainerEngine
from engine.pbx.render import render_carrier


def lab_up(engine: ContainerEngine, settings: Settings, report: Callable[[str], None]) -> list[LabPhone]:
    """Start (or keep) the carrier and (re)start every phone; returns the phones."""
    carrier = carrier_instance(settings)
    render_carrier(settings, carrier.config_dir)
    uid = pbx_instance_ops.container_uid(engine, settings.pbx.image)
    if pbx_instance_ops.start(engine, carrier, uid=uid, extra_dirs=(heard_dir(settings),)):
        report(f"carrier {carrier.name} started on SIP port {carrier.ports[0].port}")
    phones = lab_phones(settings)
    for phone in phones:
        start_phone(engine, settings, phone, uid)
        report(f"phone {phone.endpoint.endpoint} ({phone.tone_hz:.0f} Hz) started on SIP port {phone.ports.sip}")
    return phones


def lab_down(engine: ContainerEngine, settings: Settings) -> None:
    """Phones first: baresip lingers ~30 s unregistering when the PBX is already gone."""
    for phone in lab_phones(settings):
        engine.kill(phone.container)
    engine.stop(carrier_instance(settings).name)
