"""`phonebank recordings verify`: exit codes a cron job can alert on, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cli import recordings
from engine.config import load_settings
from engine.initconfig import InitOptions, write_config
from engine.store.db import open_database
from tests.unit.leads import seed
from tests.unit.archive.archive import recorded


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    recordings.register(app)
    return app


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path / "phonebank.toml", InitOptions())


def archive(config: Path) -> dict[str, list[Path]]:
    """Two recorded calls in campaign gotv and one in fundraiser: each campaign's files."""
    settings = load_settings(config)
    engine = open_database(settings.database_url)
    files = {}
    for name, calls in (("gotv", 2), ("fundraiser", 1)):
        campaign_id = seed.campaign(engine, name)
        contact = seed.contact(engine, campaign_id, "+12125550101", zip_code="10001")
        files[name] = [
            recorded(engine, campaign_id, contact, settings.recordings_dir, name)[1]
            for _ in range(calls)
        ]
    engine.dispose()
    return files


def test_an_intact_archive_exits_0(app: typer.Typer, config: Path) -> None:
    archive(config)

    result = CliRunner().invoke(app, ["recordings", "verify", "--config", str(config)])

    assert result.exit_code == 0, result.output
    assert "all 3 recordings verified" in result.stdout


def test_an_altered_recording_exits_1_and_json_names_it(app: typer.Typer, config: Path) -> None:
    gotv = archive(config)["gotv"][0]
    gotv.write_bytes(b"tampered")

    result = CliRunner().invoke(app, ["recordings", "verify", "--config", str(config), "--json"])

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["counts"] == {"ok": 2, "missing": 0, "altered": 1, "unverifiable": 0}
    assert report["problems"][0]["path"] == str(gotv)


def test_a_missing_recording_exits_1_with_a_one_line_error(app: typer.Typer, config: Path) -> None:
    archive(config)["fundraiser"][0].unlink()

    result = CliRunner().invoke(app, ["recordings", "verify", "--config", str(config)])

    assert result.exit_code == 1
    assert "missing" in result.stdout
    assert result.stderr.startswith("error: 1 of 3 recordings are missing, altered or unreadable")
    assert result.stderr.count("\n") == 1


def test_checking_one_campaign_ignores_the_others_problems(app: typer.Typer, config: Path) -> None:
    archive(config)["fundraiser"][0].unlink()

    result = CliRunner().invoke(
        app, ["recordings", "verify", "--config", str(config), "--campaign", "gotv"]
    )

    assert result.exit_code == 0, result.output
    assert "all 2 recordings verified" in result.stdout


def test_an_unknown_campaign_or_config_is_one_line_naming_the_fix(
    app: typer.Typer, config: Path, tmp_path: Path
) -> None:
    archive(config)

    unknown = CliRunner().invoke(
        app, ["recordings", "verify", "--config", str(config), "--campaign", "nope"]
    )
    no_config = CliRunner().invoke(
        app, ["recordings", "verify", "--config", str(tmp_path / "absent.toml")]
    )

    assert unknown.exit_code == 1
    assert (
        unknown.stderr.startswith("error: no campaign 'nope'") and unknown.stderr.count("\n") == 1
    )
    assert no_config.exit_code == 1
    assert "run `phonebank init`" in no_config.stderr and no_config.stderr.count("\n") == 1
