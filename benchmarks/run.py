"""Run every benchmark and print its table: `python benchmarks/run.py [--quick]`.

`--quick` uses smaller sizes (for a smoke run); the targets are judged on the full run. The load
average is printed before and after each benchmark: on a shared machine a ratio is only as good
as the quiet it was measured in, so quote it with the numbers.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as `uptime` prints them."""
    try:
        one, five, fifteen = os.getloadavg()
    except (AttributeError, OSError):  # Windows
        return "load average: unknown"
    return f"load average: {one:.2f}, {five:.2f}, {fifteen:.2f}"


def main() -> int:
    quick = "--quick" in sys.argv[1:]
    runs = [
        ("Packet by stage: each stage beside its floor", ["packet.py", "--rounds", "5" if quick else "15"]),
        ("Agreement rendering: docxtpl loop vs sc-docs", ["render.py"]),
        ("Agreement rendering on the packet path: packet vs bare vs floor",
         ["render_packet.py", "--rounds", "5" if quick else "15"]),
        ("Form filling: pypdf vs sc-docs", ["fill.py"]),
        ("Roster reading: csv.reader vs sc-docs, 2,000 to 16,000 list columns", ["roster.py", "--rounds", "3"]),
        ("Batch: full packets, wall and CPU time, peak memory",
         ["batch.py", "--n", "100" if quick else "1000", "--rounds", "1" if quick else "3",
          "--memory-n", "0" if quick else "10000"]),
        ("Cold start: one packet as a whole process, template cache cold vs warm",
         ["coldstart.py", "--rounds", "3" if quick else "9"]),
        ("Web workspace: page times on N applicants", ["web.py", "--n", "100" if quick else "500"]),
    ]
    failed = 0
    print(f"cpus: {os.cpu_count()}, python {sys.version.split()[0]}")
    for title, args in runs:
        print(f"\n== {title}\n{load_average()}", flush=True)
        code = subprocess.call([sys.executable, str(HERE / args[0]), *args[1:]])
        print(f"{load_average()} (after)", flush=True)
        if code:
            print(f"(exit {code})")
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
