"""Capacity planning: who finishes a list, and when, at the occupancy the predictive pacer reaches.

One attempt per record; a contact is a live answer that reaches a volunteer; handle time is talk
plus wrap-up. Occupancy by team size comes from the measured benchmark (docs/pacing.md),
interpolated in log(team size); pass ``occupancy`` to override it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Measured by benchmarks/pacing.py (ours, <= 3% abandon, mean of 3 seeds); teams of 1-2 dial
# progressively.
MEASURED_OCCUPANCY: dict[int, float] = {
    1: 0.68,
    2: 0.68,
    5: 0.798,
    10: 0.845,
    20: 0.891,
    50: 0.936,
    100: 0.960,
}


def expected_occupancy(volunteers: int) -> float:
    """Occupancy the predictive pacer reaches with this many volunteers."""
    sizes = np.log(np.array(sorted(MEASURED_OCCUPANCY), dtype=float))
    values = np.array([MEASURED_OCCUPANCY[k] for k in sorted(MEASURED_OCCUPANCY)])
    return float(np.interp(math.log(max(volunteers, 1)), sizes, values))


@dataclass(frozen=True)
class Plan:
    """A team, a time, and what they get through."""

    list_size: int
    contact_rate: float
    handle_time: float
    volunteers: int
    hours: float
    occupancy: float
    contacts_per_volunteer_hour: float
    contacts_needed: int
    contacts_reached: int
    dials_per_hour: float

    @property
    def finished_share(self) -> float:
        """Share of the list dialled in the time (1.0 when it is finished)."""
        return (
            min(1.0, self.contacts_reached / self.contacts_needed) if self.contacts_needed else 1.0
        )


def _plan(
    list_size: int,
    contact_rate: float,
    handle_time: float,
    volunteers: int,
    hours: float,
    occupancy: float | None,
) -> Plan:
    occ = occupancy if occupancy is not None else expected_occupancy(volunteers)
    per_hour = occ * 3600.0 / handle_time
    needed = math.ceil(list_size * contact_rate)
    reached = min(needed, math.floor(volunteers * per_hour * hours))
    return Plan(
        list_size,
        contact_rate,
        handle_time,
        volunteers,
        hours,
        occ,
        per_hour,
        needed,
        reached,
        volunteers * per_hour / contact_rate,
    )


def _check(list_size: int, contact_rate: float, handle_time: float) -> None:
    if list_size < 1:
        raise ValueError("list size must be at least 1 record")
    if not 0.0 < contact_rate <= 1.0:
        raise ValueError("contact rate is live answers per dial, between 0 and 1 (e.g. 0.2)")
    if handle_time <= 0:
        raise ValueError("handle time must be positive seconds (talk + wrap-up, e.g. 180)")


def hours_to_finish(
    list_size: int,
    contact_rate: float,
    handle_time: float,
    volunteers: int,
    occupancy: float | None = None,
) -> Plan:
    """How long ``volunteers`` take to finish the list."""
    _check(list_size, contact_rate, handle_time)
    if volunteers < 1:
        raise ValueError("volunteers must be at least 1")
    probe = _plan(list_size, contact_rate, handle_time, volunteers, 1.0, occupancy)
    hours = probe.contacts_needed / (volunteers * probe.contacts_per_volunteer_hour)
    return _plan(list_size, contact_rate, handle_time, volunteers, hours, occupancy)


def volunteers_to_finish(
    list_size: int,
    contact_rate: float,
    handle_time: float,
    hours: float,
    occupancy: float | None = None,
) -> Plan:
    """The smallest team that finishes the list in ``hours``."""
    _check(list_size, contact_rate, handle_time)
    if hours <= 0:
        raise ValueError("hours must be positive")
    # Nobody beats 100% occupancy, so this many volunteers is a floor; count up from there.
    volunteers = max(1, math.ceil(list_size * contact_rate * handle_time / (3600.0 * hours)))
    while True:
        plan = _plan(list_size, contact_rate, handle_time, volunteers, hours, occupancy)
        if plan.finished_share >= 1.0:
            return plan
        volunteers += 1


def team_finishes(
    list_size: int,
    contact_rate: float,
    handle_time: float,
    volunteers: int,
    hours: float,
    occupancy: float | None = None,
) -> Plan:
    """What a given team gets through in a given time."""
    _check(list_size, contact_rate, handle_time)
    if volunteers < 1 or hours <= 0:
        raise ValueError("volunteers must be at least 1 and hours positive")
    return _plan(list_size, contact_rate, handle_time, volunteers, hours, occupancy)
