"""`phonebank campaigns`: create and configure campaigns, start, pause and stop them, and see them."""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.markup import escape
from rich.table import Table
from sqlmodel import Session, select

from cli.common import (
    ConfigOption,
    JsonOption,
    console,
    err_console,
    fail,
    print_json,
    settings_or_exit,
)
from cli.watch import watch as watch_metrics
from engine.campaign.settings import DialingSettings
from engine.config import Settings
from engine.leads.campaigns import (
    DIAL_MODES,
    LEGAL_ABANDON_TARGET,
    CampaignError,
    SettingError,
    StartRefused,
    campaign_report,
    campaign_totals,
    create_campaign,
    find_campaign,
    install_sound,
    pause_campaign,
    sound_name,
    start_campaign,
    start_problems,
    stop_campaign,
    update_campaign,
)
from engine.store.db import open_database
from engine.store.models import DEFAULT_CALLING_HOURS, Campaign, CampaignStatus

campaigns_app = typer.Typer(help="Create, configure, start, pause, stop and inspect campaigns.", no_args_is_help=True)

NameArgument = Annotated[str, typer.Argument(help="Campaign name (or id).")]
Mode = Annotated[str | None, typer.Option("--mode", help=f"{' | '.join(DIAL_MODES)} (default predictive).")]
Hours = Annotated[list[str] | None, typer.Option(
    "--hours", help="DAY=HH:MM-HH:MM or DAY=closed for weekday, saturday, sunday; holidays=open|closed (repeat; other days keep their hours).")]
States = Annotated[list[str] | None, typer.Option("--state", help="A two-letter state the campaign calls into (repeat; replaces the list).")]
CallerIds = Annotated[list[str] | None, typer.Option("--caller-id", help="A verified caller ID in E.164, e.g. +12025550123 (repeat; replaces the pool).")]
AbandonTarget = Annotated[float | None, typer.Option("--abandon-target", help="Abandon rate ceiling over 30 days, 0 < x <= 0.05 (default 0.03, the legal limit).")]
CellPolicyOption = Annotated[str | None, typer.Option("--cell-policy", help="Cell phones without consent: dial, skip or manual (default manual).")]
NationalDnc = Annotated[bool | None, typer.Option("--national-dnc/--no-national-dnc", help="Scrub against the national registry (default yes).")]
MaxAttempts = Annotated[int | None, typer.Option("--max-attempts", help="Lifetime attempts per contact (default 6).")]
MaxPerDay = Annotated[int | None, typer.Option("--max-per-day", help="Attempts per contact per local day (default 2).")]
MaxPer24h = Annotated[int | None, typer.Option("--max-per-24h", help="Attempts per contact in any 24 hours (default 2).")]
Trunks = Annotated[list[str] | None, typer.Option("--trunk", help="A trunk from phonebank.toml (repeat; default: every trunk).")]
RingTimeout = Annotated[int | None, typer.Option("--ring-timeout", help="Seconds to ring, 15-120 (default 25).")]
LinesPerAgent = Annotated[float | None, typer.Option("--lines-per-agent", help="Most calls in flight per ready agent (default 3).")]
OperatingTarget = Annotated[float | None, typer.Option("--operating-target", help="Predictive: abandon rate to aim at, below the target (default 0.025).")]
PowerRatio = Annotated[float | None, typer.Option("--power-ratio", help="Power mode: lines per ready agent, 1-10 (default 2).")]
Amd = Annotated[bool | None, typer.Option("--amd/--no-amd", help="Detect answering machines (default no).")]
AmdParams = Annotated[str | None, typer.Option("--amd-params", help="Arguments for Asterisk's AMD() (default: amd.conf).")]
MachineActionOption = Annotated[str | None, typer.Option("--machine-action", help="On a machine: hangup or voicemail (default hangup).")]
Voicemail = Annotated[Path | None, typer.Option("--voicemail", help="WAV to leave on machines, or 'none' to remove it.")]
SafeHarbor = Annotated[Path | None, typer.Option("--safe-harbor", help="WAV played when no agent is free (needed by power and predictive), or 'none'.")]
OptoutDigit = Annotated[str | None, typer.Option("--optout-digit", help="Key that opts out during the safe-harbor message (default 9).")]
AbandonDeadline = Annotated[float | None, typer.Option("--abandon-deadline", help="Seconds after the greeting before the safe-harbor message, <= 1.8 (default 1.5).")]
Record = Annotated[bool | None, typer.Option("--record/--no-record", help="Record conversations (default yes).")]
WrapUp = Annotated[int | None, typer.Option("--wrap-up", help="Seconds of wrap-up after a call before the agent is ready (default 60).")]

CAMPAIGN_SETTINGS = (
    "mode", "calling_hours", "states", "caller_ids", "abandon_target", "cell_policy", "uses_national_dnc",
    "max_attempts", "max_attempts_per_day", "max_attempts_24h",
)
SOUND_SETTINGS = ("voicemail", "safe_harbor")
# Settings whose option is not simply --<setting-with-dashes>.
OPTION_NAMES = {
    "calling_hours": "--hours", "states": "--state", "caller_ids": "--caller-id", "uses_national_dnc": "--national-dnc",
    "max_attempts_per_day": "--max-per-day", "max_attempts_24h": "--max-per-24h", "trunks": "--trunk",
    "wrap_up_seconds": "--wrap-up",
}
CLEAR_SOUND = "none"


def _fail(message: str) -> NoReturn:
    # Messages quote user input and TOML ("[[trunks]]"), which rich would read as markup.
    fail(escape(message))


def option_name(setting: str) -> str:
    """The command-line option that sets ``setting``."""
    return OPTION_NAMES.get(setting, "--" + setting.replace("_", "-"))


def _given(values: dict[str, Any]) -> dict[str, Any]:
    """The setting options given on the command line (parameters are named after settings)."""
    names = (*CAMPAIGN_SETTINGS, *DialingSettings.model_fields)
    return {name: values[name] for name in names if values.get(name) is not None}


def _parse_hours(entries: list[str], base: dict[str, Any]) -> dict[str, Any]:
    hours = dict(base)
    for entry in entries:
        day, sep, window = entry.partition("=")
        if not sep:
            _fail(f"--hours {entry!r}: write DAY=HH:MM-HH:MM or DAY=closed, e.g. --hours saturday=10:00-18:00")
        day, window = day.strip().lower(), window.strip()
        hours[day] = None if window.lower() == "closed" and day != "holidays" else window
    return hours


def _prepare(options: dict[str, Any], hours_base: dict[str, Any]) -> tuple[dict[str, Any], list[Path]]:
    """Split the given options into campaign settings (with ``dialing``) and the sounds to copy."""
    given = dict(options)
    if "calling_hours" in given:
        given["calling_hours"] = _parse_hours(given["calling_hours"], hours_base)
    if "states" in given:
        given["states"] = [state.strip().upper() for state in given["states"]]
    sounds: list[Path] = []
    for setting in SOUND_SETTINGS:
        source = given.get(setting)
        if source is None:
            continue
        if str(source).lower() == CLEAR_SOUND:
            given[setting] = None
            continue
        try:
            given[setting] = sound_name(source)
        except CampaignError as exc:
            _fail(f"{option_name(setting)}: {exc}")
        sounds.append(source)
    settings = {key: value for key, value in given.items() if key in CAMPAIGN_SETTINGS}
    dialing = {key: value for key, value in given.items() if key in DialingSettings.model_fields}
    if dialing:
        settings["dialing"] = dialing
    return settings, sounds


def _warn_about_abandon_target(settings: dict[str, Any]) -> None:
    target = settings.get("abandon_target", 0)
    if target > LEGAL_ABANDON_TARGET:
        err_console.print(
            f"[yellow]warning:[/] --abandon-target {target} is above the legal safe harbor of "
            f"{LEGAL_ABANDON_TARGET}: make sure counsel approved it", highlight=False,
        )


def _fail_setting(exc: CampaignError) -> NoReturn:
    if isinstance(exc, SettingError):
        _fail(f"{option_name(exc.setting)}: {exc.reason}")
    _fail(str(exc))


def _install(sounds: list[Path], settings: Settings, campaign_name: str) -> None:
    for source in sounds:
        try:
            install_sound(source, settings.sounds_dir, campaign_name)
        except OSError as exc:
            _fail(f"cannot copy {source} into {settings.sounds_dir / campaign_name}: {exc.strerror}; check the folder's permissions")


def _describe(campaign: Campaign) -> dict[str, Any]:
    """A campaign's settings as JSON-ready data (the pacer's internal state left out)."""
    data = campaign.model_dump(mode="json", exclude={"pacing_state"})
    data["dialing"] = DialingSettings.model_validate(campaign.dialing).model_dump(mode="json")
    return data


@campaigns_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Campaign name: letters, digits, - _ . (unique).")],
    mode: Mode = None, calling_hours: Hours = None, states: States = None, caller_ids: CallerIds = None,
    abandon_target: AbandonTarget = None, cell_policy: CellPolicyOption = None, uses_national_dnc: NationalDnc = None,
    max_attempts: MaxAttempts = None, max_attempts_per_day: MaxPerDay = None, max_attempts_24h: MaxPer24h = None,
    trunks: Trunks = None, ring_timeout: RingTimeout = None, lines_per_agent: LinesPerAgent = None,
    operating_target: OperatingTarget = None, power_ratio: PowerRatio = None, amd: Amd = None,
    amd_params: AmdParams = None, machine_action: MachineActionOption = None, voicemail: Voicemail = None,
    safe_harbor: SafeHarbor = None, optout_digit: OptoutDigit = None, abandon_deadline: AbandonDeadline = None,
    record: Record = None, wrap_up_seconds: WrapUp = None,
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """Create a draft campaign with the default dispositions; options left out take their defaults."""
    changes, sounds = _prepare(_given(locals()), dict(DEFAULT_CALLING_HOURS))
    settings = settings_or_exit(config)
    with Session(open_database(settings.database_url), expire_on_commit=False) as session:
        try:
            campaign = create_campaign(session, name, **changes)
        except CampaignError as exc:
            _fail_setting(exc)
        _install(sounds, settings, name)
        session.commit()
        data = _describe(campaign)
    _warn_about_abandon_target(changes)
    if json_output:
        print_json(data)
    else:
        console.print(f"created campaign [bold]{escape(name)}[/] (id {data['id']}, draft): "
                      f"import contacts, then `phonebank campaigns start {escape(name)}`")


@campaigns_app.command("update")
def update(
    name: NameArgument,
    mode: Mode = None, calling_hours: Hours = None, states: States = None, caller_ids: CallerIds = None,
    abandon_target: AbandonTarget = None, cell_policy: CellPolicyOption = None, uses_national_dnc: NationalDnc = None,
    max_attempts: MaxAttempts = None, max_attempts_per_day: MaxPerDay = None, max_attempts_24h: MaxPer24h = None,
    trunks: Trunks = None, ring_timeout: RingTimeout = None, lines_per_agent: LinesPerAgent = None,
    operating_target: OperatingTarget = None, power_ratio: PowerRatio = None, amd: Amd = None,
    amd_params: AmdParams = None, machine_action: MachineActionOption = None, voicemail: Voicemail = None,
    safe_harbor: SafeHarbor = None, optout_digit: OptoutDigit = None, abandon_deadline: AbandonDeadline = None,
    record: Record = None, wrap_up_seconds: WrapUp = None,
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """Change only the settings given; a running engine picks them up on its next refresh."""
    given = _given(locals())
    if not given:
        _fail("nothing to change: give at least one option, see `phonebank campaigns update --help`")
    settings = settings_or_exit(config)
    with Session(open_database(settings.database_url), expire_on_commit=False) as session:
        try:
            campaign = find_campaign(session, name)
            changes, sounds = _prepare(given, campaign.calling_hours)
            changed = update_campaign(session, campaign, **changes)
        except CampaignError as exc:
            _fail_setting(exc)
        _install(sounds, settings, campaign.name)
        if campaign.status == CampaignStatus.ACTIVE:
            _refuse_unless_dialable(session, campaign, settings, "is active and could not dial after this change; pause it first")
        session.commit()
    _warn_about_abandon_target(changes)
    if json_output:
        print_json(changed)
    elif not changed and not sounds:
        console.print(f"campaign [bold]{escape(campaign.name)}[/] already had these settings")
    else:
        console.print(f"updated campaign [bold]{escape(campaign.name)}[/]: {escape(', '.join(changed) or 'sound files replaced')}")


@campaigns_app.command("show")
def show(name: NameArgument, config: ConfigOption = None, json_output: JsonOption = False,
         watch: Annotated[bool, typer.Option("--watch", help="Live metrics, refreshed until Ctrl-C.")] = False) -> None:
    """Every setting, the contacts by list and state, attempts, outcomes and the abandon ledger."""
    settings = settings_or_exit(config)
    db = open_database(settings.database_url)
    with Session(db) as session:
        try:
            campaign = find_campaign(session, name)
        except CampaignError as exc:
            _fail(str(exc))
        if watch:
            assert campaign.id is not None
            watch_metrics(settings, db, campaign.id)
            return
        data = _describe(campaign)
        report = campaign_report(session, campaign, time.time())
    data.update(asdict(report))
    if json_output:
        print_json(data)
        return
    _print_settings(data)
    _print_counts("contacts per list", data["lists"])
    _print_counts("contacts per state", data["lead_states"])
    _print_counts(f"outcomes of {data['attempts']:,} attempts", data["outcomes"])
    _print_counts("dispositions", data["dispositions"])
    abandons = data["abandons"]
    if abandons is not None:
        console.print(
            f"abandons: {abandons['abandons']:,} of {abandons['live_answers']:,} live answers over "
            f"{abandons['window_days']} days ({abandons['rate']:.2%}, target {data['abandon_target']:.2%}); "
            f"today {abandons['today_abandons']:,} of {abandons['today_live_answers']:,}"
        )


def _print_settings(data: dict[str, Any]) -> None:
    table = Table("setting", "value", title=f"campaign {escape(data['name'])} (id {data['id']})", title_justify="left")
    rows = {key: data[key] for key in ("status", "created_at", *CAMPAIGN_SETTINGS)} | data["dialing"]
    for key, value in rows.items():
        if isinstance(value, dict):
            text = ", ".join(f"{day} {window or 'closed'}" for day, window in value.items())
        elif isinstance(value, list):
            text = ", ".join(value) or "(none)"
        else:
            text = "(none)" if value in (None, "") else str(value)
        table.add_row(key, escape(text))
    console.print(table)


def _print_counts(title: str, counts: dict[str, int]) -> None:
    if not counts:
        console.print(f"{title}: none")
        return
    console.print(f"{title}: " + ", ".join(f"{escape(str(key))} {count:,}" for key, count in counts.items()))


def _refuse_unless_dialable(session: Session, campaign: Campaign, settings: Settings, context: str) -> None:
    problems = start_problems(session, campaign, [trunk.name for trunk in settings.trunks], settings.sounds_dir)
    if problems:
        _fail_lines([f"campaign {campaign.name} {context}: {problem}" for problem in problems])


def _fail_lines(lines: list[str]) -> NoReturn:
    """Fail with several one-line errors (each names its own fix)."""
    for line in lines[:-1]:
        err_console.print(f"[bold red]error:[/] {escape(line)}", highlight=False, soft_wrap=True)
    _fail(lines[-1])


def _change_status(name: str, config: Path | None, action: str, reopen: bool = False) -> None:
    settings = settings_or_exit(config)
    with Session(open_database(settings.database_url), expire_on_commit=False) as session:
        try:
            campaign = find_campaign(session, name)
            if action == "start":
                changed = start_campaign(session, campaign, [trunk.name for trunk in settings.trunks],
                                         settings.sounds_dir, reopen=reopen)
            elif action == "pause":
                changed = pause_campaign(session, campaign)
            else:
                changed = stop_campaign(session, campaign)
        except StartRefused as exc:
            _fail_lines(exc.problems)
        except CampaignError as exc:
            _fail(str(exc))
        session.commit()
    console.print(f"campaign [bold]{escape(campaign.name)}[/] {'is now' if changed else 'was already'} {campaign.status}")


@campaigns_app.command("start")
def start(
    name: NameArgument,
    reopen: Annotated[bool, typer.Option("--reopen", help="Start a stopped campaign again.")] = False,
    config: ConfigOption = None,
) -> None:
    """Start dialing (from draft or paused): a running `phonebank serve` picks it up."""
    _change_status(name, config, "start", reopen)


@campaigns_app.command("pause")
def pause(name: NameArgument, config: ConfigOption = None) -> None:
    """Stop placing new calls; calls in flight finish. `start` resumes."""
    _change_status(name, config, "pause")


@campaigns_app.command("stop")
def stop(name: NameArgument, config: ConfigOption = None) -> None:
    """Stop the campaign for good (status archived); `start --reopen` undoes it."""
    _change_status(name, config, "stop")


@campaigns_app.command("list")
def list_campaigns(config: ConfigOption = None, json_output: JsonOption = False) -> None:
    """List campaigns with their status, mode, contacts and attempts."""
    settings = settings_or_exit(config)
    with Session(open_database(settings.database_url)) as session:
        totals = campaign_totals(session)
        rows = [(_describe(c), *totals.get(c.id or 0, (0, 0))) for c in session.exec(select(Campaign).order_by(Campaign.id))]
    if json_output:
        print_json([{**data, "contacts": contacts, "attempts": attempts} for data, contacts, attempts in rows])
        return
    table = Table("id", "name", "status", "mode", "states", "caller IDs", "contacts", "attempts")
    for data, contacts, attempts in rows:
        table.add_row(
            str(data["id"]), escape(data["name"]), data["status"], data["mode"], ",".join(data["states"]) or "all",
            str(len(data["caller_ids"])), f"{contacts:,}", f"{attempts:,}",
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add `phonebank campaigns` to the top-level app."""
    app.add_typer(campaigns_app, name="campaigns")
