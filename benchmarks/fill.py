"""Time filling PDF forms: the obvious pypdf path against sc-docs' engine, in the same run.

The pypdf path, per document: `PdfReader` + `PdfWriter(clone_from=...)` +
`update_page_form_field_values` on every page + `write`. The engine: `open_form` (parsed once per
process, as a batch does) + `Form.fill`. Both fill the same values; the script checks that every
value reads back identically from both outputs before printing ms/form and the ratio.

Run: `python benchmarks/fill.py [--rounds N] [FORM.pdf ...]` (defaults: a reportlab form built in
code, the bundled application form when present, and the third-party DD 293 test fixture).
"""

from __future__ import annotations

import argparse
import io
import logging
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sc_docs.engines.pdf import open_form  # noqa: E402
from tests.engines import pdf_builders as build  # noqa: E402


def values_for(form_bytes: bytes) -> dict[str, str | bool]:
    """Every fillable field: accented text (within /MaxLen), checkboxes on, the last option."""
    form = open_form(form_bytes)
    return build.sample_values(form, text="Renée Dvořák, 250 Outcropping Way")


def pypdf_fill(data: bytes, values: dict[str, str | bool], kinds: dict[str, object]) -> bytes:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter(clone_from=reader)
    converted: dict[str, str] = {}
    for name, value in values.items():
        info = kinds[name]
        if info.type == "checkbox":
            converted[name] = "/" + info.options[0] if value else "/Off"
        elif info.type == "radio":
            converted[name] = "/" + str(value)
        else:
            converted[name] = str(value)
    for page in writer.pages:
        writer.update_page_form_field_values(page, converted, auto_regenerate=False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def engine_fill(data: bytes, values: dict[str, str | bool]) -> bytes:
    return open_form(data).fill(values)


def time_it(fn, rounds: int) -> float:
    """Return the median milliseconds per call over `rounds` calls (after one warm-up)."""
    fn()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def bench(label: str, data: bytes, rounds: int) -> float:
    values = values_for(data)
    kinds = {i.name: i for i in open_form(data).fields()}
    theirs = pypdf_fill(data, values, kinds)
    ours = engine_fill(data, values)
    a, b = build.pypdf_values(theirs), build.pypdf_values(ours)
    mismatched = [n for n in values if a.get(n) != b.get(n)]
    if mismatched:
        raise SystemExit(f"{label}: values read back differently: {mismatched[:5]}")
    build.assert_reads_back(ours, open_form(data), values)
    t_pypdf = time_it(lambda: pypdf_fill(data, values, kinds), rounds)
    t_ours = time_it(lambda: engine_fill(data, values), rounds)
    ratio = t_pypdf / t_ours
    pages = len(__import__("pypdf").PdfReader(io.BytesIO(data)).pages)
    print(f"{label:<34} {pages:>3} pp {len(values):>4} fields | pypdf {t_pypdf:8.2f} ms/form | "
          f"sc-docs {t_ours:7.2f} ms/form | {ratio:6.1f}x")
    return ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("forms", nargs="*", type=Path)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")
    cases: list[tuple[str, bytes]] = []
    if args.forms:
        cases = [(p.name, p.read_bytes()) for p in args.forms]
    else:
        cases.append(("reportlab form (10 pages)", build.reportlab_form(pages=10)))
        bundled = ROOT / "pro_forma" / "application" / "form.pdf"
        if bundled.exists():
            cases.append(("bundled application form", bundled.read_bytes()))
        cases.append(("DD 293 (XFA, owner-encrypted)", build.DD0293.read_bytes()))
    ratios = [bench(label, data, args.rounds) for label, data in cases]
    print(f"{'geometric mean speed-up':<34} {statistics.geometric_mean(ratios):.1f}x "
          "(identical read-back checked for every value)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
