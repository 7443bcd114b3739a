"""The lab for integration tests: the real Asterisk image as PBX and as carrier, baresip phones.

One lab per test session, on ports shifted by 20000 and containers suffixed "-test", so it runs
beside a demo or a developer's own PBX. Nothing here is mocked.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from engine.ami.client import AmiClient
from engine.ari.client import AriClient
from engine.calls.controller import CallController, ControllerConfig
from engine.config import load_settings
from engine.initconfig import InitOptions, write_config
from engine.lab.session import RunningLab, running_lab
from engine.store.db import open_database

pytestmark = pytest.mark.integration


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/integration" in str(item.path):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def lab() -> Iterator[RunningLab]:
    # Not pytest's tmp_path: its retention sweep (three runs) could delete a live lab's files
    # while another pytest run on this machine starts.
    root = Path(tempfile.mkdtemp(prefix="phonebank-lab-"))
    config = write_config(root / "phonebank.toml", InitOptions(
        lab=True, agents=2, supervisors=1, port_offset=20000, name_suffix="-test"))
    settings = load_settings(config)
    try:
        with running_lab(settings, print) as running:
            yield running
    finally:
        if os.environ.get("PHONEBANK_KEEP_LAB") is None:
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
async def ari(lab: RunningLab) -> AsyncIterator[AriClient]:
    async with AriClient.from_settings(lab.settings.ari) as client:
        yield client


@pytest.fixture
async def calls(lab: RunningLab, ari: AriClient) -> AsyncIterator[CallController]:
    async with CallController(ari, ControllerConfig.from_settings(lab.settings)) as controller:
        yield controller


@pytest.fixture
async def database(lab: RunningLab, tmp_path: Path) -> Engine:
    return await asyncio.to_thread(open_database, f"sqlite:///{tmp_path}/campaign.db")


@pytest.fixture
async def carrier_calls(lab: RunningLab) -> AsyncIterator[list[str]]:
    """Every number the carrier is asked to ring during the test, from its own AMI."""
    assert lab.settings.lab is not None
    seen: list[str] = []
    async with AsyncExitStack() as stack:
        ami = await stack.enter_async_context(AmiClient(
            "127.0.0.1", lab.settings.lab.carrier_ami_port, lab.settings.lab.carrier_ami_username,
            lab.settings.lab.carrier_ami_secret))
        events = await stack.enter_async_context(ami.events())

        async def collect() -> None:
            while True:
                event = await events.next()
                if event.name == "Newchannel" and event.get("Exten"):
                    seen.append(event.get("Exten"))

        task = asyncio.create_task(collect())
        yield seen
        task.cancel()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Report what the integration tests measured on Asterisk's clock (recorded properties)."""
    for report in terminalreporter.stats.get("passed", []):
        for key, value in getattr(report, "user_properties", []):
            terminalreporter.write_line(f"{report.nodeid.split('::')[-1]}: {key} = {value}")
