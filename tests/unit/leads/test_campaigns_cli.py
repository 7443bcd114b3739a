"""`phonebank campaigns` end to end: a temp phonebank.toml, its SQLite store, the real commands."""

from __future__ import annotations

import json
import time
import wave
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner, Result

from cli.campaigns import campaigns_app
from engine.audio import write_tone
from engine.config import load_settings
from engine.initconfig import InitOptions, write_config
from engine.store.db import make_engine
from engine.store.models import AuditEntry, CallAttempt, Campaign, ContactList
from pacing.ledger import AbandonLedger
from tests.unit.leads import seed

runner = CliRunner()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path / "phonebank.toml", InitOptions(lab=True))


@pytest.fixture
def sound(tmp_path: Path) -> Path:
    return write_tone(tmp_path / "safe harbor.wav", 440, 0.5)


def run(config: Path, *args: str) -> Result:
    return runner.invoke(campaigns_app, [*args, "--config", str(config)])


def show(config: Path, name: str) -> dict:
    result = run(config, "show", name, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def database(config: Path) -> Engine:
    return make_engine(load_settings(config).database_url)


def audit(config: Path) -> list[tuple[str, dict]]:
    with Session(database(config)) as session:
        rows = session.exec(select(AuditEntry).where(AuditEntry.entity == "campaign").order_by(AuditEntry.id)).all()
        return [(row.action, row.detail) for row in rows]


def add_contact(config: Path, name: str, e164: str = "+12025550143") -> None:
    engine = database(config)
    with Session(engine) as session:
        campaign_id = session.exec(select(Campaign.id).where(Campaign.name == name)).one()
        if session.exec(select(ContactList).where(ContactList.campaign_id == campaign_id)).first() is None:
            session.add(ContactList(campaign_id=campaign_id, name="voters"))
            session.commit()
    seed.contact(engine, campaign_id, e164, zip_code="20001")


def write_wav(path: Path, rate: int, channels: int) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x01" * (channels * rate // 10))
    return path


def ready_campaign(config: Path, sound: Path, name: str = "gotv") -> None:
    result = run(config, "create", name, "--mode", "predictive", "--caller-id", "+12025550100",
                 "--trunk", "lab", "--safe-harbor", str(sound))
    assert result.exit_code == 0, result.output
    add_contact(config, name)


def test_create_with_every_option_round_trips_into_show(config: Path, sound: Path, tmp_path: Path) -> None:
    wide = write_wav(tmp_path / "vm.wav", 16000, 1)
    result = run(
        config, "create", "GOTV-2026", "--mode", "power", "--hours", "weekday=10:00-20:00",
        "--hours", "sunday=closed", "--hours", "holidays=closed", "--state", "fl", "--state", "GA",
        "--caller-id", "+12025550100", "--caller-id", "+13055550100", "--abandon-target", "0.02",
        "--cell-policy", "skip", "--no-national-dnc", "--max-attempts", "4", "--max-per-day", "1",
        "--max-per-24h", "1", "--trunk", "lab", "--ring-timeout", "20", "--lines-per-agent", "2.5",
        "--operating-target", "0.015", "--power-ratio", "1.5", "--amd", "--amd-params", "2000,1500",
        "--machine-action", "voicemail", "--voicemail", str(wide), "--safe-harbor", str(sound),
        "--optout-digit", "#", "--abandon-deadline", "1.2", "--no-record", "--wrap-up", "15",
    )
    assert result.exit_code == 0, result.output
    data = show(config, "GOTV-2026")
    assert data["status"] == "draft"
    assert {key: data[key] for key in (
        "mode", "calling_hours", "states", "caller_ids", "abandon_target", "cell_policy",
        "uses_national_dnc", "max_attempts", "max_attempts_per_day", "max_attempts_24h",
    )} == {
        "mode": "power",
        "calling_hours": {"weekday": "10:00-20:00", "saturday": "10:00-21:00", "sunday": None, "holidays": "closed"},
        "states": ["FL", "GA"], "caller_ids": ["+12025550100", "+13055550100"], "abandon_target": 0.02,
        "cell_policy": "skip", "uses_national_dnc": False, "max_attempts": 4, "max_attempts_per_day": 1,
        "max_attempts_24h": 1,
    }
    assert data["dialing"] == {
        "trunks": ["lab"], "ring_timeout": 20, "lines_per_agent": 2.5, "operating_target": 0.015,
        "power_ratio": 1.5, "amd": True, "amd_params": "2000,1500", "machine_action": "voicemail",
        # A 16 kHz prompt is stored as .wav16: Asterisk reads only 8 kHz from a .wav.
        "voicemail": "vm.wav16", "safe_harbor": "safe harbor.wav", "optout_digit": "#",
        "abandon_deadline": 1.2, "record": False, "wrap_up_seconds": 15,
    }
    prompts = load_settings(config).sounds_dir / "GOTV-2026"
    assert (prompts / "safe harbor.wav").read_bytes() == sound.read_bytes()
    assert (prompts / "vm.wav16").read_bytes() == wide.read_bytes()
    assert data["lead_states"] == {} and data["attempts"] == 0 and data["abandons"] is None


def test_defaults_fill_what_create_leaves_out(config: Path) -> None:
    assert run(config, "create", "plain").exit_code == 0
    data = show(config, "plain")
    assert data["mode"] == "predictive" and data["cell_policy"] == "manual" and data["uses_national_dnc"] is True
    assert data["dialing"]["ring_timeout"] == 25 and data["dialing"]["safe_harbor"] is None
    assert [action for action, _ in audit(config)] == ["campaign.create"]


@pytest.mark.parametrize(("args", "named"), [
    (["--ring-timeout", "10"], "--ring-timeout"),
    (["--abandon-target", "0.06"], "--abandon-target"),
    (["--abandon-target", "0"], "--abandon-target"),
    (["--caller-id", "2025550100"], "--caller-id"),
    (["--caller-id", "+12025550100", "--caller-id", "+12025550100"], "--caller-id"),
    (["--mode", "turbo"], "--mode"),
    (["--state", "ZZ"], "--state"),
    (["--hours", "weekday=9-5"], "--hours"),
    (["--hours", "noon"], "--hours"),
    (["--hours", "monday=09:00-17:00"], "--hours"),
    (["--cell-policy", "maybe"], "--cell-policy"),
    (["--machine-action", "drop"], "--machine-action"),
    (["--optout-digit", "x"], "--optout-digit"),
    (["--abandon-deadline", "2"], "--abandon-deadline"),
    (["--trunk", "lab", "--trunk", "lab"], "--trunk"),
    (["--max-attempts", "0"], "--max-attempts"),
    (["--max-per-day", "0"], "--max-per-day"),
    (["--wrap-up", "-1"], "--wrap-up"),
    (["--lines-per-agent", "0"], "--lines-per-agent"),
])
def test_a_bad_value_is_one_line_naming_the_option(config: Path, args: list[str], named: str) -> None:
    result = run(config, "create", "gotv", *args)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {named}"), result.stderr
    assert json.loads(run(config, "list", "--json").stdout) == []


@pytest.mark.parametrize(("rate", "channels"), [(44100, 1), (8000, 2)])
def test_a_prompt_asterisk_cannot_play_is_refused_with_the_sox_fix(config: Path, tmp_path: Path, rate: int, channels: int) -> None:
    bad = write_wav(tmp_path / "cd.wav", rate, channels)
    result = run(config, "create", "gotv", "--safe-harbor", str(bad))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --safe-harbor:") and "sox" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (load_settings(config).sounds_dir / "gotv").exists()


def test_a_file_that_is_not_a_wav_is_refused(config: Path, tmp_path: Path) -> None:
    text = tmp_path / "message.wav"
    text.write_text("hello")
    result = run(config, "create", "gotv", "--voicemail", str(text))
    assert result.exit_code == 1 and "error: --voicemail:" in result.stderr and "sox" in result.stderr


def test_a_name_that_is_not_a_plain_folder_name_is_refused(config: Path) -> None:
    result = run(config, "create", "../escape")
    assert result.exit_code == 1 and "letters, digits" in result.stderr


def test_an_abandon_target_above_the_legal_limit_warns_but_is_kept(config: Path) -> None:
    result = run(config, "create", "gotv", "--abandon-target", "0.04")
    assert result.exit_code == 0
    assert "warning" in result.stderr and "0.03" in result.stderr
    assert show(config, "gotv")["abandon_target"] == 0.04


def test_update_changes_only_the_options_given(config: Path) -> None:
    assert run(config, "create", "gotv", "--state", "FL", "--ring-timeout", "20", "--hours", "saturday=10:00-18:00").exit_code == 0
    result = run(config, "update", "gotv", "--ring-timeout", "30", "--hours", "sunday=closed", "--amd")
    assert result.exit_code == 0, result.output
    data = show(config, "gotv")
    assert data["dialing"]["ring_timeout"] == 30 and data["dialing"]["amd"] is True
    assert data["states"] == ["FL"]
    assert data["calling_hours"] == {"weekday": "09:00-21:00", "saturday": "10:00-18:00", "sunday": None}
    action, detail = audit(config)[-1]
    assert action == "campaign.update"
    assert detail == {
        "ring_timeout": {"from": 20, "to": 30}, "amd": {"from": False, "to": True},
        "calling_hours": {
            "from": {"weekday": "09:00-21:00", "saturday": "10:00-18:00", "sunday": "12:00-21:00"},
            "to": {"weekday": "09:00-21:00", "saturday": "10:00-18:00", "sunday": None},
        },
    }


def test_a_bad_update_changes_nothing(config: Path) -> None:
    assert run(config, "create", "gotv", "--ring-timeout", "20").exit_code == 0
    result = run(config, "update", "gotv", "--power-ratio", "3", "--ring-timeout", "5")
    assert result.exit_code == 1 and result.stderr.startswith("error: --ring-timeout")
    data = show(config, "gotv")
    assert data["dialing"]["ring_timeout"] == 20 and data["dialing"]["power_ratio"] == 2.0
    assert [action for action, _ in audit(config)] == ["campaign.create"]


def test_update_can_remove_a_prompt_and_needs_an_option(config: Path, sound: Path) -> None:
    assert run(config, "create", "gotv", "--voicemail", str(sound)).exit_code == 0
    assert run(config, "update", "gotv", "--voicemail", "none").exit_code == 0
    assert show(config, "gotv")["dialing"]["voicemail"] is None
    result = run(config, "update", "gotv")
    assert result.exit_code == 1 and "nothing to change" in result.stderr


def test_start_names_every_missing_piece(config: Path) -> None:
    assert run(config, "create", "gotv", "--mode", "predictive", "--trunk", "carrier").exit_code == 0
    result = run(config, "start", "gotv")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 4 and all(line.startswith("error: ") for line in lines)
    assert "no caller IDs" in lines[0] and "--caller-id" in lines[0]
    assert "no contacts" in lines[1] and "phonebank lists import" in lines[1]
    assert "carrier" in lines[2] and "[[trunks]]" in lines[2]
    assert "safe-harbor" in lines[3] and "--safe-harbor" in lines[3]
    assert show(config, "gotv")["status"] == "draft"


def test_progressive_needs_no_safe_harbor(config: Path) -> None:
    assert run(config, "create", "gotv", "--mode", "progressive", "--caller-id", "+12025550100").exit_code == 0
    add_contact(config, "gotv")
    result = run(config, "start", "gotv")
    assert result.exit_code == 0, result.output
    assert show(config, "gotv")["status"] == "active"


def test_a_prompt_deleted_from_disk_blocks_start(config: Path, sound: Path) -> None:
    ready_campaign(config, sound)
    (load_settings(config).sounds_dir / "gotv" / sound.name).unlink()
    result = run(config, "start", "gotv")
    assert result.exit_code == 1 and "missing" in result.stderr


def test_status_transitions_write_audit_entries(config: Path, sound: Path) -> None:
    ready_campaign(config, sound)
    steps = [
        (["start", "gotv"], 0, "active"),
        (["start", "gotv"], 0, "active"),
        (["pause", "gotv"], 0, "paused"),
        (["pause", "gotv"], 0, "paused"),
        (["start", "gotv"], 0, "active"),
        (["stop", "gotv"], 0, "archived"),
        (["pause", "gotv"], 1, "archived"),
        (["start", "gotv"], 1, "archived"),
        (["start", "gotv", "--reopen"], 0, "active"),
    ]
    for args, code, status in steps:
        result = run(config, *args)
        assert result.exit_code == code, (args, result.output)
        assert show(config, "gotv")["status"] == status, args
    assert audit(config)[1:] == [
        ("campaign.start", {"from": "draft", "to": "active"}),
        ("campaign.pause", {"from": "active", "to": "paused"}),
        ("campaign.start", {"from": "paused", "to": "active"}),
        ("campaign.stop", {"from": "active", "to": "archived"}),
        ("campaign.start", {"from": "archived", "to": "active"}),
    ]


def test_a_draft_cannot_be_paused(config: Path) -> None:
    assert run(config, "create", "gotv").exit_code == 0
    result = run(config, "pause", "gotv")
    assert result.exit_code == 1 and "draft" in result.stderr


def test_an_active_campaign_keeps_what_it_needs_to_dial(config: Path, sound: Path) -> None:
    ready_campaign(config, sound)
    assert run(config, "start", "gotv").exit_code == 0
    result = run(config, "update", "gotv", "--safe-harbor", "none")
    assert result.exit_code == 1 and "pause it first" in result.stderr
    assert show(config, "gotv")["dialing"]["safe_harbor"] == sound.name
    assert run(config, "update", "gotv", "--ring-timeout", "40").exit_code == 0


def test_show_and_list_count_contacts_attempts_and_abandons(config: Path, sound: Path) -> None:
    ready_campaign(config, sound)
    add_contact(config, "gotv", "+13055550199")
    assert run(config, "create", "other").exit_code == 0
    engine = database(config)
    now = time.time()
    ledger = AbandonLedger()
    for _ in range(40):
        ledger.record_live(now)
    ledger.record_abandon(now)
    with Session(engine) as session:
        campaign = session.exec(select(Campaign).where(Campaign.name == "gotv")).one()
        campaign.pacing_state = {"ledger": ledger.to_dict()}
        session.add(campaign)
        dialed = datetime.now(UTC)
        for index, (outcome, disposition) in enumerate([("connected", "SUP"), ("busy", "B"), ("busy", "B"), (None, None)]):
            session.add(CallAttempt(
                id=f"00000000-0000-0000-0000-00000000000{index}", campaign_id=campaign.id, contact_id=1,
                number_called="+12025550143", caller_id="+12025550100", dialed_at=dialed,
                outcome=outcome, disposition=disposition,
            ))
        session.commit()
    data = show(config, "gotv")
    assert data["lists"] == {"voters": 2} and data["lead_states"] == {"ready": 2}
    assert data["attempts"] == 4
    assert data["outcomes"] == {"connected": 1, "busy": 2, "in_progress": 1}
    assert data["dispositions"] == {"SUP": 1, "B": 2}
    assert data["abandons"] == {
        "window_days": 30, "abandons": 1, "live_answers": 40, "rate": 0.025,
        "today_abandons": 1, "today_live_answers": 40,
    }
    listed = {row["name"]: row for row in json.loads(run(config, "list", "--json").stdout)}
    assert (listed["gotv"]["contacts"], listed["gotv"]["attempts"]) == (2, 4)
    assert (listed["other"]["contacts"], listed["other"]["attempts"]) == (0, 0)
    text = run(config, "show", "gotv")
    assert text.exit_code == 0 and "1 of 40 live answers" in text.stdout and "2.50%" in text.stdout


def test_show_names_the_fix_for_an_unknown_campaign(config: Path) -> None:
    result = run(config, "show", "nope")
    assert result.exit_code == 1 and "phonebank campaigns list" in result.stderr
