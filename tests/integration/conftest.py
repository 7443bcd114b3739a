"""The lab for integration tests: the real Asterisk image as PBX and as carrier, baresip phones.

One lab per test session, on ports shifted by 20000 and containers suffixed "-test", so it runs
beside a demo or a developer's own PBX. Nothing here is mocked.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.ari.client import AriClient
from engine.calls.controller import CallController, ControllerConfig
from engine.config import Settings, load_settings
from engine.initconfig import InitOptions, write_config
from engine.lab.lab import lab_down, lab_up
from engine.lab.phones import LabPhone
from engine.pbx import instance
from engine.pbx.container import ContainerEngine, detect
from engine.pbx.image import ensure_images
from engine.pbx.pbx import image_targets, pbx_instance
from engine.pbx.render import render_pbx

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Lab:
    """A running PBX + carrier + phones, and the settings that describe them."""

    settings: Settings
    engine: ContainerEngine
    phones: dict[str, LabPhone]

    def phone(self, endpoint: str) -> LabPhone:
        return self.phones[endpoint]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/integration" in str(item.path):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    # Not pytest's tmp_path: its retention sweep (three runs) could delete a live lab's files
    # while another pytest run on this machine starts.
    root = Path(tempfile.mkdtemp(prefix="phonebank-lab-"))
    config = write_config(root / "phonebank.toml", InitOptions(
        lab=True, agents=2, supervisors=1, port_offset=20000, name_suffix="-test"))
    settings = load_settings(config)
    engine = detect(settings.pbx.container_engine)
    ensure_images(engine, image_targets(settings), settings.pbx.base_image, print)
    render_pbx(settings)
    pbx = pbx_instance(settings)
    uid = instance.container_uid(engine, settings.pbx.image)
    instance.start(engine, pbx, uid=uid)
    try:
        phones = lab_up(engine, settings, print)
        yield Lab(settings, engine, {p.endpoint.endpoint: p for p in phones})
    finally:
        lab_down(engine, settings)
        engine.stop(pbx.name)
        if os.environ.get("PHONEBANK_KEEP_LAB") is None:
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
async def ari(lab: Lab) -> AsyncIterator[AriClient]:
    async with AriClient.from_settings(lab.settings.ari) as client:
        yield client


@pytest.fixture
async def calls(lab: Lab, ari: AriClient) -> AsyncIterator[CallController]:
    trunks = {t.name: t.send_attempt_header for t in lab.settings.trunks}
    config = ControllerConfig(
        spool_recordings=lab.settings.spool_dir / "recording",
        recordings_dir=lab.settings.recordings_dir,
        send_attempt_header=lambda name: trunks.get(name, False),
    )
    async with CallController(ari, config) as controller:
        yield controller
