"""`phonebank asterisk ...`: build, render, run and inspect the PBX."""

from __future__ import annotations

import asyncio
import dataclasses
import os
from typing import Annotated

import typer

from cli.common import ConfigOption, JsonOption, console, fail, print_json, settings_or_exit
from engine.config import AmiSettings, AriSettings, Settings, WebSettings, find_config
from engine.lab import session
from engine.pbx import instance
from engine.pbx.container import ContainerEngine, ContainerError, detect
from engine.pbx.image import ensure_images
from engine.pbx.pbx import image_targets, pbx_instance
from engine.pbx.render import RenderError, render_pbx
from engine.pbx.status import pbx_status

asterisk_app = typer.Typer(help="Build, configure, run and inspect the Asterisk PBX.", no_args_is_help=True)


def _engine(settings: Settings) -> ContainerEngine:
    try:
        return detect(settings.pbx.container_engine)
    except ContainerError as exc:
        fail(str(exc))


def _say(message: str) -> None:
    console.print(f"[dim]·[/] {message}", highlight=False)


def build_images(settings: Settings, *, force: bool = False) -> ContainerEngine:
    """Build the images if missing or stale; shared by `build`, `up` and `lab up`."""
    engine = _engine(settings)
    try:
        ensure_images(engine, image_targets(settings), settings.pbx.base_image, _say, force=force)
    except ContainerError as exc:
        fail(str(exc))
    return engine


def start_pbx(settings: Settings) -> ContainerEngine:
    """Render, build if needed, and start the PBX (idempotent); shared with `lab up`."""
    try:
        engine = session.start_pbx(settings, _say)
    except (ContainerError, RenderError) as exc:
        fail(str(exc))
    _say(f"Asterisk is running in container {settings.pbx.container_name} "
         f"(SIP {settings.pbx.bind_address}:{settings.pbx.sip_port}, ARI :{settings.ari.port}, AMI :{settings.ami.port})")
    return engine


@asterisk_app.command("build")
def build(config: ConfigOption = None,
          force: Annotated[bool, typer.Option("--force", help="Rebuild even if current.")] = False) -> None:
    """Build the Asterisk and lab images (from a local Debian sid root when no registry answers)."""
    settings = _settings_for_build(config)
    build_images(settings, force=force)
    console.print(f"images ready: {settings.pbx.image}, {image_targets(settings).lab}")


def _settings_for_build(config: ConfigOption) -> Settings:
    # Building needs no secrets, so `make` can build before `phonebank init` has run.
    if find_config(config).exists():
        return settings_or_exit(config)
    return Settings(ami=AmiSettings(secret="unused"), ari=AriSettings(password="unused"),
                    web=WebSettings(api_token="unused"))


@asterisk_app.command("render")
def render(config: ConfigOption = None) -> None:
    """Render every Asterisk config file from phonebank.toml."""
    settings = settings_or_exit(config)
    try:
        written = render_pbx(settings)
    except RenderError as exc:
        fail(str(exc))
    console.print(f"rendered {len(written)} files into {settings.asterisk_dir}")


@asterisk_app.command("up")
def up(config: ConfigOption = None) -> None:
    """Start the PBX container (building the image first if needed)."""
    settings = settings_or_exit(config)
    if settings.pbx.container_engine == "none":
        fail("[pbx] container_engine is 'none': start your own Asterisk with the files from `phonebank asterisk render`")
    start_pbx(settings)


@asterisk_app.command("down")
def down(config: ConfigOption = None) -> None:
    """Stop the PBX container. Recordings and spool stay on disk."""
    settings = settings_or_exit(config)
    _engine(settings).stop(settings.pbx.container_name)
    console.print(f"stopped {settings.pbx.container_name}")


@asterisk_app.command("status")
def status(config: ConfigOption = None, json_output: JsonOption = False) -> None:
    """Say whether Asterisk is up, which modules failed, who is registered, which trunks answer."""
    settings = settings_or_exit(config)
    report = asyncio.run(pbx_status(settings))
    if json_output:
        print_json(dataclasses.asdict(report))
        raise typer.Exit(0 if report.up else 1)
    if not report.up:
        fail(f"Asterisk is not answering: {report.problem}")
    console.print(f"[green]Asterisk is up[/]: {report.version}; {report.active_channels} channels active")
    if report.failed_modules:
        console.print(f"[red]modules not running[/]: {', '.join(report.failed_modules)} (see `phonebank asterisk logs`)")
    else:
        console.print("all required modules are running")
    console.print(f"registered phones: {', '.join(report.registered) or 'none'}")
    if report.unregistered:
        console.print(f"not registered: {', '.join(report.unregistered)}")
    for name, words in report.trunks.items():
        console.print(f"trunk {name}: {words}")


@asterisk_app.command("logs")
def logs(config: ConfigOption = None,
         lines: Annotated[int, typer.Option("--lines", "-n", help="How many lines.")] = 50) -> None:
    """Show the last lines of Asterisk's log."""
    settings = settings_or_exit(config)
    log = pbx_instance(settings).log_dir / "messages.log"
    if not log.exists():
        fail(f"{log} does not exist yet: start Asterisk with `phonebank asterisk up`")
    typer.echo("".join(log.read_text(errors="replace").splitlines(keepends=True)[-lines:]), nl=False)


@asterisk_app.command("cli")
def cli(config: ConfigOption = None,
        command: Annotated[str | None, typer.Argument(help="One CLI command; omit for an interactive console.")] = None) -> None:
    """Open the Asterisk console (or run one command) inside the PBX container."""
    settings = settings_or_exit(config)
    engine = _engine(settings)
    if engine.state(settings.pbx.container_name) != "running":
        fail(f"container {settings.pbx.container_name} is not running: `phonebank asterisk up`")
    args = ["asterisk", "-C", instance.ASTERISK_CONF]
    args += ["-rx", command] if command else ["-r"]
    os.execvpe(engine.binary, [engine.binary, "exec", "-it", settings.pbx.container_name, *args], engine.env)


def register(app: typer.Typer) -> None:
    """Add `asterisk` to the top-level app."""
    app.add_typer(asterisk_app, name="asterisk")
