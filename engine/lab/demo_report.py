"""The demo's report, computed from the database after the run, plus the checks that decide its
exit code: nobody on the DNC list or in a closed zone was dialled (by the engine's records and
by the carrier's own log), every attempt has an outcome, and a sample of recordings holds
exactly the two parties of its call (FFT).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from engine.audio import heard_tones, wav_complete
from engine.lab.demo_contacts import CALLEE_HZ, ContactKind, ContactPlan
from engine.lab.demo_floor import occupancy
from engine.lab.demo_run import DemoRun
from engine.lab.demo_setup import SAFE_HARBOR_HZ, VOICEMAIL_HZ
from engine.metrics.campaign import LIVE_OUTCOMES
from engine.store.models import CallAttempt, Campaign, Contact, DncEntry, DncScope, LeadState

RECORDINGS_TO_CHECK = 10


@dataclass(frozen=True)
class RecordingCheck:
    """Which tones one recording holds, and which it should."""

    attempt_id: str
    path: Path
    expected: frozenset[float]
    heard: frozenset[float]
    complete: bool

    @property
    def ok(self) -> bool:
        return self.complete and self.heard == self.expected


@dataclass(frozen=True)
class Timeline:
    """Per minute of the run (from the dialling start): what the chart draws."""

    minutes: tuple[int, ...]
    dials: tuple[int, ...]
    connected: tuple[int, ...]
    abandon_rate: tuple[float | None, ...]  # cumulative abandoned / live answers, at the minute's end
    occupancy: tuple[float | None, ...]  # within the minute


@dataclass(frozen=True)
class DemoReport:
    """Everything the demo prints, and the checks behind its exit code."""

    campaign: str
    dial_minutes: float
    interrupted: bool  # dialling stopped early (Ctrl-C)
    agents: int
    contacts: int  # imported into the campaign
    contacts_dnc: int  # held back at import: on the internal DNC list
    calls: int  # attempts
    contacts_called: int
    live_answers: int  # connected, abandoned or hung up on pick-up
    connected: int
    contacts_reached: int  # distinct contacts connected to an agent
    abandoned: int
    abandon_rate: float | None  # abandoned / live answers
    abandon_target: float
    occupancy: float | None  # agents' on-call + wrap-up share of logged-in time (state log)
    talk_share: float | None  # talk time of connected calls / agents x dialling time (attempts)
    answer_to_agent_ms: tuple[float, float] | None  # p50, p99
    outcomes: dict[str, int]
    dispositions: dict[str, int]
    open_attempts: int  # attempts without an outcome
    dnc_dialled: tuple[str, ...]
    closed_dialled: tuple[str, ...]
    carrier_calls: int
    unrecorded_carrier_calls: int  # the carrier rang a number the campaign has no attempt for
    opt_outs: int  # numbers the run put on the internal DNC list
    volunteer_hangups: int
    recordings_dir: Path
    recordings: int
    checks: tuple[RecordingCheck, ...]
    timeline: Timeline

    @property
    def problems(self) -> list[str]:
        """One line per failed check; empty when the demo passed."""
        problems = []
        if self.dnc_dialled:
            problems.append(f"dialled {len(self.dnc_dialled)} numbers on the DNC list: {', '.join(self.dnc_dialled)}")
        if self.closed_dialled:
            problems.append(f"dialled {len(self.closed_dialled)} contacts outside their calling hours: "
                            f"{', '.join(self.closed_dialled)}")
        if self.open_attempts:
            problems.append(f"{self.open_attempts} attempts have no outcome")
        if self.unrecorded_carrier_calls:
            problems.append(f"the carrier rang {self.unrecorded_carrier_calls} numbers with no attempt record")
        bad = [c for c in self.checks if not c.ok]
        if bad:
            problems.append(f"{len(bad)} of {len(self.checks)} sampled recordings do not hold exactly both parties: "
                            + ", ".join(str(c.path) for c in bad))
        if self.connected and not self.checks:
            problems.append("connected calls but no recording of a talking callee to check")
        return problems


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    return (end - start).total_seconds() if start and end else None


def _epoch(moment: datetime) -> float:
    return moment.replace(tzinfo=moment.tzinfo or UTC).timestamp()


def _talk_share(attempts: list[CallAttempt], agents: int, start: float, end: float) -> float | None:
    if not agents or end <= start:
        return None
    talk = sum(max(0.0, min(_epoch(a.hangup_at), end) - max(_epoch(a.connected_at), start))
               for a in attempts if a.connected_at and a.hangup_at)
    return talk / (agents * (end - start))


def _latency(attempts: list[CallAttempt]) -> tuple[float, float] | None:
    delays = [d * 1000 for a in attempts if a.outcome == "connected"
              and (d := _seconds(a.greeting_ended_at or a.answered_at, a.connected_at)) is not None]
    if not delays:
        return None
    p50, p99 = np.percentile(delays, [50, 99])
    return float(p50), float(p99)


def check_recordings(attempts: list[CallAttempt], plan: ContactPlan, agent_tones: dict[str, float],
                     rng: random.Random, sample: int = RECORDINGS_TO_CHECK) -> tuple[RecordingCheck, ...]:
    """FFT a random sample of connected calls whose callee speaks: the recording must hold the
    agent's tone and the callee's 440 Hz (when it sends one), and no other party's."""
    tones = sorted({CALLEE_HZ, SAFE_HARBOR_HZ, VOICEMAIL_HZ, *agent_tones.values()})
    candidates = [a for a in attempts if a.outcome == "connected" and a.recording_path and a.agent in agent_tones
                  and plan.behaviour_of(a.number_called) is not None]
    checks = []
    for attempt in rng.sample(candidates, min(sample, len(candidates))):
        behaviour = plan.behaviour_of(attempt.number_called)
        assert behaviour is not None and attempt.recording_path and attempt.agent
        path = Path(attempt.recording_path)
        expected = {agent_tones[attempt.agent]} | ({CALLEE_HZ} if behaviour.sends_tone else set())
        complete = path.is_file() and wav_complete(path)
        heard = heard_tones(path, tones) if path.is_file() else set()
        checks.append(RecordingCheck(attempt.id, path, frozenset(expected), frozenset(heard), complete))
    return tuple(checks)


def timeline(attempts: list[CallAttempt], run: DemoRun) -> Timeline:
    """Dials and connects per minute, the cumulative abandon rate and each minute's occupancy."""
    span = max(1, int(np.ceil((run.ended - run.started) / 60)))
    minutes = range(span)
    dials, connected = Counter[int](), Counter[int]()
    for attempt in attempts:
        minute = min(span - 1, max(0, int((_epoch(attempt.dialed_at) - run.started) // 60)))
        dials[minute] += 1
        connected[minute] += attempt.outcome == "connected"
    rates: list[float | None] = []
    for minute in minutes:
        end = run.started + 60 * (minute + 1)
        done = [a for a in attempts if a.hangup_at and _epoch(a.hangup_at) < end]
        live = sum(a.outcome in LIVE_OUTCOMES for a in done)
        rates.append(sum(a.outcome == "abandoned" for a in done) / live if live else None)
    busy = tuple(occupancy(run.segments, run.started + 60 * m, run.started + 60 * (m + 1)) for m in minutes)
    return Timeline(tuple(minutes), tuple(dials[m] for m in minutes), tuple(connected[m] for m in minutes),
                    tuple(rates), busy)


def build_report(db: Engine, campaign_id: int, plan: ContactPlan, run: DemoRun, agent_tones: dict[str, float],
                 recordings_dir: Path, rng: random.Random) -> DemoReport:
    """The report of one demo campaign, from its rows in the database and what the run saw."""
    with Session(db) as session:
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        attempts = list(session.exec(select(CallAttempt).where(CallAttempt.campaign_id == campaign_id)).all())
        contacts = list(session.exec(select(Contact.lead_state).where(Contact.campaign_id == campaign_id)).all())
        numbers = {c.number for c in plan.contacts}
        opt_outs = session.exec(select(DncEntry.e164).where(
            DncEntry.scope == DncScope.INTERNAL, col(DncEntry.e164).in_(numbers),
            col(DncEntry.created_at) >= datetime.fromtimestamp(run.started, UTC))).all()
    called = {a.number_called for a in attempts}
    outcomes = Counter(a.outcome or "none" for a in attempts)
    live = sum(outcomes[o] for o in LIVE_OUTCOMES)
    return DemoReport(
        campaign=campaign.name,
        dial_minutes=(run.dial_ended - run.started) / 60,
        interrupted=run.interrupted,
        agents=len(run.agents),
        contacts=len(contacts),
        contacts_dnc=sum(state == LeadState.DNC for state in contacts),
        calls=len(attempts),
        contacts_called=len({a.contact_id for a in attempts}),
        live_answers=live,
        connected=outcomes["connected"],
        contacts_reached=len({a.contact_id for a in attempts if a.outcome == "connected"}),
        abandoned=outcomes["abandoned"],
        abandon_rate=outcomes["abandoned"] / live if live else None,
        abandon_target=campaign.abandon_target,
        occupancy=occupancy(run.segments, run.started, run.dial_ended),
        talk_share=_talk_share(attempts, len(run.agents), run.started, run.dial_ended),
        answer_to_agent_ms=_latency(attempts),
        outcomes=dict(outcomes.most_common()),
        dispositions=dict(Counter(a.disposition for a in attempts if a.disposition).most_common()),
        open_attempts=sum(a.outcome is None for a in attempts),
        dnc_dialled=tuple(sorted((called | set(run.rung)) & plan.numbers(ContactKind.DNC))),
        closed_dialled=tuple(sorted((called | set(run.rung)) & plan.numbers(ContactKind.CLOSED))),
        carrier_calls=len(run.rung),
        unrecorded_carrier_calls=len(set(run.rung) & (numbers - called)),
        opt_outs=len(opt_outs),
        volunteer_hangups=run.hangups,
        recordings_dir=recordings_dir / campaign.name,
        recordings=sum(a.recording_path is not None for a in attempts),
        checks=check_recordings(attempts, plan, agent_tones, rng),
        timeline=timeline(attempts, run),
    )
