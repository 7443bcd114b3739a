"""Regenerate engine/compliance/data/nanp_zones.csv and zip_zones.csv.

Sources (both offline, both on PyPI):
- NANP prefixes: the ``phonenumbers`` package's time-zone and geocoding metadata (Apache-2.0),
  derived from Google's libphonenumber.
- ZIP codes: the ``zipcodes`` package (MIT, https://github.com/seanpianka/zipcodes), which embeds
  a monthly-refreshed US ZIP dataset with an IANA zone per ZIP. Install it only to run this
  script: ``pip install 'zipcodes~=3.0'``; the runtime reads the shipped CSVs and never needs it.

Zones whose UTC offsets are identical at every hour from 2020 to 2040 (America/Detroit and
America/New_York, say) are written as one representative, so the store sees fewer distinct
window keys. Usage: ``python scripts/compliance/build_zone_tables.py [OUT_DIR]``.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo, available_timezones

import phonenumbers
from phonenumbers import PhoneMetadata
from phonenumbers.geodata import GEOCODE_DATA
from phonenumbers.tzdata import TIMEZONE_DATA

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "engine" / "compliance" / "data"

# Representatives are chosen in this order, so the familiar name wins over an alias.
PREFERRED_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "America/Adak",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
    "Pacific/Guam",
    "Pacific/Pago_Pago",
)

# The zipcodes dataset has a few town names where a zone belongs.
ZIP_ZONE_FIXES = {"Napakiak": "America/Anchorage"}

US_TERRITORIES = {"PR", "GU", "VI", "AS", "MP"}

STATE_NAMES = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA",
    "Colorado": "CO", "Connecticut": "CT", "Delaware": "DE", "Florida": "FL", "Georgia": "GA",
    "Hawaii": "HI", "Idaho": "ID", "Illinois": "IL", "Indiana": "IN", "Iowa": "IA",
    "Kansas": "KS", "Kentucky": "KY", "Louisiana": "LA", "Maine": "ME", "Maryland": "MD",
    "Massachusetts": "MA", "Michigan": "MI", "Minnesota": "MN", "Mississippi": "MS",
    "Missouri": "MO", "Montana": "MT", "Nebraska": "NE", "Nevada": "NV",
    "New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM", "New York": "NY",
    "North Carolina": "NC", "North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK",
    "Oregon": "OR", "Pennsylvania": "PA", "Rhode Island": "RI", "South Carolina": "SC",
    "South Dakota": "SD", "Tennessee": "TN", "Texas": "TX", "Utah": "UT", "Vermont": "VT",
    "Virginia": "VA", "Washington State": "WA", "Washington": "WA", "West Virginia": "WV",
    "Wisconsin": "WI", "Wyoming": "WY", "Washington D.C.": "DC",
}


def offsets(zone: str) -> tuple[timedelta | None, ...]:
    """The zone's UTC offset at every hour of 2020-2040: equal tuples mean equal clocks."""
    tz = ZoneInfo(zone)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    return tuple((start + timedelta(hours=h)).astimezone(tz).utcoffset() for h in range(175_320))


def canonical_map(zones: Iterable[str]) -> dict[str, str]:
    """Map every zone to the preferred representative of its equivalence class."""
    ordered = [z for z in PREFERRED_ZONES] + sorted(set(zones) - set(PREFERRED_ZONES))
    by_offsets: dict[tuple[timedelta | None, ...], str] = {}
    mapping: dict[str, str] = {}
    for zone in ordered:
        mapping[zone] = by_offsets.setdefault(offsets(zone), zone)
    return mapping


def npa_region(npa: str) -> str:
    """The libphonenumber region (US, CA, PR, JM, ...) an NPA belongs to."""
    for region in phonenumbers.region_codes_for_country_code(1):
        pattern = PhoneMetadata.metadata_for_region(region).leading_digits
        if pattern and re.match(f"(?:{pattern})", npa + "0000000"):
            return region
    return "US_OR_CA"


def npa_state(npa: str) -> str:
    """Two-letter US state or territory for an NPA, or '' outside the US."""
    region = npa_region(npa)
    if region in US_TERRITORIES:
        return region
    name = GEOCODE_DATA.get("1" + npa, {}).get("en", "")
    if name in STATE_NAMES:
        return STATE_NAMES[name]
    # Some NPAs only have exchange-level entries ("Bridgeport, CT"): take their majority.
    votes: dict[str, int] = defaultdict(int)
    for prefix, names in GEOCODE_DATA.items():
        if prefix.startswith("1" + npa):
            suffix = re.search(r", ([A-Z]{2})$", names.get("en", ""))
            if suffix and suffix.group(1) in STATE_NAMES.values():
                votes[suffix.group(1)] += 1
    return max(votes, key=votes.__getitem__) if votes else ""


def nanp_rows() -> list[tuple[str, str, tuple[str, ...]]]:
    """(national prefix, state, zones) rows, longest-prefix semantics like libphonenumber."""
    entries = {k[1:]: v for k, v in TIMEZONE_DATA.items() if k.startswith("1") and len(k) > 1}
    by_npa: dict[str, list[str]] = defaultdict(list)
    for prefix in entries:
        by_npa[prefix[:3]].append(prefix)
    rows = []
    for npa, prefixes in sorted(by_npa.items()):
        state = npa_state(npa)
        if npa not in entries:
            # No NPA default: an exchange not listed may be in any zone the NPA uses.
            union = sorted({z for p in prefixes for z in entries[p]})
            rows.append((npa, state, tuple(union)))
        rows.extend((p, state, tuple(entries[p])) for p in sorted(prefixes))
    return rows


def zip_rows(zipcodes: ModuleType) -> list[tuple[str, str, tuple[str, ...]]]:
    """ZIP3 rows (every state/zone the prefix uses) plus ZIP5 rows inside mixed ZIP3s."""
    valid = available_timezones()
    per_zip: dict[str, tuple[str, str]] = {}
    for record in zipcodes.list_all():
        zone = ZIP_ZONE_FIXES.get(record["timezone"], record["timezone"])
        if zone in valid:
            per_zip[record["zip_code"]] = (record["state"], zone)
    by_zip3: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for code, pair in per_zip.items():
        by_zip3[code[:3]].add(pair)
    rows = []
    for zip3, pairs in sorted(by_zip3.items()):
        states = {s for s, _ in pairs}
        state = states.pop() if len(states) == 1 else ""
        rows.append((zip3, state, tuple(sorted({z for _, z in pairs}))))
        if len(pairs) > 1:
            for code in sorted(c for c in per_zip if c.startswith(zip3)):
                zip_state, zone = per_zip[code]
                rows.append((code, zip_state, (zone,)))
    return rows


def write(path: Path, header: str, rows: list[tuple[str, str, tuple[str, ...]]],
          canon: dict[str, str]) -> None:
    """Write rows with canonical zones; a '#' header line names the source."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        handle.write(header)
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(["prefix", "state", "zones"])
        for prefix, state, zones in rows:
            out.writerow([prefix, state, " ".join(sorted({canon[z] for z in zones}))])


def main() -> None:
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    try:
        import zipcodes
    except ImportError:
        sys.exit("error: this script needs the zipcodes package: pip install 'zipcodes~=3.0'")
    nanp, zips = nanp_rows(), zip_rows(zipcodes)
    canon = canonical_map(z for rows in (nanp, zips) for _, _, zones in rows for z in zones)
    write(out_dir / "nanp_zones.csv",
          f"# NANP national-number prefix -> IANA zones. Source: phonenumbers "
          f"{phonenumbers.__version__} (libphonenumber) timezone + geocoding metadata; "
          "generated by scripts/compliance/build_zone_tables.py\n", nanp, canon)
    write(out_dir / "zip_zones.csv",
          f"# US ZIP3/ZIP5 -> state, IANA zones. Source: zipcodes {zipcodes.__version__} "
          "(MIT, github.com/seanpianka/zipcodes); generated by "
          "scripts/compliance/build_zone_tables.py\n", zips, canon)
    print(f"wrote {len(nanp)} NANP rows and {len(zips)} ZIP rows to {out_dir}")


if __name__ == "__main__":
    main()
