"""Time filling PDF forms: pypdf and PyPDFForm against sc-docs' engine, interleaved in one run.

The pypdf baseline parses each form once (as a batch would) and per document clones it
(`PdfWriter(clone_from=reader)`), sets the values with `update_page_form_field_values` on every
page and writes. PyPDFForm (when installed: `pip install pypdfform`) fills from the bytes each
time, its normal use. The engine: `open_form` (parsed once per process) + `Form.fill`. Rounds are
interleaved (each round times every contender once, in turn), and the table shows the median with
the min-max range. Every value is checked to read back identically from pypdf's output and ours.

Run: `python benchmarks/fill.py [--rounds N] [FORM.pdf ...]` (defaults: the bundled application
form, a 2,000-field form built in code, a 10-page reportlab form, the third-party DD 293 fixture).
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
from tests.engines.pdf import corpus  # noqa: E402


def values_for(form_bytes: bytes) -> dict[str, str | bool]:
    """Every fillable field: accented text (within /MaxLen), checkboxes on, the last option."""
    form = open_form(form_bytes)
    return build.sample_values(form, text="Renée Dvořák, 250 Outcropping Way")


def pypdf_fill(reader: object, values: dict[str, str | bool], kinds: dict[str, object]) -> bytes:
    from pypdf import PdfWriter

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


def pypdfform_fill(data: bytes, values: dict[str, object]) -> bytes:
    from PyPDFForm import PdfWrapper

    return PdfWrapper(data).fill(values).read()


def pypdfform_values(values: dict[str, str | bool], kinds: dict[str, object]) -> dict[str, object]:
    """PyPDFForm takes a checkbox as a bool and a radio or dropdown as the option's index."""
    out: dict[str, object] = {}
    for name, value in values.items():
        info = kinds[name]
        out[name] = info.options.index(value) if info.type in ("radio", "choice") else value
    return out


def engine_fill(data: bytes, values: dict[str, str | bool]) -> bytes:
    return open_form(data).fill(values)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def bench(label: str, data: bytes, rounds: int, values: dict[str, str | bool] | None = None) -> dict[str, float]:
    from pypdf import PdfReader

    values = values or values_for(data)
    kinds = {i.name: i for i in open_form(data).fields()}
    reader = PdfReader(io.BytesIO(data))
    theirs = pypdf_fill(reader, values, kinds)
    ours = engine_fill(data, values)
    a, b = build.pypdf_values(theirs), build.pypdf_values(ours)
    mismatched = [n for n in values if a.get(n) != b.get(n)]
    if mismatched:
        raise SystemExit(f"{label}: values read back differently: {mismatched[:5]}")
    build.assert_reads_back(ours, open_form(data), values)
    contenders = {"pypdf": lambda: pypdf_fill(reader, values, kinds), "sc-docs": lambda: engine_fill(data, values)}
    try:
        form_values = pypdfform_values(values, kinds)
        pypdfform_fill(data, form_values)
        contenders["PyPDFForm"] = lambda: pypdfform_fill(data, form_values)
    except Exception as exc:  # noqa: BLE001 - not installed, or it cannot fill this form
        print(f"  ({label}: PyPDFForm skipped: {type(exc).__name__})")
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for round_ in range(rounds):
        order = list(contenders) if round_ % 2 == 0 else list(reversed(contenders))
        for name in order:
            samples[name].append(timed(contenders[name]))
    medians = {name: statistics.median(times) for name, times in samples.items()}
    pages = len(reader.pages)
    cells = " | ".join(
        f"{name} {medians[name]:8.2f} ms ({min(samples[name]):.1f}-{max(samples[name]):.1f})" for name in contenders
    )
    ratios = {name: medians[name] / medians["sc-docs"] for name in contenders if name != "sc-docs"}
    print(f"{label:<30} {pages:>3} pp {len(values):>5} fields | {cells} | "
          + ", ".join(f"{r:.1f}x vs {n}" for n, r in ratios.items()))
    return ratios


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("forms", nargs="*", type=Path)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")
    cases: list[tuple[str, bytes, dict[str, str | bool] | None]] = []
    if args.forms:
        cases = [(p.name, p.read_bytes(), None) for p in args.forms]
    else:
        bundled = ROOT / "pro_forma" / "application" / "form.pdf"
        if bundled.exists():
            cases.append(("bundled application form", bundled.read_bytes(), None))
        many, many_values = corpus.many_fields()
        cases.append(("2,000-field form", many, many_values))
        cases.append(("reportlab form (10 pages)", build.reportlab_form(pages=10), None))
        cases.append(("DD 293 (XFA, owner-encrypted)", build.DD0293.read_bytes(), None))
    ratios = [bench(label, data, args.rounds, values)["pypdf"] for label, data, values in cases]
    print(f"{'geometric mean vs pypdf':<30} {statistics.geometric_mean(ratios):.1f}x "
          "(medians of interleaved rounds; identical read-back checked for every value)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
