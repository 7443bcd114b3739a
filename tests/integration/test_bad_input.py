"""Wrong credentials, an unreachable Asterisk, a port already taken: one line each, with the fix."""

from __future__ import annotations

import dataclasses

import pytest
from typer.testing import CliRunner

from cli.main import app
from engine.ami.client import AmiClient
from engine.ami.errors import AmiAuthError, AmiUnreachable
from engine.ari.client import AriClient
from engine.ari.errors import AriAuthError, AriUnreachable
from engine.lab.session import RunningLab
from engine.pbx import instance
from engine.pbx.container import ContainerError
from engine.pbx.pbx import pbx_instance

pytestmark = pytest.mark.integration


async def test_wrong_ari_password_names_the_settings(lab: RunningLab) -> None:
    ari = lab.settings.ari
    with pytest.raises(AriAuthError, match=r"\[ari\]"):
        async with AriClient(ari.base_url, ari.username, "not-the-password", ari.app, listen=False) as client:
            await client.asterisk_info()


async def test_wrong_ami_secret_names_the_settings(lab: RunningLab) -> None:
    ami = lab.settings.ami
    with pytest.raises(AmiAuthError, match=r"\[ami\]"):
        async with AmiClient(ami.host, ami.port, ami.username, "not-the-secret", timeout=5):
            pass


async def test_unreachable_asterisk_is_an_actionable_message(lab: RunningLab) -> None:
    ari, ami = lab.settings.ari, lab.settings.ami
    with pytest.raises(AriUnreachable, match="phonebank asterisk status"):
        async with AriClient(f"http://127.0.0.1:{ari.port + 7}/ari", ari.username, ari.password, ari.app,
                             listen=False, timeout=2) as client:
            await client.asterisk_info()
    with pytest.raises(AmiUnreachable):
        async with AmiClient(ami.host, ami.port + 7, ami.username, ami.secret, timeout=2):
            pass


def test_status_reports_up_modules_phones_and_trunk(lab: RunningLab) -> None:
    config = lab.settings.state_dir.parent / "phonebank.toml"
    result = CliRunner().invoke(app, ["asterisk", "status", "--config", str(config), "--json"])
    assert result.exit_code == 0, result.output
    assert '"up": true' in result.output and '"failed_modules": []' in result.output
    for phone in lab.phones:
        assert phone in result.output


def test_status_with_a_wrong_secret_is_one_line(lab: RunningLab) -> None:
    config = lab.settings.state_dir.parent / "phonebank.toml"
    result = CliRunner().invoke(app, ["asterisk", "status", "--config", str(config)],
                                env={"PHONEBANK_AMI__SECRET": "wrong"})
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "AMI rejected" in lines[0], result.output


def test_a_port_already_taken_stops_a_second_pbx_before_it_starts(lab: RunningLab) -> None:
    clash = dataclasses.replace(pbx_instance(lab.settings), name="phonebank-pbx-clash")
    with pytest.raises(ContainerError, match=r"already in use .* change \[pbx\] sip_port"):
        instance.start(lab.engine, clash, uid=0)
    assert lab.engine.state("phonebank-pbx-clash") is None
