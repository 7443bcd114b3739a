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
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, insert
from sqlmodel import Session

from engine.compliance import registry as national
from engine.compliance.zones import DATA_DIR
from engine.dnc import blocked_numbers
from engine.leads.hopper import next_dialable, release
from engine.lists.importer import ImportOptions, import_list
from engine.lists.locate import ComplianceLocator
from engine.store.db import make_engine, migrate
from engine.store.models import Campaign, CampaignWindowKey, Contact, ContactList

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


def bench_import(work: Path, rows: int) -> list[Figure]:
    source = work / "voters.csv"
    write_voter_csv(source, rows)
    url = f"sqlite:///{work / 'import.db'}"
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session:
        campaign = Campaign(name="bench-import", uses_national_dnc=False)
        session.add(campaign)
        session.commit()
        campaign_id = campaign.id
    assert campaign_id is not None
    seconds, result = _timed(lambda: import_list(engine, campaign_id, source, ImportOptions()))
    engine.dispose()
    print(f"  import: {result}")
    return [Figure(f"import {rows:,}-row voter CSV (SQLite)", seconds, "s", 30.0 if rows >= 1_000_000 else None)]
