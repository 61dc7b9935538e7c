"""Batch throughput and memory: N synthetic applicants' full packets at -j1 and -j2.

    python benchmarks/batch.py [--n 1000] [--jobs 1 2] [--rounds 3] [--small 5] [--memory-n 10000]

Each run is `sc-docs batch` in a subprocess on a fresh output folder. The -j runs are
interleaved (-j1, -j2, -j1, -j2, ...) so they share the machine's load; the table gives the
median wall time with min-max. Peak RSS is sampled from /proc every 20 ms, both for the whole
process tree (parent plus workers) and for the largest single process. `--small` times a
handful of applicants at the default -j against -j1 (workers must not cost more than they
save), `--memory-n` adds one large run to show that memory stays flat as N grows (0 skips it).
Targets (2-core machine): -j2 >= 1.8x -j1 on a quiet machine; peak memory <= 300 MB at 10,000.
"""

from __future__ import annotations

import argparse
import os
import statistics
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


def tree_rss_kb(pid: int) -> tuple[int, int]:
    """Return (sum, largest) VmRSS of `pid` and all its descendants (Linux /proc)."""
    total, largest, stack = 0, 0, [pid]
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    kb = int(line.split()[1])
                    total += kb
                    largest = max(largest, kb)
            for task in Path(f"/proc/{p}/task").iterdir():
                children = (task / "children").read_text().split()
                stack.extend(int(c) for c in children)
        except (OSError, ValueError):
            continue
    return total, largest


CPU: list[float] = []  # CPU seconds (user + system) of each run's whole process tree, in order


def children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # includes the workers the batch waited for
    return usage.ru_utime + usage.ru_stime


def run(sheets: Path, jobs: int | None, n: int) -> tuple[float, int, int]:
    """Return wall seconds, peak tree RSS and peak single-process RSS (KB) of one batch.

    Its CPU seconds are appended to `CPU`: on a shared machine wall time mostly measures the
    others' load, CPU time what the batch itself costs.
    """
    out = Path(tempfile.mkdtemp(prefix="sc-docs-bench-out-"))
    shutil.rmtree(out)
    cmd = [sys.executable, "-m", "sc_docs", "batch", str(sheets), "-o", str(out), "--quiet"]
    if jobs is not None:
        cmd += ["-j", str(jobs)]
    peak = single = 0
    cpu0 = children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, single
        while not stop.is_set():
            tree, largest = tree_rss_kb(proc.pid)
            peak, single = max(peak, tree), max(single, largest)
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - start
    CPU.append(children_cpu() - cpu0)
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"batch failed ({proc.returncode}):\n{stdout}\n{stderr}")
    made = len([z for z in out.glob("*.zip") if not z.name.startswith(".")])
    shutil.rmtree(out)
    if made != n:
        raise SystemExit(f"expected {n} packets, found {made}")
    return wall, peak, single


def med(values: list[float]) -> str:
    return f"{statistics.median(values):8.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of the --n runs")
    parser.add_argument("--small", type=int, default=5, help="applicants of the default -j vs -j1 check (0 skips)")
    parser.add_argument("--memory-n", type=int, default=10000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sc-docs-bench-") as tmp:
        sheets = Path(tmp) / f"sheets-{args.n}"
        write_synthetic(sheets, args.n)
        walls: dict[int, list[float]] = {j: [] for j in args.jobs}
        cpus: dict[int, list[float]] = {j: [] for j in args.jobs}
        peaks: dict[int, tuple[int, int]] = {j: (0, 0) for j in args.jobs}
        for r in range(args.rounds):
            for jobs in (args.jobs if r % 2 == 0 else args.jobs[::-1]):
                wall, tree, single = run(sheets, jobs, args.n)
                walls[jobs].append(wall)
                cpus[jobs].append(CPU[-1])
                peaks[jobs] = (max(peaks[jobs][0], tree), max(peaks[jobs][1], single))
        print(f"{args.n} applicants, {args.rounds} interleaved rounds; wall s median (min-max)")
        print(f"{'jobs':>4} {'wall s':>22} {'packets/s':>10} {'CPU s':>22} {'CPU ms/packet':>14} {'tree MB':>8} {'largest MB':>11}")
        for jobs in args.jobs:
            rate = args.n / statistics.median(walls[jobs])
            per = statistics.median(cpus[jobs]) * 1000 / args.n
            print(f"{jobs:>4} {med(walls[jobs]):>22} {rate:>10.1f} {med(cpus[jobs]):>22} {per:>14.2f} "
                  f"{peaks[jobs][0] / 1024:>8.1f} {peaks[jobs][1] / 1024:>11.1f}")
        if 1 in walls and 2 in walls:
            print(f"speed-up -j2 vs -j1: {statistics.median(walls[1]) / statistics.median(walls[2]):.2f}x")
        if args.small:
            few = Path(tmp) / f"sheets-{args.small}"
            write_synthetic(few, args.small)
            small: dict[str, list[float]] = {"-j1": [], "default -j": []}
            small_cpu: dict[str, list[float]] = {"-j1": [], "default -j": []}
            for r in range(7):
                for label, jobs in ((("-j1", 1), ("default -j", None)) if r % 2 == 0 else (("default -j", None), ("-j1", 1))):
                    small[label].append(run(few, jobs, args.small)[0])
                    small_cpu[label].append(CPU[-1])
            print(f"\n{args.small} applicants, 7 interleaved rounds, whole process: s median (min-max)")
            print(f"{'':>10} {'wall s':>22} {'CPU s':>22}")
            for label, values in small.items():
                print(f"{label:>10} {med(values):>22} {med(small_cpu[label]):>22}")
            print(f"default -j / -j1: {statistics.median(small['default -j']) / statistics.median(small['-j1']):.2f}x")
        if args.memory_n:
            big = Path(tmp) / f"sheets-{args.memory_n}"
            write_synthetic(big, args.memory_n)
            jobs = max(args.jobs)
            wall, tree, single = run(big, jobs, args.memory_n)
            shutil.rmtree(big)
            print(f"\n{args.memory_n} applicants at -j{jobs}: {wall:.1f} s ({args.memory_n / wall:.0f}/s), "
                  f"CPU {CPU[-1]:.1f} s ({CPU[-1] * 1000 / args.memory_n:.2f} ms a packet), "
                  f"peak tree {tree / 1024:.1f} MB, largest single process {single / 1024:.1f} MB")
    print(f"cpus: {os.cpu_count()}")


if __name__ == "__main__":
    main()
