"""Time `sc-docs packet ONE.yaml -o DIR` as a whole process, template cache cold vs warm.

    python benchmarks/coldstart.py [--rounds N] [--sheet FILE] [--commands] [--baseline DIR]

Each round runs, in turn (the order alternating between rounds):

- `python`: `python -c pass`, the interpreter's own start-up (the floor of any command);
- `import`: `python -c "import sc_docs.cli"`, what every command pays before it does anything;
- `cold`: the packet with an empty template cache (every template compiled, then stored);
- `warm`: the packet with the cache filled by an earlier run (templates loaded, not compiled);
- `off`: the packet with `SC_DOCS_NO_CACHE=1`;
- `split`: the warm packet in one process that first imports every module a packet run loads
  (the list is taken from a probe run), then runs the command: its CPU is reported as `imports`
  and `work`, so a change can be credited to the right half (the halves add up to about `warm`).

`--commands` adds the cold start of `validate`, `fields`, `verify` and a one-sheet `batch`
(each a whole process), and `--baseline DIR` runs every row also against another checkout of
sc-docs (e.g. `git archive main | tar -x -C DIR`), interleaved, with the ratio new/baseline.

Each process writes a new output folder. Python's bytecode is cached in a temporary folder
(`PYTHONPYCACHEPREFIX`) so the numbers are those of an installed package, not of compiling
sc-docs' own modules on every run. Wall and CPU (user + system, from the children's rusage
where the platform has it) are reported as medians with min-max. The target is warm <= 0.3 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHEET = ROOT / "info_sheets" / "examples" / "acme-power-and-light.yaml"
FORM = ROOT / "pro_forma" / "application" / "form.pdf"

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]


def child_cpu() -> float:
    if resource is None:
        return float("nan")
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def timed(cmd: list[str], env: dict[str, str], cwd: Path = ROOT) -> tuple[float, float]:
    """Run `cmd` in `cwd`; return (wall seconds, CPU seconds); fail loudly if it fails."""
    cpu0, t0 = child_cpu(), time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True)
    wall, cpu = time.perf_counter() - t0, child_cpu() - cpu0
    if done.returncode:
        sys.stderr.write(done.stderr.decode("utf-8", "replace"))
        raise SystemExit(f"{' '.join(cmd)} exited {done.returncode}")
    return wall, cpu


# Imports every module of `MODULES` (a JSON list), then runs the CLI with the remaining arguments;
# prints the CPU seconds of each half.
SPLIT = """
import importlib, json, sys, time
t0 = time.process_time()
for name in json.load(open(sys.argv[1])):
    try:
        importlib.import_module(name)
    except Exception:
        pass
t1 = time.process_time()
from sc_docs.cli import main
code = main(sys.argv[2:])
print(t1 - t0, time.process_time() - t1)
sys.exit(code)
"""

PROBE = "import json, sys\nfrom sc_docs.cli import main\nmain(sys.argv[2:])\njson.dump(sorted(sys.modules), open(sys.argv[1], 'w'))"


def split(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Run the split child in `cwd`; return (import CPU, work CPU) as it measured them."""
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{' '.join(cmd)} exited {done.returncode}")
    imports, work = done.stdout.split()[-2:]
    return float(imports), float(work)


def line(name: str, rs: list[tuple[float, float]], base: list[tuple[float, float]] | None = None) -> str:
    walls, cpus = [r[0] for r in rs], [r[1] for r in rs]
    text = (f"{name:14} {statistics.median(walls):7.3f} {min(walls):6.3f}-{max(walls):<6.3f}"
            f"   {statistics.median(cpus):7.3f} {min(cpus):6.3f}-{max(cpus):<6.3f}")
    if base:
        bw, bc = statistics.median(r[0] for r in base), statistics.median(r[1] for r in base)
        text += f"   {statistics.median(walls) / bw:5.2f}x {statistics.median(cpus) / bc:5.2f}x"
    return text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--sheet", type=Path, default=SHEET)
    ap.add_argument("--commands", action="store_true", help="also time validate, fields, verify and batch")
    ap.add_argument("--baseline", type=Path, help="another sc-docs checkout to run every row against")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sc-docs-coldstart-"))
    try:
        base = {k: v for k, v in os.environ.items() if not k.startswith("SC_DOCS_")}
        base.pop("PYTHONDONTWRITEBYTECODE", None)
        py = sys.executable
        sheet = str(args.sheet.resolve())
        runs = 0

        def out() -> str:
            nonlocal runs
            runs += 1
            return str(work / f"out{runs}")

        def variant(tag: str, checkout: Path | None) -> dict[str, Callable[[], tuple[float, float]]]:
            env = {**base, "PYTHONPYCACHEPREFIX": str(work / f"pyc-{tag}")}
            # `-m` and `-c` put the working folder first on sys.path: each variant runs in its own.
            cwd = ROOT if checkout is None else checkout.resolve()
            if checkout is not None:
                env["PYTHONPATH"] = os.pathsep.join([str(cwd), *filter(None, [base.get("PYTHONPATH")])])
            warm_env = {**env, "SC_DOCS_CACHE_DIR": str(work / f"warm-cache-{tag}")}
            packet = [py, "-m", "sc_docs", "packet", sheet, "-o"]
            modules = work / f"modules-{tag}.json"
            for _ in range(2):  # the first run fills the cache (and may load what a warm run does not)
                subprocess.run([py, "-c", PROBE, str(modules), "packet", sheet, "-o", out()], env=warm_env, cwd=cwd,
                               check=True, capture_output=True)

            def run(cmd: list[str], env: dict[str, str]) -> Callable[[], tuple[float, float]]:
                return lambda: timed(cmd, env, cwd)

            def cold() -> tuple[float, float]:
                return timed(packet + [out()], {**env, "SC_DOCS_CACHE_DIR": str(work / f"cold-cache{runs}")}, cwd)

            tools: dict[str, Callable[[], tuple[float, float]]] = {
                "python": run([py, "-c", "pass"], env),
                "import": run([py, "-c", "import sc_docs.cli"], env),
                "cold": cold,
                "warm": lambda: timed(packet + [out()], warm_env, cwd),
                "off": lambda: timed(packet + [out()], {**env, "SC_DOCS_NO_CACHE": "1"}, cwd),
                "split": lambda: split([py, "-c", SPLIT, str(modules), "packet", sheet, "-o", out()], warm_env, cwd),
            }
            if args.commands:
                docx = next(Path(work).glob("out*/*/*_sca_*.docx"))
                tools |= {
                    "validate": run([py, "-m", "sc_docs", "validate", sheet], warm_env),
                    "fields": run([py, "-m", "sc_docs", "fields", str(FORM)], warm_env),
                    "verify": run([py, "-m", "sc_docs", "verify", str(docx)], warm_env),
                    "batch": lambda: timed([py, "-m", "sc_docs", "batch", sheet, "-o", out()], warm_env, cwd),
                }
            return tools

        variants = {"new": variant("new", None)}
        if args.baseline:
            variants["baseline"] = variant("baseline", args.baseline)
        for tools in variants.values():  # bytecode, the warm cache, the page cache
            for fn in tools.values():
                fn()
        results = {v: {name: [] for name in tools} for v, tools in variants.items()}
        order = [(v, name) for v, tools in variants.items() for name in tools]
        for i in range(args.rounds):
            for v, name in order if i % 2 == 0 else list(reversed(order)):
                results[v][name].append(variants[v][name]())
        print(f"{args.sheet.name}: whole process, {args.rounds} rounds interleaved; seconds"
              " (warm: imports / work: the CPU of each half of one warm process)")
        ratio = "   new/baseline (wall, cpu)" if args.baseline else ""
        print(f"{'':14} {'wall':>7} {'min-max':>13}   {'cpu':>7} {'min-max':>13}{ratio}")
        for v in variants:
            if args.baseline:
                print(f"[{v}]")
            for name, rs in results[v].items():
                base_rs = results["baseline"][name] if args.baseline and v == "new" else None
                if name == "split":
                    imp = [(r[0], r[0]) for r in rs]
                    wrk = [(r[1], r[1]) for r in rs]
                    bimp = [(r[0], r[0]) for r in base_rs] if base_rs else None
                    bwrk = [(r[1], r[1]) for r in base_rs] if base_rs else None
                    print(line("warm: imports", imp, bimp) + "   (cpu only)")
                    print(line("warm: work", wrk, bwrk) + "   (cpu only)")
                else:
                    print(line(name, rs, base_rs))
        warm = statistics.median(r[0] for r in results["new"]["warm"])
        cold_ = statistics.median(r[0] for r in results["new"]["cold"])
        print(f"warm cache {'meets' if warm <= 0.3 else 'misses'} the 0.3 s target "
              f"({warm:.3f} s wall); cold/warm {cold_ / warm:.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
