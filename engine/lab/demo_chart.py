"""The demo's chart: calls per minute above, abandon rate and occupancy below, as one PNG."""

from __future__ import annotations

from pathlib import Path

from engine.lab.demo_report import DemoReport


def _percent(values: tuple[float | None, ...]) -> list[float]:
    # A minute with no denominator is a gap in the line, not a zero.
    return [100 * v if v is not None else float("nan") for v in values]


def write_chart(report: DemoReport, path: Path) -> Path:
    """Draw ``report``'s timeline to ``path`` (PNG) with matplotlib's Agg backend."""
    import matplotlib

    matplotlib.use("Agg")  # no display: a file only
    import matplotlib.pyplot as plt

    line = report.timeline
    centres = [m + 0.5 for m in line.minutes]  # minute m spans [m, m + 1)
    fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(10, 6))
    try:
        top.bar([c - 0.2 for c in centres], line.dials, width=0.4, label="dialled")
        top.bar([c + 0.2 for c in centres], line.connected, width=0.4, label="connected to an agent")
        top.set_ylabel("calls per minute")
        top.legend(loc="upper right")
        bottom.plot(centres, _percent(line.occupancy), marker="o", label="agent occupancy (left)")
        bottom.set_ylim(0, 100)
        bottom.set_ylabel("occupancy %")
        rates = _percent(line.abandon_rate)
        right = bottom.twinx()  # an abandon rate of a few percent would be flat on a 0-100 axis
        right.plot(centres, rates, marker="s", color="tab:red", label="abandon rate, running (right)")
        right.axhline(100 * report.abandon_target, linestyle="--", color="tab:red", alpha=0.5,
                      label=f"{report.abandon_target:.0%} limit")
        right.set_ylim(0, max([2 * 100 * report.abandon_target, *(1.2 * 100 * r for r in line.abandon_rate if r is not None)]))
        right.set_ylabel("abandon %")
        for axis in (top, bottom):
            axis.axvline(report.dial_minutes, linestyle=":", color="grey")
        bottom.set_xlabel(f"minutes since the agents logged in (dialling stops at {report.dial_minutes:.1f}, "
                          "then calls drain)")
        handles = [*bottom.get_legend_handles_labels()[0], *right.get_legend_handles_labels()[0]]
        bottom.legend(handles=handles, loc="upper right")
        fig.suptitle(f"{report.campaign}: {report.calls} calls, {report.agents} agents")
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path)
    finally:
        plt.close(fig)
    return path
