"""Every table of the store; importing this module registers them all on SQLModel.metadata."""

from engine.store.models.calls import (
    CallAttempt,
    Callback,
    CallbackStatus,
    Note,
    SurveyAnswer,
    SurveyQuestion,
)
from engine.store.models.campaigns import (
    DEFAULT_CALLING_HOURS,
    Campaign,
    CampaignStatus,
    CellPolicy,
    Disposition,
)
from engine.store.models.compliance import AuditEntry, ConsentRecord, DncEntry, DncScope
from engine.store.models.contacts import (
    CampaignWindowKey,
    Contact,
    ContactList,
    ImportRun,
    ImportStatus,
    LeadState,
    LineType,
)

__all__ = [
    "DEFAULT_CALLING_HOURS",
    "AuditEntry",
    "CallAttempt",
    "Callback",
    "CallbackStatus",
    "Campaign",
    "CampaignStatus",
    "CampaignWindowKey",
    "CellPolicy",
    "ConsentRecord",
    "Contact",
    "ContactList",
    "Disposition",
    "DncEntry",
    "DncScope",
    "ImportRun",
    "ImportStatus",
    "LeadState",
    "LineType",
    "Note",
    "SurveyAnswer",
    "SurveyQuestion",
]
