"""Batch throughput and memory: N synthetic applicants' full packets at -j1 and -j2.

    python benchmarks/batch.py [--n 1000] [--jobs 1 2] [--memory-n 10000]

Each run is `sc-docs batch` in a subprocess on a fresh output folder; wall time, packets per
second and peak RSS of the whole process tree (parent plus workers, sampled from /proc every
20 ms) are printed as a table. `--memory-n` adds one larger run to show that memory stays flat
as N grows (0 skips it). Targets (2-core machine): 1,000 packets in <= 15 s with -j2; peak
memory <= 300 MB at 10,000 applicants.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.synthetic import write_synthetic  # noqa: E402


def tree_rss_kb(pid: int) -> int:
    """Sum VmRSS of `pid` and all its descendants (Linux /proc)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                children = (task / "children").read_text().split()
                stack.extend(int(c) for c in children)
        except (OSError, ValueError):
            continue
    return total


def run(sheets: Path, jobs: int, n: int) -> tuple[float, int]:
    out = Path(tempfile.mkdtemp(prefix="sc-docs-bench-out-"))
    shutil.rmtree(out)
    cmd = [sys.executable, "-m", "sc_docs", "batch", str(sheets), "-o", str(out), "-j", str(jobs), "--quiet"]
    peak = 0
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss_kb(proc.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"batch failed ({proc.returncode}):\n{stdout}\n{stderr}")
    made = len([z for z in out.glob("*.zip") if not z.name.startswith(".")])
    shutil.rmtree(out)
    if made != n:
        raise SystemExit(f"expected {n} packets, found {made}")
    return wall, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--memory-n", type=int, default=10000)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="sc-docs-bench-") as tmp:
        sizes = [(args.n, j) for j in args.jobs]
        if args.memory_n:
            sizes.append((args.memory_n, max(args.jobs)))
        made: dict[int, Path] = {}
        for n, jobs in sizes:
            if n not in made:
                made[n] = Path(tmp) / f"sheets-{n}"
                write_synthetic(made[n], n)
            wall, peak = run(made[n], jobs, n)
            rows.append((n, jobs, wall, n / wall, peak / 1024))
    print(f"{'applicants':>10} {'jobs':>4} {'wall s':>8} {'packets/s':>10} {'peak RSS MB':>12}")
    for n, jobs, wall, rate, mb in rows:
        print(f"{n:>10} {jobs:>4} {wall:>8.2f} {rate:>10.1f} {mb:>12.1f}")
    by_jobs = {j: w for n, j, w, _, _ in rows if n == args.n}
    if 1 in by_jobs and 2 in by_jobs:
        print(f"speed-up -j2 vs -j1: {by_jobs[1] / by_jobs[2]:.2f}x")
    print(f"cpus: {os.cpu_count()}")


if __name__ == "__main__":
    main()
