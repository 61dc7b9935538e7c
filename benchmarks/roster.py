"""Time reading wide CSV rosters: sc-docs' roster reader against plain `csv.reader`, same run.

The baseline is the floor any roster reader pays: `csv.reader` splitting the same text into cells.
sc-docs additionally parses each header as a field path, types each cell by its schema, builds the
record and moves every cell's position. The ratio staying flat as the columns grow 8x shows the
reader is linear (it was quadratic: 16,000 list columns took 34 s).

Run: `python benchmarks/roster.py [--rounds N]`.
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sc_docs.sheets.csv_source import iter_roster  # noqa: E402


def roster(columns: int) -> str:
    head = ["applicant.legal_name"] + [f"applicant.scids[{i}]" for i in range(columns)]
    row = ["Acme LLC"] + [f"A{i % 1000:03d}" for i in range(columns)]
    return ",".join(head) + "\n" + ",".join(row) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"{'columns':>8} {'KB':>6} {'csv ms':>8} {'sc-docs ms':>11} {'ratio':>6}")
    for columns in (2_000, 4_000, 8_000, 16_000):
        text = roster(columns)
        base: list[float] = []
        ours: list[float] = []
        for _ in range(args.rounds):  # interleaved, so both see the same machine load
            t = time.perf_counter()
            list(csv.reader(io.StringIO(text)))
            base.append(time.perf_counter() - t)
            t = time.perf_counter()
            rows = list(iter_roster(text, "wide.csv"))
            ours.append(time.perf_counter() - t)
            assert len(rows) == 1 and len(rows[0][1].data["applicant"]["scids"]) == columns  # type: ignore[union-attr]
        b, o = statistics.median(base) * 1000, statistics.median(ours) * 1000
        print(f"{columns:>8} {len(text) // 1024:>6} {b:>8.1f} {o:>11.1f} {o / b:>6.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
