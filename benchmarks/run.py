"""Run every benchmark and print its table: `python benchmarks/run.py [--quick]`.

`--quick` uses smaller sizes (for a smoke run); the targets are judged on the full run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    quick = "--quick" in sys.argv[1:]
    runs = [
        ("Agreement rendering: docxtpl loop vs sc-docs", ["render.py"]),
        ("Form filling: pypdf vs sc-docs", ["fill.py"]),
        ("Batch: full packets, wall time and peak memory",
         ["batch.py", "--n", "100" if quick else "1000", "--memory-n", "0" if quick else "10000"]),
        ("Web workspace: page times on N applicants", ["web.py", "--n", "100" if quick else "500"]),
    ]
    failed = 0
    for title, args in runs:
        print(f"\n== {title}", flush=True)
        code = subprocess.call([sys.executable, str(HERE / args[0]), *args[1:]])
        if code:
            print(f"(exit {code})")
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
