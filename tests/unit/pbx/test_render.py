"""Rendering Asterisk's config: complete, secret-bearing only from phonebank.toml, atomic."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from engine.config import Settings, load_settings
from engine.initconfig import InitOptions, write_config
from engine.pbx.modules import CARRIER_MODULES, PBX_MODULES
from engine.pbx.render import RenderError, render_carrier, render_pbx, templates_dir

PBX_FILES = {"asterisk.conf", "modules.conf", "pjsip.conf", "extensions.conf", "manager.conf", "ari.conf",
             "http.conf", "rtp.conf", "amd.conf", "logger.conf", "indications.conf"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(write_config(tmp_path / "phonebank.toml", InitOptions(lab=True, agents=2, supervisors=1)))


def _section(text: str, name: str) -> str:
    match = re.search(rf"^\[{re.escape(name)}\]\n(.*?)(?=^\[|\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"no [{name}] section"
    return match.group(1)


def test_pbx_config_is_complete_and_uses_generated_secrets(settings: Settings) -> None:
    written = {p.name for p in render_pbx(settings)}
    assert PBX_FILES <= written
    etc = settings.asterisk_dir
    manager = (etc / "manager.conf").read_text()
    assert f"secret = {settings.ami.secret}" in manager
    assert "bindaddr = 127.0.0.1" in manager and "permit = 127.0.0.1/255.255.255.255" in manager
    assert f"password = {settings.ari.password}" in (etc / "ari.conf").read_text()
    assert "bindaddr = 127.0.0.1" in (etc / "http.conf").read_text()
    pjsip = (etc / "pjsip.conf").read_text()
    assert f"bind = 127.0.0.1:{settings.pbx.sip_port}" in pjsip
    for phone in [*settings.agents, *settings.supervisors]:
        assert f"password = {phone.password}" in pjsip
    assert f"password = {settings.trunks[0].password}" in _section(pjsip, "lab-auth")
    loaded = re.findall(r"^load = (\S+)\.so$", (etc / "modules.conf").read_text(), re.MULTILINE)
    assert loaded == list(PBX_MODULES)
    assert "autoload = no" in (etc / "modules.conf").read_text()


def test_no_password_in_any_template() -> None:
    for template in templates_dir().rglob("*.j2"):
        for line in template.read_text().splitlines():
            if re.match(r"\s*(secret|password|auth_pass)\s*=", line) or "auth_pass=" in line:
                assert "{{" in line, f"{template.name}: a literal credential: {line!r}"


def test_agents_and_supervisors_land_in_their_own_contexts(settings: Settings) -> None:
    render_pbx(settings)
    pjsip = (settings.asterisk_dir / "pjsip.conf").read_text()
    assert "context = phonebank-agents" in pjsip and "context = phonebank-supervisors" in pjsip
    extensions = (settings.asterisk_dir / "extensions.conf").read_text()
    assert f"exten => {settings.dialplan.agent_login},1" in extensions
    assert "Stasis(phonebank,agent-login,${CHANNEL(endpoint)})" in extensions


def test_carrier_answers_the_trunk_with_its_credentials(settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "carrier"
    render_carrier(settings, out)
    pjsip = (out / "pjsip.conf").read_text()
    trunk = settings.trunks[0]
    assert f"username = {trunk.username}" in pjsip and f"password = {trunk.password}" in pjsip
    assert settings.lab is not None and f":{settings.lab.carrier_sip_port}" in pjsip
    assert "transmit_silence = yes" in (out / "asterisk.conf").read_text()
    loaded = re.findall(r"^load = (\S+)\.so$", (out / "modules.conf").read_text(), re.MULTILINE)
    assert loaded == list(CARRIER_MODULES)


def test_a_broken_template_names_itself_and_writes_nothing(settings: Settings, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "templates"
    shutil.copytree(templates_dir(), broken)
    (broken / "pbx" / "pjsip.conf.j2").write_text("{% for x in %}\n")
    monkeypatch.setenv("PHONEBANK_TEMPLATES", str(broken))
    out = tmp_path / "out"
    with pytest.raises(RenderError, match=r"pbx/pjsip\.conf\.j2 line 1"):
        render_pbx(settings, out)
    assert not out.exists()


def test_a_missing_setting_names_the_template(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "templates"
    shutil.copytree(templates_dir(), broken)
    (broken / "common" / "rtp.conf.j2").write_text("rtpstart = {{ no_such_setting }}\n")
    monkeypatch.setenv("PHONEBANK_TEMPLATES", str(broken))
    with pytest.raises(RenderError, match=r"common/rtp\.conf\.j2: 'no_such_setting' is undefined"):
        render_pbx(settings, tmp_path / "out")


def test_carrier_needs_the_lab(tmp_path: Path) -> None:
    plain = load_settings(write_config(tmp_path / "phonebank.toml", InitOptions()))
    with pytest.raises(RenderError, match="phonebank init --lab"):
        render_carrier(plain, tmp_path / "carrier")
