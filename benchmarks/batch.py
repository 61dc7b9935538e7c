"""Batch throughput and memory: N synthetic applicants' full packets at -j1 and -j2.

    python benchmarks/batch.py [--n 1000] [--jobs 1 2] [--rounds 3] [--small 5] [--memory-n 10000]
                               [--profile DIR]

Each run is `sc-docs batch` in a subprocess on a fresh output folder. The -j runs are
interleaved (-j1, -j2, -j1, -j2, ...) so they share the machine's load; the table gives the
median wall time with min-max, and the CPU time of the whole process tree (on a shared machine
the wall time mostly measures the others' load). Memory is sampled from /proc every 20 ms: the
tree's RSS (workers' shared pages counted in each), its PSS (shared pages split between the
processes that share them: what the tree really holds) and the largest single process's RSS.
`--small` times a handful of applicants at the default -j against -j1 (workers must not cost
more than they save), `--memory-n` adds one large run to show that time stays linear and memory
flat as N grows (0 skips it). `--profile DIR` adds one run at each -j under cProfile, parent and
every worker each writing `DIR/j<jobs>-<role>-<pid>.prof`, and prints where the CPU went.
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


def tree_rss_kb(pid: int) -> tuple[int, int, int]:
    """Return (sum of RSS, sum of PSS, largest RSS) in KB of `pid` and all its descendants (Linux /proc)."""
    total, pss, largest, stack = 0, 0, 0, [pid]
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    kb = int(line.split()[1])
                    total += kb
                    largest = max(largest, kb)
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                children = (task / "children").read_text().split()
                stack.extend(int(c) for c in children)
        except (OSError, ValueError):
            continue
    return total, pss, largest


CPU: list[float] = []  # CPU seconds (user + system) of each run's whole process tree, in order


def children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # includes the workers the batch waited for
    return usage.ru_utime + usage.ru_stime


PROFILED = """
import cProfile, os, sys, time
from multiprocessing import util
import sc_docs.batch as batch
from sc_docs.cli import main

folder, tag = os.environ["SC_DOCS_BENCH_PROFILE"], sys.argv.pop(1)
start = batch._worker_start


def profiled_start(*args):
    start(*args)
    worker = cProfile.Profile(time.process_time)  # CPU, not wall: the machine is shared
    util.Finalize(None, lambda: (worker.disable(), worker.dump_stats(f"{folder}/{tag}-worker-{os.getpid()}.prof")),
                  exitpriority=100)
    worker.enable()


batch._worker_start = profiled_start
parent = cProfile.Profile(time.process_time)
try:
    code = parent.runcall(main, sys.argv[1:])
finally:
    parent.dump_stats(f"{folder}/{tag}-parent-{os.getpid()}.prof")
sys.exit(code)
"""


def run(sheets: Path, jobs: int | None, n: int, profile: Path | None = None) -> tuple[float, int, int, int]:
    """Return wall seconds, peak tree RSS, peak tree PSS and peak single-process RSS (KB) of one batch.

    Its CPU seconds are appended to `CPU`: on a shared machine wall time mostly measures the
    others' load, CPU time what the batch itself costs. With `profile`, the batch runs under
    cProfile (parent and workers; forked workers inherit the switch).
    """
    out = Path(tempfile.mkdtemp(prefix="sc-docs-bench-out-"))
    shutil.rmtree(out)
    cmd = [sys.executable, "-m", "sc_docs", "batch", str(sheets), "-o", str(out), "--quiet"]
    env = None
    if profile is not None:
        cmd[1:3] = ["-c", PROFILED, f"j{jobs}"]
        env = {**os.environ, "SC_DOCS_BENCH_PROFILE": str(profile)}
    if jobs is not None:
        cmd += ["-j", str(jobs)]
    peak = pss = single = 0
    cpu0 = children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, pss, single
        while not stop.is_set():
            tree, proportional, largest = tree_rss_kb(proc.pid)
            peak, pss, single = max(peak, tree), max(pss, proportional), max(single, largest)
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
    return wall, peak, pss, single


def med(values: list[float]) -> str:
    return f"{statistics.median(values):8.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of the --n runs")
    parser.add_argument("--small", type=int, default=5, help="applicants of the default -j vs -j1 check (0 skips)")
    parser.add_argument("--memory-n", type=int, default=10000)
    parser.add_argument("--profile", type=Path, help="also profile one run at each -j into this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sc-docs-bench-") as tmp:
        sheets = Path(tmp) / f"sheets-{args.n}"
        write_synthetic(sheets, args.n)
        walls: dict[int, list[float]] = {j: [] for j in args.jobs}
        cpus: dict[int, list[float]] = {j: [] for j in args.jobs}
        peaks: dict[int, tuple[int, int, int]] = {j: (0, 0, 0) for j in args.jobs}
        for r in range(args.rounds):
            for jobs in (args.jobs if r % 2 == 0 else args.jobs[::-1]):
                wall, tree, pss, single = run(sheets, jobs, args.n)
                walls[jobs].append(wall)
                cpus[jobs].append(CPU[-1])
                peaks[jobs] = (max(peaks[jobs][0], tree), max(peaks[jobs][1], pss), max(peaks[jobs][2], single))
        print(f"{args.n} applicants, {args.rounds} interleaved rounds; wall s median (min-max); peak memory")
        print(f"{'jobs':>4} {'wall s':>22} {'packets/s':>10} {'CPU s':>22} {'CPU ms/packet':>14} "
              f"{'tree RSS MB':>12} {'tree PSS MB':>12} {'largest MB':>11}")
        for jobs in args.jobs:
            rate = args.n / statistics.median(walls[jobs])
            per = statistics.median(cpus[jobs]) * 1000 / args.n
            tree, pss, single = peaks[jobs]
            print(f"{jobs:>4} {med(walls[jobs]):>22} {rate:>10.1f} {med(cpus[jobs]):>22} {per:>14.2f} "
                  f"{tree / 1024:>12.1f} {pss / 1024:>12.1f} {single / 1024:>11.1f}")
        if 1 in walls and 2 in walls:
            print(f"speed-up -j2 vs -j1: {statistics.median(walls[1]) / statistics.median(walls[2]):.2f}x wall; "
                  f"CPU of -j2 / -j1: {statistics.median(cpus[2]) / statistics.median(cpus[1]):.2f}x")
        if args.profile:
            profile_runs(sheets, args.jobs, args.n, args.profile)
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
            wall, tree, pss, single = run(big, jobs, args.memory_n)
            shutil.rmtree(big)
            small_cpu_n = statistics.median(cpus[jobs])
            extra = (CPU[-1] - small_cpu_n) * 1000 / (args.memory_n - args.n)  # start-up costs cancel out
            print(f"\n{args.memory_n} applicants at -j{jobs}: {wall:.1f} s ({args.memory_n / wall:.0f}/s), "
                  f"CPU {CPU[-1]:.1f} s ({CPU[-1] * 1000 / args.memory_n:.2f} ms a packet; each packet beyond the "
                  f"{args.n}-applicant run's: {extra:.2f} ms), peak tree RSS {tree / 1024:.1f} MB, "
                  f"PSS {pss / 1024:.1f} MB, largest single process {single / 1024:.1f} MB")
    print(f"cpus: {os.cpu_count()}")


def profile_runs(sheets: Path, jobs_list: list[int], n: int, folder: Path) -> None:
    """One profiled run at each -j: print each process's CPU and its top functions by own time."""
    import pstats

    folder.mkdir(parents=True, exist_ok=True)
    for jobs in jobs_list:
        for old in folder.glob(f"j{jobs}-*.prof"):
            old.unlink()
        run(sheets, jobs, n, profile=folder)
        print(f"\nprofile at -j{jobs}, CPU seconds (under cProfile, so slower): {folder}/j{jobs}-*.prof")
        for path in sorted(folder.glob(f"j{jobs}-*.prof")):
            stats = pstats.Stats(str(path))
            print(f"  {path.name}: {stats.total_tt:.2f} s in {stats.total_calls:,} calls; top by own time:")  # type: ignore[attr-defined]
            rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:6]  # type: ignore[attr-defined]
            for (file, line, func), (_, _, own, cumulative, _) in rows:
                print(f"    {own:7.2f} s own {cumulative:7.2f} s cum  {Path(file).name}:{line}({func})")


if __name__ == "__main__":
    main()
