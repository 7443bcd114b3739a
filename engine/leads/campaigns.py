"""Campaign administration: create and configure campaigns, move them between statuses, and
report what the store knows about one.

Every change is validated in full (hours, states, caller IDs, limits and the dialing settings)
before it touches the row, and status changes and edits leave an audit entry. The running
engine polls the status column, so starting or pausing a campaign is just a committed row.
"""

from __future__ import annotations

import re
import shutil
import wave
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select

from engine.campaign.settings import DialingSettings
from engine.compliance.hours import CallingHours
from engine.compliance.zones import default_zone_tables
from engine.dialing.caller_id import CallerIdPool
from engine.leads.dispositions import seed_dispositions
from engine.store.models import (
    AuditEntry,
    CallAttempt,
    Campaign,
    CampaignStatus,
    CellPolicy,
    Contact,
    ContactList,
    LeadState,
)
from pacing.ledger import AbandonLedger

DIAL_MODES = ("preview", "progressive", "power", "predictive")
# Modes that dial ahead of a free agent, so a live answer can find nobody and must hear a message.
ABANDONING_MODES = frozenset({"power", "predictive"})
LEGAL_ABANDON_TARGET = 0.03  # the TSR safe harbor: 3% of live answers over 30 days
MAX_ABANDON_TARGET = 0.05
# Asterisk's format_wav reads 8 kHz from `.wav` and 16 kHz only from `.wav16`.
SOUND_SUFFIX_BY_RATE = {8000: ".wav", 16000: ".wav16"}
# The name becomes a folder for prompts and recordings, so it stays a plain path component.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,119}")
# Columns `update_campaign` may change; name, status and the pacer's state have their own paths.
EDITABLE_FIELDS = frozenset({
    "mode", "calling_hours", "states", "caller_ids", "abandon_target", "cell_policy",
    "uses_national_dnc", "max_attempts", "max_attempts_per_day", "max_attempts_24h", "dialing",
})
_STOPPED = CampaignStatus.ARCHIVED  # stopping is final unless reopened


class CampaignError(ValueError):
    """A campaign setting is wrong or a campaign is missing; the message names the fix."""


class SettingError(CampaignError):
    """One named setting (a Campaign column or a DialingSettings field) has a bad value."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(f"{setting}: {message}")
        self.setting = setting
        self.reason = message


class StartRefused(CampaignError):
    """The campaign cannot dial yet; ``problems`` holds one line per thing to fix."""

    def __init__(self, name: str, problems: list[str]) -> None:
        super().__init__(f"campaign {name!r} cannot start: " + "; ".join(problems))
        self.problems = problems


def create_campaign(session: Session, name: str, actor: str = "cli", **settings: Any) -> Campaign:
    """A new draft campaign with the default dispositions; every setting is validated.

    ``settings`` are Campaign columns; ``dialing`` may be a partial DialingSettings dict, and
    is stored complete. The caller commits.
    """
    if _NAME.fullmatch(name) is None:
        raise CampaignError(
            f"campaign name {name!r}: use letters, digits, '-', '_' and '.' (e.g. GOTV-2026), "
            "at most 120 characters"
        )
    if session.exec(select(Campaign).where(Campaign.name == name)).first() is not None:
        raise CampaignError(f"a campaign named {name!r} already exists: pick another name")
    campaign = Campaign(name=name, **settings)
    campaign.dialing = dialing_settings(campaign.dialing).model_dump(mode="json")
    check_campaign(campaign)
    session.add(campaign)
    session.flush()
    assert campaign.id is not None
    seed_dispositions(session, campaign.id)
    _audit(session, campaign, "campaign.create", actor, {"name": name})
    return campaign


def update_campaign(session: Session, campaign: Campaign, actor: str = "cli", **settings: Any) -> dict[str, Any]:
    """Change the given settings only; ``dialing`` is merged into the stored dialing settings.

    Returns ``{setting: {"from": old, "to": new}}`` for the values that changed, dialing settings
    by their own names (also written to the audit log). Nothing changes when any value is bad. The caller commits.
    """
    unknown = sorted(set(settings) - EDITABLE_FIELDS)
    if unknown:
        raise CampaignError(f"cannot change {', '.join(unknown)}: editable are {', '.join(sorted(EDITABLE_FIELDS))}")
    before = campaign.model_dump()
    if "dialing" in settings:
        merged = {**before["dialing"], **settings["dialing"]}
        settings["dialing"] = dialing_settings(merged).model_dump(mode="json")
    candidate = Campaign(**{**before, **settings})
    check_campaign(candidate)
    changes = _differences(before, settings)
    for key, value in settings.items():
        setattr(campaign, key, value)
    if changes:
        session.add(campaign)
        _audit(session, campaign, "campaign.update", actor, changes)
    return changes


def _differences(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """Changed values by setting name; dialing settings are named on their own, not as one blob."""
    changes = {}
    for key, value in after.items():
        if key == "dialing":
            changes.update(_differences(before[key], value))
        elif before.get(key) != value:
            changes[key] = {"from": before.get(key), "to": value}
    return changes


def dialing_settings(data: Mapping[str, Any]) -> DialingSettings:
    """Validate a campaign's dialing settings; the first problem raises a SettingError."""
    try:
        return DialingSettings.model_validate(dict(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        setting = str(first["loc"][0]) if first["loc"] else "dialing"
        raise SettingError(setting, f"{first['msg']} (got {first['input']!r})") from exc


def check_campaign(campaign: Campaign) -> None:
    """Raise a SettingError naming the first bad setting of ``campaign``."""
    try:
        CallingHours.parse(campaign.calling_hours)
    except ValueError as exc:
        raise SettingError("calling_hours", str(exc)) from exc
    if campaign.mode not in DIAL_MODES:
        raise SettingError("mode", f"{campaign.mode!r} is not a dial mode: use one of {', '.join(DIAL_MODES)}")
    unknown = sorted(set(campaign.states) - set(default_zone_tables().state_zones))
    if unknown:
        raise SettingError("states", f"unknown state(s) {', '.join(unknown)}: use two-letter codes such as FL")
    if campaign.cell_policy not in set(CellPolicy):
        raise SettingError("cell_policy", f"{campaign.cell_policy!r}: use dial, skip or manual")
    if campaign.caller_ids:
        try:
            CallerIdPool(campaign.caller_ids)
        except ValueError as exc:
            raise SettingError("caller_ids", str(exc)) from exc
    if not 0 < campaign.abandon_target <= MAX_ABANDON_TARGET:
        raise SettingError(
            "abandon_target",
            f"{campaign.abandon_target} is outside (0, {MAX_ABANDON_TARGET}]: the legal limit is {LEGAL_ABANDON_TARGET}",
        )
    for limit in ("max_attempts", "max_attempts_per_day", "max_attempts_24h"):
        if getattr(campaign, limit) < 1:
            raise SettingError(limit, f"{getattr(campaign, limit)} is below 1: a contact needs at least one attempt")
    dialing_settings(campaign.dialing)


def find_campaign(session: Session, name_or_id: str) -> Campaign:
    """The campaign with this name (or numeric id); CampaignError naming the fix otherwise."""
    campaign = session.exec(select(Campaign).where(Campaign.name == name_or_id)).first()
    if campaign is None and name_or_id.isdigit():
        campaign = session.get(Campaign, int(name_or_id))
    if campaign is None:
        raise CampaignError(
            f"no campaign {name_or_id!r}: list them with `phonebank campaigns list` "
            "or create it with `phonebank campaigns create NAME`"
        )
    return campaign


def calling_hours(campaign: Campaign) -> CallingHours:
    """The campaign's hours, validated (a bad value raises with the fix in the message)."""
    try:
        return CallingHours.parse(campaign.calling_hours)
    except ValueError as exc:
        raise CampaignError(f"campaign {campaign.name!r}: {exc}") from exc


def sound_name(source: Path) -> str:
    """The name a prompt WAV is stored under, after checking Asterisk can play it.

    Asterisk plays only 16-bit mono PCM at 8 kHz (``.wav``) or 16 kHz (``.wav16``); anything
    else fails silently on a live call, so it is refused here with the sox line that fixes it.
    """
    fix = f"convert it with `sox {source} -r 8000 -c 1 -b 16 -e signed-integer {source.stem}-8k.wav`"
    try:
        with wave.open(str(source), "rb") as audio:
            channels, width, rate = audio.getnchannels(), audio.getsampwidth(), audio.getframerate()
            frames = audio.getnframes()
    except FileNotFoundError:
        raise CampaignError(f"{source} does not exist: give the path of a WAV file") from None
    except (OSError, EOFError, wave.Error) as exc:
        raise CampaignError(f"{source} is not a PCM WAV file ({exc}): {fix}") from None
    if channels != 1 or width != 2 or rate not in SOUND_SUFFIX_BY_RATE:
        raise CampaignError(
            f"{source} is {rate} Hz, {channels} channel(s), {8 * width}-bit; Asterisk needs mono 16-bit "
            f"at 8 or 16 kHz: {fix}"
        )
    if frames == 0:
        raise CampaignError(f"{source} holds no audio: record the message again")
    return source.stem + SOUND_SUFFIX_BY_RATE[rate]


def install_sound(source: Path, sounds_dir: Path, campaign_name: str) -> Path:
    """Copy a prompt checked by :func:`sound_name` to ``sounds_dir/<campaign>/``, where the engine plays it from."""
    target = sounds_dir / campaign_name / sound_name(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def start_problems(session: Session, campaign: Campaign, trunks: Collection[str], sounds_dir: Path) -> list[str]:
    """Why the campaign cannot dial yet, one line per fix (empty when it can).

    ``trunks`` are the trunk names configured in phonebank.toml.
    """
    problems = []
    name = campaign.name
    dialing = dialing_settings(campaign.dialing)
    if not campaign.caller_ids:
        problems.append(f"no caller IDs: add one with `phonebank campaigns update {name} --caller-id +1...`")
    contacts = dict(session.exec(
        select(Contact.lead_state, func.count()).where(Contact.campaign_id == campaign.id).group_by(Contact.lead_state)
    ).all())
    if not contacts:
        problems.append(f"no contacts: import a list with `phonebank lists import FILE --campaign {name}`")
    elif not contacts.get(LeadState.READY):
        problems.append(f"every contact is done or on a do-not-call list: import more with `phonebank lists import FILE --campaign {name}`")
    missing = [trunk for trunk in dialing.trunks if trunk not in trunks]
    if missing:
        problems.append(
            f"trunk(s) {', '.join(missing)} not in phonebank.toml: add a [[trunks]] entry or "
            f"`phonebank campaigns update {name} --trunk NAME`"
        )
    elif not trunks:
        problems.append("no trunks in phonebank.toml: add a [[trunks]] entry for your carrier")
    if campaign.mode in ABANDONING_MODES and not dialing.safe_harbor:
        problems.append(
            f"{campaign.mode} mode abandons calls and needs a safe-harbor message: "
            f"`phonebank campaigns update {name} --safe-harbor FILE.wav`"
        )
    if dialing.machine_action == "voicemail" and not dialing.voicemail:
        problems.append(f"machine action is voicemail but no message is set: `phonebank campaigns update {name} --voicemail FILE.wav`")
    for setting, sound in (("safe-harbor", dialing.safe_harbor), ("voicemail", dialing.voicemail)):
        if sound and not (sounds_dir / name / sound).is_file():
            problems.append(f"{setting} file {sound} is missing from {sounds_dir / name}: set it again with --{setting}")
    return problems


def start_campaign(
    session: Session, campaign: Campaign, trunks: Collection[str], sounds_dir: Path,
    actor: str = "cli", reopen: bool = False,
) -> bool:
    """Make the campaign active (from draft or paused; from stopped only with ``reopen``).

    Raises StartRefused listing every fix when it cannot dial. Returns False when it was
    already active. The caller commits.
    """
    if campaign.status == CampaignStatus.ACTIVE:
        return False
    if campaign.status == _STOPPED and not reopen:
        raise CampaignError(f"campaign {campaign.name!r} was stopped: pass --reopen to dial it again")
    problems = start_problems(session, campaign, trunks, sounds_dir)
    if problems:
        raise StartRefused(campaign.name, problems)
    _set_status(session, campaign, CampaignStatus.ACTIVE, "campaign.start", actor)
    return True


def pause_campaign(session: Session, campaign: Campaign, actor: str = "cli") -> bool:
    """Pause an active campaign (calls in flight finish); False when already paused."""
    if campaign.status == CampaignStatus.PAUSED:
        return False
    if campaign.status != CampaignStatus.ACTIVE:
        raise CampaignError(f"campaign {campaign.name!r} is {campaign.status}, not active: only an active campaign pauses")
    _set_status(session, campaign, CampaignStatus.PAUSED, "campaign.pause", actor)
    return True


def stop_campaign(session: Session, campaign: Campaign, actor: str = "cli") -> bool:
    """Stop the campaign for good (status archived); False when already stopped."""
    if campaign.status == _STOPPED:
        return False
    _set_status(session, campaign, _STOPPED, "campaign.stop", actor)
    return True


def _set_status(session: Session, campaign: Campaign, status: CampaignStatus, action: str, actor: str) -> None:
    _audit(session, campaign, action, actor, {"from": campaign.status, "to": status.value})
    campaign.status = status.value
    session.add(campaign)


def _audit(session: Session, campaign: Campaign, action: str, actor: str, detail: dict[str, Any]) -> None:
    session.add(AuditEntry(actor=actor, action=action, entity="campaign", entity_id=str(campaign.id), detail=detail))


@dataclass(frozen=True)
class AbandonSummary:
    """The pacer's saved abandon ledger, read at one instant."""

    window_days: int
    abandons: int
    live_answers: int
    rate: float
    today_abandons: int
    today_live_answers: int


@dataclass(frozen=True)
class CampaignReport:
    """What the store knows about a campaign now: its contacts, attempts and abandons."""

    lists: dict[str, int]  # contacts per list name
    lead_states: dict[str, int]
    attempts: int
    outcomes: dict[str, int]  # "in_progress" for attempts with no result yet
    dispositions: dict[str, int]
    abandons: AbandonSummary | None


def campaign_report(session: Session, campaign: Campaign, now: float) -> CampaignReport:
    """Counts for ``campaign``; ``now`` is epoch seconds, the clock the engine's ledger keeps."""
    where = CallAttempt.campaign_id == campaign.id
    lists = dict(session.exec(
        select(ContactList.name, func.count(col(Contact.id)))
        .join(Contact, col(Contact.list_id) == ContactList.id, isouter=True)
        .where(ContactList.campaign_id == campaign.id).group_by(ContactList.name).order_by(ContactList.name)
    ).all())
    outcomes = _count_by(session, CallAttempt.outcome, where)
    return CampaignReport(
        lists=lists,
        lead_states=_count_by(session, Contact.lead_state, Contact.campaign_id == campaign.id),
        attempts=sum(outcomes.values()),
        outcomes={key or "in_progress": count for key, count in outcomes.items()},
        dispositions={key: count for key, count in _count_by(session, CallAttempt.disposition, where).items() if key},
        abandons=_abandon_summary(campaign.pacing_state, now),
    )


def campaign_totals(session: Session) -> dict[int, tuple[int, int]]:
    """(contacts, attempts) per campaign id, for listings."""
    contacts = _count_by(session, Contact.campaign_id)
    attempts = _count_by(session, CallAttempt.campaign_id)
    return {key: (contacts.get(key, 0), attempts.get(key, 0)) for key in contacts.keys() | attempts.keys()}


def _count_by(session: Session, column: Any, *where: ColumnElement[bool] | bool) -> dict[Any, int]:
    query = select(column, func.count()).where(*where).group_by(column)
    return {key: count for key, count in session.exec(query).all()}


def _abandon_summary(pacing_state: Mapping[str, Any], now: float) -> AbandonSummary | None:
    if "ledger" not in pacing_state:
        return None
    ledger = AbandonLedger.from_dict(pacing_state["ledger"])
    abandons, live = ledger.totals(now)
    today_abandons, today_live = ledger.day_totals(now)
    return AbandonSummary(ledger.window_days, abandons, live, ledger.rate(now), today_abandons, today_live)
