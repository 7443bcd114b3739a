"""A seeded discrete-event simulation of one campaign, driving any Pacer like the engine does.

Each dialling day runs from ``day * 86400`` for ``day_hours``: agents start ready, the pacer is
asked every ``tick`` seconds how many calls to start, and after the day ends no new calls start
while those in progress finish. The pacer and its ledger carry over from day to day.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Callable

import numpy as np

from pacing.events import (
    ON_CALL,
    PAUSED,
    READY,
    WRAP_UP,
    Abandon,
    CallHandled,
    CallOutcome,
    DialOutcome,
    PacerState,
)
from pacing.ledger import DAY_SECONDS
from pacing.policies import Pacer
from pacing.sim.results import SimResult
from pacing.sim.scenario import Lognormal, Scenario

_LOGGED_OUT = 9
_RESOLVE, _CLASSIFIED, _DEADLINE, _TALK_END, _WRAP_END, _BREAK, _BREAK_END, _LOGIN, _STEP = range(9)
_BLOCK = 4096


class _Draws:
    """Block-generated random numbers: one Generator call per 4096 draws, not per draw."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._uniform = rng.random(_BLOCK)
        self._normal = rng.standard_normal(_BLOCK)
        self._u = self._n = 0

    def uniform(self) -> float:
        if self._u == _BLOCK:
            self._uniform, self._u = self._rng.random(_BLOCK), 0
        self._u += 1
        return float(self._uniform[self._u - 1])

    def lognormal(self, shape: Lognormal, scale: float = 1.0, below: float = math.inf) -> float:
        mu, sigma = shape.mu_sigma
        while True:
            if self._n == _BLOCK:
                self._normal, self._n = self._rng.standard_normal(_BLOCK), 0
            self._n += 1
            value = scale * math.exp(mu + sigma * float(self._normal[self._n - 1]))
            if value < below:
                return value


class _Day:
    """The mutable state of one simulated day; :func:`simulate` runs one per scenario day."""

    def __init__(
        self,
        sc: Scenario,
        pacer: Pacer,
        draws: _Draws,
        result: SimResult,
        day: int,
        needs_finish: bool,
    ) -> None:
        self.sc, self.pacer, self.draws, self.result, self.day = sc, pacer, draws, result, day
        self.start = day * DAY_SECONDS
        self.end = self.start + sc.day_seconds
        self.needs_finish = needs_finish
        total = sc.agents + sum(login.agents for login in sc.logins)
        self.logged_in = sc.agents
        self.state = np.full(total, _LOGGED_OUT, dtype=np.int8)
        self.state[: sc.agents] = READY
        self.since = np.full(total, self.start)
        self.free_at = np.full(total, self.start)
        self.ready: deque[int] = deque(range(sc.agents))
        self.break_due = np.zeros(total)
        self.ringing: dict[int, float] = {}
        self.waiting: dict[int, float] = {}
        self.channels = 0
        self.human = sc.human
        self.handle_scale = 1.0
        self.heap: list[tuple[float, int, int, int, float]] = []
        self.seq = 0
        self.next_call = 0
        self.buckets_per_day = result.series_busy.size // sc.days
        self.cps = (
            None if sc.calls_per_second is None else math.floor(sc.calls_per_second * sc.tick)
        )
        for agent in range(sc.agents):
            self._available(self.start, self.end)
        for i, brk in enumerate(sc.breaks):
            self._push(self.start + brk.start, _BREAK, i)
        for i, login in enumerate(sc.logins):
            self._push(self.start + login.at, _LOGIN, i)
        for i, step in enumerate(sc.steps):
            self._push(self.start + step.at, _STEP, i)

    def _push(self, at: float, kind: int, a: int = 0, b: float = 0.0) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (at, self.seq, kind, a, b))

    def _spread(self, series: np.ndarray, begin: float, finish: float, sign: float = 1.0) -> float:
        """Add the part of [begin, finish) inside the day to per-bucket ``series``; return its length."""
        begin, finish = max(begin, self.start), min(finish, self.end)
        if finish <= begin:
            return 0.0
        width = self.sc.bucket
        offset = self.day * self.buckets_per_day
        first = int((begin - self.start) // width)
        last = min(int((finish - self.start) // width), self.buckets_per_day - 1)
        for k in range(first, last + 1):
            lo = max(begin, self.start + k * width)
            hi = min(finish, self.start + (k + 1) * width)
            if hi > lo:
                series[offset + k] += sign * (hi - lo)
        return (finish - begin) * sign

    def _available(self, begin: float, finish: float, sign: float = 1.0) -> None:
        self.result.available += self._spread(self.result.series_available, begin, finish, sign)

    def _bucket(self, at: float) -> int:
        k = min(int((at - self.start) // self.sc.bucket), self.buckets_per_day - 1)
        return self.day * self.buckets_per_day + max(k, 0)

    def run(self) -> None:
        handlers = {
            _RESOLVE: self._resolve,
            _CLASSIFIED: self._classified,
            _DEADLINE: self._deadline,
            _TALK_END: self._talk_end,
            _WRAP_END: self._wrap_end,
            _BREAK: self._break,
            _BREAK_END: self._break_end,
            _LOGIN: self._login,
            _STEP: self._step,
        }
        heap = self.heap
        tick, end = self.start, self.end
        # Ticks are counted here rather than queued: one per second is most of the events, and
        # a heap push and pop each would cost more than the tick's own bookkeeping. Events at
        # the very time of a tick go first, as they did when ticks were queued behind them.
        while tick < end:
            if heap and heap[0][0] <= tick:
                at, _, kind, a, b = heapq.heappop(heap)
                handlers[kind](at, a, b)
            else:
                self._tick(tick)
                tick += self.sc.tick
        while heap:
            at, _, kind, a, b = heapq.heappop(heap)
            handlers[kind](at, a, b)

    def _tick(self, now: float) -> None:
        sc = self.sc
        k = self.logged_in
        calls = np.fromiter(self.ringing.values(), dtype=np.float64, count=len(self.ringing))
        finish = np.maximum(self.free_at[:k] - now, 0.0) if self.needs_finish else None
        trunk_free = None if sc.trunk_channels is None else sc.trunk_channels - self.channels
        state = PacerState(
            now,
            self.state[:k],
            now - self.since[:k],
            now - calls,
            len(self.waiting),
            sc.lines_per_agent,
            trunk_free,
            self.cps,
            "",
            None,
            finish,
        )
        for _ in range(self.pacer.decide(state)):
            self._dial(now)

    def _dial(self, now: float) -> None:
        sc, draws = self.sc, self.draws
        self.result.dials += 1
        self.channels += 1
        call = self.next_call
        self.next_call += 1
        self.ringing[call] = now
        u = draws.uniform()
        if u < self.human + sc.machine:
            answer = draws.lognormal(sc.answer_time, below=sc.no_answer_timeout)
            is_human = 1.0 if u < self.human else 0.0
            self._push(now + answer, _RESOLVE, call, is_human)
        elif u < self.human + sc.machine + sc.failed:
            self._push(
                now + draws.lognormal(sc.fail_time, below=sc.no_answer_timeout),
                _RESOLVE,
                call,
                -1.0,
            )
        else:
            self._push(now + sc.no_answer_timeout, _RESOLVE, call, -2.0)

    def _resolve(self, now: float, call: int, kind: float) -> None:
        dialled = self.ringing.pop(call)
        ring = now - dialled
        if kind == 1.0:
            self._human(now, call, ring)
        elif kind == 0.0:
            self._push(now + self.sc.amd_delay, _CLASSIFIED, call, ring)
        else:
            self.channels -= 1
            outcome = CallOutcome.FAILED if kind == -1.0 else CallOutcome.NO_ANSWER
            self.pacer.observe(DialOutcome(now, ring, outcome))

    def _classified(self, now: float, _call: int, ring: float) -> None:
        self.channels -= 1
        self.pacer.observe(DialOutcome(now, ring, CallOutcome.MACHINE))

    def _human(self, now: float, call: int, ring: float) -> None:
        self.pacer.observe(DialOutcome(now, ring, CallOutcome.HUMAN))
        self.result.live += 1
        self.result.series_live[self._bucket(now)] += 1
        self.result.day_live[self.day] += 1
        if self.ready:
            self._connect(now, self.ready.popleft())
        else:
            self.waiting[call] = now
            self._push(now + self.sc.abandon_deadline, _DEADLINE, call)

    def _deadline(self, now: float, call: int, _b: float) -> None:
        answered = self.waiting.pop(call, None)
        if answered is None:
            return
        self.channels -= 1
        self.result.abandons += 1
        self.result.series_abandons[self._bucket(answered)] += 1
        self.result.day_abandons[self.day] += 1
        self.pacer.observe(Abandon(now, now - answered))

    def _connect(self, now: float, agent: int) -> None:
        sc = self.sc
        talk = self.draws.lognormal(sc.talk, self.handle_scale)
        wrap = self.draws.lognormal(sc.wrap, self.handle_scale)
        self.state[agent] = ON_CALL
        self.since[agent] = now
        self.free_at[agent] = now + talk + wrap
        self.result.busy += self._spread(self.result.series_busy, now, now + talk + wrap)
        self._push(now + talk, _TALK_END, agent, wrap)

    def _talk_end(self, now: float, agent: int, wrap: float) -> None:
        self.channels -= 1
        self.state[agent] = WRAP_UP
        self._push(now + wrap, _WRAP_END, agent, now - self.since[agent])
        self.since[agent] = now

    def _wrap_end(self, now: float, agent: int, talk: float) -> None:
        self.pacer.observe(CallHandled(now, talk, now - self.since[agent]))
        due = self.break_due[agent]
        if due > 0:
            self.break_due[agent] = 0.0
            self._pause(now, agent, due)
        else:
            self._make_ready(now, agent)

    def _make_ready(self, now: float, agent: int) -> None:
        self.state[agent] = READY
        self.since[agent] = now
        self.free_at[agent] = now
        if self.waiting:
            call = next(iter(self.waiting))
            del self.waiting[call]
            self._connect(now, agent)
        else:
            self.ready.append(agent)

    def _pause(self, now: float, agent: int, duration: float) -> None:
        self.state[agent] = PAUSED
        self.since[agent] = now
        self.free_at[agent] = math.inf
        self._available(now, now + duration, -1.0)
        self._push(now + duration, _BREAK_END, agent)

    def _break(self, now: float, index: int, _b: float) -> None:
        brk = self.sc.breaks[index]
        for agent in range(min(brk.agents, self.logged_in)):
            if self.state[agent] == READY:
                self.ready.remove(agent)
                self._pause(now, agent, brk.duration)
            elif self.state[agent] != PAUSED:
                self.break_due[agent] = brk.duration

    def _break_end(self, now: float, agent: int, _b: float) -> None:
        self._make_ready(now, agent)

    def _login(self, now: float, index: int, _b: float) -> None:
        for agent in range(self.logged_in, self.logged_in + self.sc.logins[index].agents):
            self._available(now, self.end)
            self._make_ready(now, agent)
        self.logged_in += self.sc.logins[index].agents

    def _step(self, _now: float, index: int, _b: float) -> None:
        step = self.sc.steps[index]
        if step.human is not None:
            self.human = step.human
        if step.handle_scale is not None:
            self.handle_scale = step.handle_scale


def simulate(
    scenario: Scenario,
    pacer: Pacer,
    seed: int = 0,
    policy: str = "",
    progress: Callable[[int], None] | None = None,
    reveal_finish: bool = False,
) -> SimResult:
    """Run every day of ``scenario`` against ``pacer``; ``progress(day)`` is called after each day.

    ``reveal_finish`` fills ``PacerState.finish_in`` with each agent's true finish time, for
    measuring the bound of a pacer that knows the future. The same scenario, seed and pacer
    settings give the same result, bit for bit.
    """
    draws = _Draws(np.random.Generator(np.random.PCG64(seed)))
    buckets = math.ceil(scenario.day_seconds / scenario.bucket) * scenario.days
    result = SimResult(
        policy=policy or type(pacer).__name__,
        agents=scenario.agents,
        days=scenario.days,
        seed=seed,
        dials=0,
        live=0,
        abandons=0,
        busy=0.0,
        available=0.0,
        bucket=scenario.bucket,
        series_busy=np.zeros(buckets),
        series_available=np.zeros(buckets),
        series_live=np.zeros(buckets),
        series_abandons=np.zeros(buckets),
        day_live=np.zeros(scenario.days),
        day_abandons=np.zeros(scenario.days),
    )
    for day in range(scenario.days):
        _Day(scenario, pacer, draws, result, day, reveal_finish).run()
        if progress is not None:
            progress(day + 1)
    return result
