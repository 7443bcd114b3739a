"""Create and find campaigns; read their calling hours as the compliance layer wants them."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from engine.compliance.hours import CallingHours
from engine.compliance.zones import default_zone_tables
from engine.leads.dispositions import seed_dispositions
from engine.store.models import AuditEntry, Campaign, CellPolicy


class CampaignError(ValueError):
    """A campaign setting is wrong or a campaign is missing; the message names the fix."""


def create_campaign(session: Session, name: str, actor: str = "cli", **settings: Any) -> Campaign:
    """A new campaign with the default dispositions; validates hours, states and cell policy.

    The caller commits.
    """
    if session.exec(select(Campaign).where(Campaign.name == name)).first() is not None:
        raise CampaignError(f"a campaign named {name!r} already exists: pick another name")
    campaign = Campaign(name=name, **settings)
    calling_hours(campaign)
    unknown = sorted(set(campaign.states) - set(default_zone_tables().state_zones))
    if unknown:
        raise CampaignError(f"unknown state(s) {', '.join(unknown)}: use two-letter codes such as FL")
    if campaign.cell_policy not in set(CellPolicy):
        raise CampaignError(f"cell policy {campaign.cell_policy!r}: use dial, skip or manual")
    session.add(campaign)
    session.flush()
    assert campaign.id is not None
    seed_dispositions(session, campaign.id)
    session.add(AuditEntry(actor=actor, action="campaign.create", entity="campaign",
                           entity_id=str(campaign.id), detail={"name": name}))
    return campaign


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
