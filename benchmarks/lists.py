"""Benchmarks for lists and do-not-call: import, registry scrub, and leasing from the hopper.

    .venv/bin/python benchmarks/lists.py            # full size (1M-row import, 50M registry, 5M leads)
    .venv/bin/python benchmarks/lists.py --quick    # scaled down, for a smoke run

Generates every input in a temporary directory (deleted afterwards) and prints one table of
figures against the targets. Nothing is asserted: these are measurements, not tests.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and its siblings engine.py and
# pacing.py would shadow the packages of those names.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import numpy as np
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine
from sqlmodel import Session

from engine.compliance.registry import Registry, import_registry
from engine.compliance.zones import DATA_DIR
from engine.dnc.scrub import scrub_campaign
from engine.leads.campaigns import create_campaign
from engine.leads.hopper import next_dialable
from engine.lists.importer import ImportOptions, import_list
from engine.lists.locate import ComplianceLocator
from engine.store.bulk import bulk_insert, insert_ignoring_duplicates
from engine.store.db import make_engine, migrate
from engine.store.models import CampaignWindowKey, Contact, ContactList

FIRST = ["Ann", "Bob", "Carmen", "Dev", "Eli", "Fatima", "Gus", "Hana", "Ike", "Jo"]
LAST = ["Lee", "Garcia", "Smith", "Nguyen", "Patel", "Brown", "Khan", "Ortiz", "Cohen", "Ward"]
STREETS = ["Main Street", "Oak Ave", "Elm St", "2nd Street", "Park Road", "Lake Dr"]


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    target: float | None


def _places() -> list[tuple[str, str, list[str]]]:
    """(area code, state, ZIP3s of that state) for the 50 states and DC."""
    by_state: dict[str, list[str]] = {}
    with (DATA_DIR / "zip_zones.csv").open() as handle:
        for row in csv.DictReader(line for line in handle if not line.startswith("#")):
            if len(row["prefix"]) == 3 and row["state"]:
                by_state.setdefault(row["state"], []).append(row["prefix"])
    places = []
    with (DATA_DIR / "nanp_zones.csv").open() as handle:
        for row in csv.DictReader(line for line in handle if not line.startswith("#")):
            if len(row["prefix"]) == 3 and row["state"] in by_state:
                places.append((row["prefix"], row["state"], by_state[row["state"]]))
    return places


def write_voter_csv(path: Path, rows: int, seed: int = 7) -> None:
    """A voter-file-shaped CSV with ``rows`` rows across every state and time zone."""
    rng = random.Random(seed)
    places = _places()
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([
            "VoterID", "FirstName", "LastName", "ResAddress", "City", "State", "Zip5", "Phone",
            "PhoneType", "Party", "Precinct",
        ])
        for i in range(rows):
            npa, state, zip3s = places[rng.randrange(len(places))]
            nxx = rng.randrange(200, 1000)
            if nxx % 100 == 11:
                nxx += 1
            writer.writerow([
                f"V{i:08d}", rng.choice(FIRST), rng.choice(LAST),
                f"{rng.randrange(1, 9999)} {rng.choice(STREETS)}", "Town", state,
                f"{rng.choice(zip3s)}{rng.randrange(100):02d}",
                f"({npa}) {nxx}-{i % 10000:04d}", rng.choice(["cell", "landline", ""]),
                rng.choice("DRU"), f"P{rng.randrange(500)}",
            ])


def _timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def _new_database(work: Path, name: str) -> Engine:
    url = f"sqlite:///{work / name}"
    migrate(url)
    return make_engine(url)


def _campaign(engine: Engine, name: str, **settings: object) -> int:
    with Session(engine) as session:
        campaign = create_campaign(session, name, **settings)
        session.commit()
        assert campaign.id is not None
        return campaign.id


def bench_import(work: Path, rows: int) -> tuple[list[Figure], Engine, int]:
    source = work / "voters.csv"
    write_voter_csv(source, rows)
    engine = _new_database(work, "import.db")
    campaign_id = _campaign(engine, "bench-import", uses_national_dnc=False)
    seconds, result = _timed(lambda: import_list(engine, campaign_id, source, ImportOptions()))
    imported = getattr(result, "imported", 0)
    figures = [
        Figure(f"import {rows:,}-row voter CSV (SQLite)", seconds, "s", 30.0),
        Figure("  import rate", rows / seconds, "rows/s", None),
        Figure("  contacts imported", imported, "", None),
    ]
    return figures, engine, campaign_id


def write_registry_file(path: Path, numbers: np.ndarray) -> None:
    """An FTC-style flat file: one 10-digit number per line, written with numpy in blocks."""
    with path.open("wb") as handle:
        for start in range(0, len(numbers), 5_000_000):
            block = numbers[start:start + 5_000_000]
            digits = np.empty((len(block), 11), dtype=np.uint8)
            value = block.copy()
            for position in range(9, -1, -1):
                digits[:, position] = ord("0") + value % 10
                value //= 10
            digits[:, 10] = ord("\n")
            handle.write(digits.tobytes())


def registry_numbers(size: int, seed: int = 11) -> np.ndarray:
    """``size`` random valid NANP numbers (area code and exchange 200-999), unsorted.

    Every one a real registry line: numbers with an exchange starting 0 or 1 are rejected
    as malformed, so drawing from 2000000000-9999999999 made a fifth of the "registry"
    malformed lines and measured the reject path instead. Unsorted, unlike the FTC's
    files, so the load includes the full sort.
    """
    rng = np.random.default_rng(seed)
    area = rng.integers(200, 1000, size=size, dtype=np.int64)
    exchange = rng.integers(200, 1000, size=size, dtype=np.int64)
    return area * 10_000_000 + exchange * 10_000 + rng.integers(0, 10_000, size=size, dtype=np.int64)


def bench_registry(work: Path, size: int, engine: Engine, campaign_id: int) -> list[Figure]:
    numbers = registry_numbers(size)
    source = work / "registry.txt"
    write_registry_file(source, numbers)
    dest = work / "national.npy"
    load_seconds, _ = _timed(lambda: import_registry([source], dest))
    registry = Registry.open(dest)
    scrub_seconds, marked = _timed(lambda: scrub_campaign(engine, campaign_id, registry))
    contacts = engine.connect().exec_driver_sql("SELECT count(*) FROM contacts").scalar()
    return [
        Figure(f"load {size:,} registry numbers", load_seconds, "s", None),
        Figure(f"scrub {contacts:,} contacts against it", scrub_seconds, "s", None),
        Figure("registry load + scrub", load_seconds + scrub_seconds, "s", 10.0),
        Figure("  contacts found on the registry", float(marked), "", None),  # type: ignore[arg-type]
    ]


def _synthetic_contacts(engine: Engine, campaign_id: int, count: int) -> None:
    """Insert ``count`` contacts across every state straight through the bulk path."""
    rng = random.Random(5)
    places = _places()
    locator = ComplianceLocator()
    with Session(engine) as session:
        contact_list = ContactList(campaign_id=campaign_id, name="synthetic")
        session.add(contact_list)
        session.commit()
        list_id = contact_list.id
    keys: set[str] = set()
    columns = (
        "campaign_id", "list_id", "e164", "state", "zip_code", "window_key", "line_type", "extra",
        "priority", "lead_state", "attempts",
    )
    batch: list[tuple[object, ...]] = []
    for i in range(count):
        npa, state, zip3s = places[i % len(places)]
        zip_code = f"{rng.choice(zip3s)}{rng.randrange(100):02d}"
        e164 = f"+1{npa}{200 + i // 10_000 % 800}{i % 10_000:04d}"
        location = locator.locate(e164, zip_code, state)
        keys.add(location.window_key)
        batch.append((
            campaign_id, list_id, e164, location.state, zip_code, location.window_key, "landline",
            {}, rng.randrange(3), "ready", 0,
        ))
        if len(batch) == 50_000 or i == count - 1:
            with engine.begin() as connection:
                bulk_insert(connection, Contact.__table__, columns, batch)  # type: ignore[arg-type]
            batch = []
    with engine.begin() as connection:
        insert_ignoring_duplicates(connection, CampaignWindowKey.__table__, [  # type: ignore[arg-type]
            {"campaign_id": campaign_id, "window_key": key} for key in sorted(keys)
        ])
        connection.exec_driver_sql("ANALYZE")


def bench_hopper(work: Path, contacts: int, leases: int, per_lease: int) -> list[Figure]:
    engine = _new_database(work, "hopper.db")
    campaign_id = _campaign(
        engine, "bench-hopper", uses_national_dnc=False, cell_policy="dial",
        calling_hours={"weekday": "09:00-21:00", "saturday": "10:00-21:00", "sunday": "12:00-21:00"},
    )
    build_seconds, _ = _timed(lambda: _synthetic_contacts(engine, campaign_id, contacts))
    # A Tuesday, 21:30 UTC: evening in the east, afternoon in the west, so some zones are
    # closed and the hopper must filter by window.
    at = datetime(2024, 10, 15, 21, 30, tzinfo=UTC)
    times = []
    leased = 0
    for round_number in range(leases):
        owner = f"engine-{round_number % 2}"
        seconds, got = _timed(lambda owner=owner: next_dialable(engine, campaign_id, at, per_lease, owner))  # type: ignore[misc]
        times.append(seconds * 1000)
        leased += len(got)  # type: ignore[arg-type]
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    return [
        Figure(f"build {contacts:,}-contact campaign (setup)", build_seconds, "s", None),
        Figure(f"lease {per_lease} leads, p50 over {leases}", statistics.median(times), "ms", None),
        Figure(f"lease {per_lease} leads, p99 over {leases}", p99, "ms", 50.0),
        Figure("  leads leased in total", float(leased), "", None),
    ]


def _print(figures: list[Figure], quick: bool) -> None:
    table = Table(title=f"phonebank lists benchmark{' (--quick: scaled down)' if quick else ''}, {os.cpu_count()} cores")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    table.add_column("vs target", justify="right")
    for figure in figures:
        value = f"{figure.value:,.2f} {figure.unit}".strip() if figure.unit else f"{figure.value:,.0f}"
        if figure.target is None:
            table.add_row(figure.name, value, "", "")
            continue
        ratio = figure.value / figure.target
        verdict = f"[{'green' if ratio <= 1 else 'red'}]{ratio:.2f}x[/]"
        table.add_row(figure.name, value, f"<= {figure.target:g} {figure.unit}", verdict)
    Console().print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="scale everything down ~20x")
    parser.add_argument("--only", choices=["import", "registry", "hopper"], action="append")
    args = parser.parse_args()
    rows, registry_size, contacts = (50_000, 2_500_000, 250_000) if args.quick else (1_000_000, 50_000_000, 5_000_000)
    parts = set(args.only or ["import", "registry", "hopper"])
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="phonebank-bench-") as tmp:
        work = Path(tmp)
        if parts & {"import", "registry"}:
            imported, engine, campaign_id = bench_import(work, rows)
            if "import" in parts:
                figures.extend(imported)
            if "registry" in parts:
                figures.extend(bench_registry(work, registry_size, engine, campaign_id))
            engine.dispose()
        if "hopper" in parts:
            figures.extend(bench_hopper(work, contacts, leases=60, per_lease=500))
    _print(figures, args.quick)


if __name__ == "__main__":
    main()
