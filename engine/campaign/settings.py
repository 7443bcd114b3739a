"""How a campaign dials: the settings `phonebank campaigns create` takes beyond lists and hours.

Stored as JSON on the campaign row, validated here, so a new option needs no schema change.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

from engine.calls.model import MachineAction

MIN_RING_SECONDS = 15  # ring at least this long before giving up (abandonment rules)
MAX_ABANDON_DEADLINE = 1.8  # the safe-harbor message must start within 2 s of the greeting's end


class DialingSettings(BaseModel):
    """Everything about placing and connecting a campaign's calls."""

    trunks: list[str] = Field(default_factory=list, description="trunk names; empty = every trunk")
    ring_timeout: int = Field(default=25, ge=MIN_RING_SECONDS, le=120)
    lines_per_agent: float = Field(default=3.0, gt=0, le=20)
    operating_target: float = Field(default=0.025, gt=0, lt=0.1)
    power_ratio: float = Field(default=2.0, ge=1.0, le=10.0)
    amd: bool = False
    amd_params: str = ""
    machine_action: MachineAction = MachineAction.HANGUP
    voicemail: str | None = Field(default=None, description="WAV under the sounds folder")
    safe_harbor: str | None = Field(default=None, description="WAV under the sounds folder")
    optout_digit: Literal["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#"] = "9"
    abandon_deadline: float = Field(default=1.5, gt=0, le=MAX_ABANDON_DEADLINE)
    record: bool = True
    wrap_up_seconds: int = Field(default=60, ge=0, le=3600)

    @field_validator("trunks")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a trunk is listed twice")
        return value
