"""Do-not-call: the internal list, campaign lists, and the national registry where a campaign uses it.

An entry on the internal list blocks every campaign from the moment it is committed. The
checks run at import, when the hopper leases, and again right before the engine dials.
"""

from engine.dnc.checks import (
    BlockReason,
    RegistryUnavailable,
    blocked_numbers,
    is_blocked,
)
from engine.dnc.entries import DncImportResult, add_number, import_numbers, remove_number

__all__ = [
    "BlockReason",
    "DncImportResult",
    "RegistryUnavailable",
    "add_number",
    "blocked_numbers",
    "import_numbers",
    "is_blocked",
    "remove_number",
]
