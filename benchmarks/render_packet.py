"""Time an agreement rendered as a packet renders it, beside its floor, in the same run.

    python benchmarks/render_packet.py [--rounds N] [--docs N]

For every agreement the bundled samples fill, three things are timed in interleaved rounds:

- `packet`: `catalog.makers.make` (the contract context, core and custom properties), the
  exact call a packet makes;
- `bare`: `CompiledTemplate.render(context)` without document properties;
- `floor`: the least the same work can cost: each tagged part's compiled Jinja template
  rendered as is, plus a level-1 deflate of every part that changes (the rendered parts,
  core.xml, custom.xml), with no checks and no zip.

Each round renders `--docs` documents of every kind with each tool; the table shows the median
per document (min-max over rounds) and the ratio of the medians to the floor. The target is
packet <= 1.5x floor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from sc_docs.catalog import build_context, load_catalog  # noqa: E402
from sc_docs.catalog.makers import make  # noqa: E402
from sc_docs.engines.docx import compile_template  # noqa: E402

DATE = dt.date(2027, 1, 4)


def cases() -> list[tuple[str, Any, dict[str, Any], dict[str, Any]]]:
    """Return `(label, entry, record, context)` for each agreement a sample fills."""
    catalog = load_catalog()
    out = []
    for sheet in sorted((ROOT / "info_sheets" / "examples").glob("*.yaml")):
        record = yaml.safe_load(sheet.read_text(encoding="utf-8"))
        for entry in catalog.of_kind("agreement"):
            if entry.key in (record.get("documents") or {}):
                out.append((f"{sheet.stem}/{entry.key}", entry, record, build_context(entry, record)))
    return out


def floor_fn(entry: Any, record: dict[str, Any], context: dict[str, Any]) -> Callable[[], None]:
    """Return the floor of one packet render: bare Jinja per part + level-1 deflate of changes."""
    compiled = compile_template(entry.source_path)
    templates = [p.template for p in compiled._parts]  # the engine's compiled parts, timed bare
    doc = make(entry, record, DATE)
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(doc)) as z:
        props = [z.read(n) for n in ("docProps/core.xml", "docProps/custom.xml") if n in z.namelist()]

    def run() -> None:
        for t in templates:
            c = zlib.compressobj(1, zlib.DEFLATED, -15)
            c.compress(t.render(context).encode("utf-8"))
            c.flush()
        for data in props:
            c = zlib.compressobj(1, zlib.DEFLATED, -15)
            c.compress(data)
            c.flush()

    return run


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--docs", type=int, default=20, help="documents per kind per round")
    args = ap.parse_args()
    work = cases()
    if not work:
        print("no sample fills an agreement")
        return 1
    tools: dict[str, list[Callable[[], Any]]] = {"packet": [], "bare": [], "floor": []}
    for _label, entry, record, context in work:
        compiled = compile_template(entry.source_path)
        tools["packet"].append(lambda e=entry, r=record: make(e, r, DATE))
        tools["bare"].append(lambda c=compiled, x=context: c.render(x))
        tools["floor"].append(floor_fn(entry, record, context))
    for fns in tools.values():  # warm every path once
        for fn in fns:
            fn()
    times: dict[str, list[float]] = {name: [] for name in tools}
    per_round = args.docs * len(work)
    for i in range(args.rounds):
        order = list(tools) if i % 2 == 0 else list(reversed(tools))
        for name in order:
            start = time.perf_counter()
            for _ in range(args.docs):
                for fn in tools[name]:
                    fn()
            times[name].append((time.perf_counter() - start) / per_round * 1000)
    floor = statistics.median(times["floor"])
    print(f"{len(work)} agreements from the samples, {args.docs} of each per round, "
          f"{args.rounds} rounds interleaved; ms per document")
    print(f"{'':8} {'median':>8} {'min-max':>15} {'x floor':>8}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:8} {med:8.3f} {min(ts):7.3f}-{max(ts):<7.3f} {med / floor:8.2f}")
    ratio = statistics.median(times["packet"]) / floor
    print(f"packet path {'meets' if ratio <= 1.5 else 'misses'} the 1.5x floor target ({ratio:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
