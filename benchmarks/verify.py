"""`verify` on hostile inputs: time and peak memory against a normal draft, interleaved.

    python benchmarks/verify.py [--rounds 3]

Each input is verified by `sc-docs verify` in a fresh subprocess (so import time is included
for all alike); the wall time and the child's peak resident memory are recorded, rounds are
interleaved (baseline, then each input, repeated), and medians are printed with the ratio to the
baseline: the Acme SCA draft as the packet makes it. Inputs:

- `address-N`: the opening paragraph stops at the city, which repeats ", a b" N times (used to
  backtrack for ever at N=1000);
- `runs-200k`: one extra paragraph of 200,000 runs (used to join text quadratically);
- `paragraphs-25k`: 25,000 extra paragraphs, near the largest alignment accepted;
- `bomb-500MB`: a `document.xml` of 500 MB in a zip of about 5 MB (refused, exit 2).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lxml import etree  # noqa: E402

from tests.conformance import edits as ed  # noqa: E402
from tests.conformance.conftest import ACME, rendered  # noqa: E402

W = ed.W
_CHILD = ("import resource, sys, time\nfrom sc_docs.cli import main\nstart = time.perf_counter()\n"
          "code = main(sys.argv[1:])\nprint(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
          "sys.exit(code)")


def _address(n: int) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.write_bytes(ed.edit(rendered(ACME, "sca"), ed.cut_after("Sacramento", ", a b" * n)))
    return make


def _extra_paragraphs(count: int, runs: int) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        def fn(root: etree._Element) -> None:
            body = root.find(f"{{{W}}}body")
            assert body is not None
            for k in range(count):
                p = etree.Element(f"{{{W}}}p")
                for i in range(runs):
                    r = etree.SubElement(p, f"{{{W}}}r")
                    etree.SubElement(r, f"{{{W}}}t").text = f"w{(i + k) % 97} "
                body.insert(len(body) - 1, p)
        path.write_bytes(ed.edit(rendered(ACME, "sca"), fn))
    return make


def _bomb(path: Path) -> None:
    ed.write_big_docx(path, rendered(ACME, "sca"), 500_000_000)


def _measure(path: Path) -> tuple[float, float, int]:
    """Return (wall seconds, seconds inside verify, peak MB) of one `sc-docs verify` run."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _CHILD, "verify", str(path)], capture_output=True, timeout=3600)
    wall = time.perf_counter() - start
    inside, peak = proc.stdout.decode().split()[-2:]
    return wall, float(inside), int(peak) // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    inputs: dict[str, Callable[[Path], None]] = {
        "baseline": lambda p: p.write_bytes(rendered(ACME, "sca")),
        "address-1000": _address(1000),
        "address-4000": _address(4000),
        "runs-200k": _extra_paragraphs(1, 200_000),
        "paragraphs-25k": _extra_paragraphs(25_000, 3),
        "bomb-500MB": _bomb,
    }
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for name, make in inputs.items():
            paths[name] = Path(tmp) / f"{name}.docx"
            make(paths[name])
        results: dict[str, list[tuple[float, float, int]]] = {name: [] for name in inputs}
        for _ in range(args.rounds):
            for name, path in paths.items():
                results[name].append(_measure(path))
        base = statistics.median(r[1] for r in results["baseline"])
        print(f"{'input':16} {'file MB':>8} {'verify s':>9} {'x base':>7} {'wall s':>7} {'peak MB':>8}")
        for name, runs in results.items():
            inside = statistics.median(r[1] for r in runs)
            print(f"{name:16} {paths[name].stat().st_size / 1e6:8.2f} {inside:9.2f} {inside / base:7.1f} "
                  f"{statistics.median(r[0] for r in runs):7.2f} {max(r[2] for r in runs):8d}")


if __name__ == "__main__":
    main()
