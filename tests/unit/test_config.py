"""phonebank.toml: generation, loading, overrides, and the one-line errors."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from engine.config import ConfigError, load_settings
from engine.initconfig import InitOptions, write_config


def test_init_writes_private_file_with_fresh_distinct_secrets(tmp_path: Path) -> None:
    first = load_settings(write_config(tmp_path / "a.toml", InitOptions(lab=True, agents=3)))
    second = load_settings(write_config(tmp_path / "b.toml", InitOptions(lab=True, agents=3)))
    assert stat.S_IMODE((tmp_path / "a.toml").stat().st_mode) == 0o600
    secrets_a = [first.ami.secret, first.ari.password, first.trunks[0].password,
                 *(a.password for a in first.agents), *(a.pin for a in first.agents)]
    secrets_b = [second.ami.secret, second.ari.password, second.trunks[0].password,
                 *(a.password for a in second.agents), *(a.pin for a in second.agents)]
    assert len(set(secrets_a[:-3])) == len(secrets_a) - 3, "every password is its own"
    assert not set(secrets_a[:-3]) & set(secrets_b[:-3]), "two installations share no password"
    assert all(len(s) >= 20 for s in secrets_a[:-3])


def test_init_binds_loopback_and_refuses_to_overwrite(tmp_path: Path) -> None:
    path = write_config(tmp_path / "phonebank.toml", InitOptions())
    settings = load_settings(path)
    assert settings.pbx.bind_address == "127.0.0.1"
    assert settings.ami.host == "127.0.0.1" and settings.ari.host == "127.0.0.1"
    with pytest.raises(FileExistsError, match="--force"):
        write_config(path, InitOptions())


def test_port_offset_and_suffix_move_everything(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path / "p.toml", InitOptions(lab=True, port_offset=20000, name_suffix="-x")))
    assert (settings.pbx.sip_port, settings.ami.port, settings.ari.port) == (25060, 25038, 28088)
    assert settings.lab is not None and settings.lab.carrier_sip_port == 25070
    assert settings.trunks[0].port == 25070
    assert settings.pbx.container_name.endswith("-x") and settings.lab.carrier_container.endswith("-x")


def test_environment_overrides_one_key(tmp_path: Path) -> None:
    path = write_config(tmp_path / "phonebank.toml", InitOptions())
    settings = load_settings(path, environ={"PHONEBANK_ARI__PORT": "9999", "PHONEBANK_PBX__BIND_ADDRESS": "10.0.0.5"})
    assert settings.ari.port == 9999
    assert settings.pbx.bind_address == "10.0.0.5"


def test_state_dir_is_resolved_next_to_the_file(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path / "phonebank.toml", InitOptions()))
    assert settings.state_dir == (tmp_path / "state").resolve()
    assert settings.database_url == f"sqlite:///{tmp_path.resolve()}/state/phonebank.db"


@pytest.mark.parametrize(("text", "message"), [
    (None, "phonebank init"),
    ("[ami\nsecret = 1", "not valid TOML"),
    ("[ami]\nsecret = 'x'\n", "ari: Field required"),
    ("[ami]\nsecret = 'x'\n[ari]\npassword = 'y'\n[web]\napi_token = 't'\n[[agents]]\nnumber = '10a1'\npassword = 'p'\npin = '1'\n",
     "agents.0.number"),
])
def test_bad_config_is_one_line_naming_the_fix(tmp_path: Path, text: str | None, message: str) -> None:
    path = tmp_path / "phonebank.toml"
    if text is not None:
        path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
