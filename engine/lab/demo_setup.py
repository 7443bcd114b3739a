"""What the demo sets up before it dials: do-not-call entries, the imported voter file, the
campaign's prompts, and a predictive campaign, started.

Each run is a new campaign (``demo-<UTC time>``) in the demo folder's database, so runs never
mix; a demo campaign an interrupted run left active is stopped first, so it cannot dial too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from engine.audio import write_tone
from engine.config import Settings
from engine.dnc.entries import add_number
from engine.lab.demo_contacts import US_STATES, ContactKind, ContactPlan, write_voter_file
from engine.leads.campaigns import create_campaign, install_sound, start_campaign, stop_campaign
from engine.lists.importer import ImportOptions, ImportResult, import_list
from engine.store.models import Campaign, CampaignStatus

VOICEMAIL_HZ = 3000.0  # the voicemail the campaign leaves, told apart by FFT
SAFE_HARBOR_HZ = 2400.0  # the message an abandoned callee hears
VOICEMAIL_SECONDS = 4.0
SAFE_HARBOR_SECONDS = 2.0
EVERY_DAY = "09:00-20:00"
# Verified numbers for local presence: US area codes of the plan, and one per country abroad.
CALLER_IDS = (
    "+12025550123", "+12125550123", "+14155550123", "+13125550123", "+13035550123",
    "+442079460123", "+493012345678", "+33142345678", "+81312345678", "+61212345678",
)
RING_TIMEOUT = 20
DEMO_PREFIX = "demo-"


@dataclass(frozen=True)
class DemoCampaign:
    """The started campaign and what went into it."""

    campaign_id: int
    name: str
    plan: ContactPlan
    imported: ImportResult
    voter_file: Path


def campaign_name(now: datetime) -> str:
    """A new campaign's name, unique per second: ``demo-20260105-142233``."""
    return f"{DEMO_PREFIX}{now:%Y%m%d-%H%M%S}"


def stop_leftover_campaigns(db: Engine) -> list[str]:
    """Stop demo campaigns an interrupted run left active; their names."""
    with Session(db) as session:
        leftovers = session.exec(select(Campaign).where(
            col(Campaign.name).startswith(DEMO_PREFIX), Campaign.status == CampaignStatus.ACTIVE)).all()
        for campaign in leftovers:
            stop_campaign(session, campaign, actor="demo")
        session.commit()
        return [c.name for c in leftovers]


def _prompts(settings: Settings, name: str, folder: Path) -> tuple[str, str]:
    """Write the tone-coded voicemail and safe-harbor WAVs and install them for the campaign."""
    voicemail = install_sound(write_tone(folder / "voicemail.wav", VOICEMAIL_HZ, VOICEMAIL_SECONDS),
                              settings.sounds_dir, name)
    safe_harbor = install_sound(write_tone(folder / "safe-harbor.wav", SAFE_HARBOR_HZ, SAFE_HARBOR_SECONDS),
                                settings.sounds_dir, name)
    # Asterisk runs as its own user in the container: it must be able to read them.
    for path in (settings.sounds_dir, voicemail.parent):
        path.chmod(0o755)
    return voicemail.name, safe_harbor.name


def prepare_campaign(settings: Settings, db: Engine, plan: ContactPlan, now: datetime, folder: Path,
                     progress: Callable[[int, int], None] | None = None) -> DemoCampaign:
    """Put the plan's DNC numbers on the internal list, create the campaign, import the voter
    file with the real importer (``progress(bytes, size)``), and start the campaign."""
    name = campaign_name(now)
    voicemail, safe_harbor = _prompts(settings, name, folder / "prompts")
    with Session(db) as session:
        for number in sorted(plan.numbers(ContactKind.DNC)):
            add_number(session, number, source="demo", reason="asked not to be called", actor="demo")
        campaign = create_campaign(
            session, name, actor="demo", mode="predictive", states=list(US_STATES),
            caller_ids=list(CALLER_IDS), cell_policy="dial", uses_national_dnc=False,
            calling_hours={"weekday": EVERY_DAY, "saturday": EVERY_DAY, "sunday": EVERY_DAY},
            dialing={"trunks": [t.name for t in settings.trunks[:1]], "ring_timeout": RING_TIMEOUT,
                     "amd": True, "machine_action": "voicemail", "voicemail": voicemail,
                     "safe_harbor": safe_harbor},
        )
        session.commit()
        campaign_id = campaign.id
    assert campaign_id is not None
    voter_file = write_voter_file(plan, folder / "voters.csv")
    imported = import_list(db, campaign_id, voter_file, ImportOptions(list_name="voters"), progress=progress)
    with Session(db) as session:
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        start_campaign(session, campaign, [t.name for t in settings.trunks], settings.sounds_dir, actor="demo")
        session.commit()
    return DemoCampaign(campaign_id, name, plan, imported, voter_file)


def stop_demo_campaign(db: Engine, campaign_id: int) -> None:
    """Stop dialling: the engine sees the status within seconds and lets calls in flight end."""
    with Session(db) as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is not None:
            stop_campaign(session, campaign, actor="demo")
            session.commit()
