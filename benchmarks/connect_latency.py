"""Answer-to-bridged delay on loopback: how long a callee who said "hello" waits for an agent.

Brings up its own lab (ports shifted by 30000, containers suffixed "-bench"), logs agents in on
baresip phones, places live calls with at most one per agent in flight, and reads every delay
from Asterisk's own event timestamps (ChannelStateChange Up or the AMD verdict, then
ChannelEnteredBridge). Prints a table; asserts nothing.

    .venv/bin/python benchmarks/connect_latency.py [--calls 60] [--agents 4] [--amd-calls 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
import time
import uuid
from contextlib import AsyncExitStack
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from engine.ari.client import AriClient
from engine.calls.controller import CallController, ControllerConfig
from engine.calls.model import CallOutcome, CallRequest
from engine.config import load_settings
from engine.initconfig import InitOptions, write_config
from engine.lab.phones import control
from engine.lab.session import RunningLab, running_lab

# 1RHH: rings 0 s, "hello", 440 Hz, hangs up 1 s later — short calls, many samples.
LIVE_NUMBERS = ["+12025551001", "+13055551001", "+14155551001", "+16175551001"]
TARGET_P99_MS = 100.0


async def measure(lab: RunningLab, calls: int, amd_calls: int) -> dict[str, list[float]]:
    agents = lab.agents
    delays: dict[str, list[float]] = {"answer → bridged (no AMD)": [], "AMD verdict → bridged": []}
    async with AriClient.from_settings(lab.settings.ari) as ari, \
            CallController(ari, ControllerConfig.from_settings(lab.settings)) as controller, \
            AsyncExitStack() as stack:
        phones = [await stack.enter_async_context(control(p)) for p in agents]
        for phone in phones:
            await phone.dial(lab.settings.dialplan.agent_login)
        await controller.wait_for_agents(len(agents), timeout=30)
        slots = asyncio.Semaphore(len(agents))

        async def one(index: int, amd: bool) -> None:
            async with slots:
                request = CallRequest(str(uuid.uuid4()), LIVE_NUMBERS[index % len(LIVE_NUMBERS)], "lab",
                                      "bench", ring_timeout=15, amd=amd)
                result = await asyncio.wait_for(controller.place(request), 60)
            if result.outcome is CallOutcome.CONNECTED and result.connect_delay is not None:
                key = "AMD verdict → bridged" if amd else "answer → bridged (no AMD)"
                delays[key].append(result.connect_delay * 1000)

        async with asyncio.TaskGroup() as group:
            for i in range(calls):
                group.create_task(one(i, amd=False))
            for i in range(amd_calls):
                group.create_task(one(i, amd=True))
        for phone in phones:
            await phone.hangup()
    return delays


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=60)
    parser.add_argument("--amd-calls", type=int, default=20)
    parser.add_argument("--agents", type=int, default=4)
    args = parser.parse_args()
    console = Console(width=120)
    root = Path(tempfile.mkdtemp(prefix="phonebank-bench-"))
    try:
        config = write_config(root / "phonebank.toml", InitOptions(
            lab=True, agents=args.agents, supervisors=0, port_offset=30000, name_suffix="-bench"))
        settings = load_settings(config)
        started = time.monotonic()
        with running_lab(settings, lambda m: console.print(f"[dim]· {m}[/]")) as lab:
            delays = asyncio.run(measure(lab, args.calls, args.amd_calls))
        elapsed = time.monotonic() - started
    finally:
        if os.environ.get("PHONEBANK_KEEP_LAB") is None:
            shutil.rmtree(root, ignore_errors=True)

    table = Table(title=f"Answer-to-agent delay on loopback ({os.cpu_count()} cores, {args.agents} agents, "
                        f"Asterisk event timestamps, ms)")
    for column in ("path", "calls", "p50", "p90", "p99", "max", f"p99 target ≤ {TARGET_P99_MS:.0f}"):
        table.add_column(column, justify="right")
    for name, values in delays.items():
        if not values:
            table.add_row(name, "0", "", "", "", "", "no connected calls")
            continue
        sample = np.array(values)
        p50, p90, p99 = np.percentile(sample, [50, 90, 99])
        verdict = "met" if p99 <= TARGET_P99_MS else "MISSED"
        table.add_row(name, str(len(sample)), f"{p50:.1f}", f"{p90:.1f}", f"{p99:.1f}", f"{sample.max():.1f}",
                      f"{verdict} ({p99 / TARGET_P99_MS:.2f}× of budget)")
    console.print(table)
    console.print(f"whole run, lab start to stop: {elapsed:.0f} s")


if __name__ == "__main__":
    main()
