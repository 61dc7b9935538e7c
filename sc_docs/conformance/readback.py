"""The fill-ins read back: as a record, as a list, and compared with an info sheet."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import fillins as fi
from .pattern import path_text
from .report import FillIn, SheetDifference

_SOURCES = {fi.EXACT: "exact", fi.INVERTED: "inverted", fi.GUESSED: "guessed", fi.INFERRED: "inferred",
            fi.FUZZY: "fuzzy", fi.DISPLAYED: "displayed"}


def load_sheet(sheet: Any) -> dict[str, Any]:
    if isinstance(sheet, Mapping):
        return dict(sheet)
    if hasattr(sheet, "data"):
        return dict(sheet.data)
    from sc_docs.sheets import load_applicant

    return dict(load_applicant(sheet).data)


def sheet_differences(run: Any, record: dict[str, Any], key: str) -> list[SheetDifference]:
    from sc_docs.catalog import document_sections

    ctx = {"applicant": record.get("applicant", {}), "agreement": document_sections(record).get(key, {}),
           "document": run.document}
    out: dict[str, SheetDifference] = {}
    for occ in run.occurrences:
        want = run.expected_display(occ, ctx)
        if want is None or want == occ.display:
            continue
        slot = occ.slot
        name = path_text(slot.path, occ.loops) if slot.path else slot.text
        if name.startswith("document"):
            continue
        sheet_value: Any = want
        doc_value: Any = occ.display
        if slot.path is not None:
            path = fi.concrete(slot.path, occ.loops)
            if path is not None:
                sheet_value = fi.lookup(ctx, path, {})
                doc_value, rank = fi.invert(occ.display, slot.filters)
                if rank == fi.DISPLAYED:
                    sheet_value, doc_value = want, occ.display
        doc_index = run.alignment.steps[occ.step].doc
        loc = run.location_of.get(doc_index) if doc_index is not None else None
        out.setdefault(name, SheetDifference(path=name, sheet=jsonable(sheet_value), document=jsonable(doc_value),
                                             location=loc.label() if loc else None))
    for (lid, outer), count in run.alignment.iterations.items():
        loop = run.pattern.loops.get(lid)
        if loop is None or loop.path is None:
            continue
        path = fi.concrete(loop.path, dict(outer))
        if path is None:
            continue
        seq = fi.lookup(ctx, path, {})
        if isinstance(seq, list) and len(seq) != count:
            name = fi.dotted(path)
            out[name] = SheetDifference(path=name, sheet=_items(len(seq)), document=_items(count))
    return sorted(out.values(), key=lambda d: d.path)


def jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    return str(value)


def fill_ins(run: Any) -> list[FillIn]:
    shown: dict[tuple, str] = {}
    counts: dict[tuple, int] = {}
    for occ in run.occurrences:
        if occ.slot.path is None:
            continue
        path = fi.concrete(occ.slot.path, occ.loops)
        if path is None:
            continue
        shown.setdefault(path, occ.display)
        counts[path] = counts.get(path, 0) + 1
    out = []
    for path, (rank, value) in sorted(run.facts.values.items(), key=lambda kv: fi.dotted(kv[0])):
        if rank == fi.SEEDED or path[0] == "document":
            continue
        out.append(FillIn(path=fi.dotted(path), value=jsonable(value), displayed=shown.get(path, str(value)),
                          source=_SOURCES.get(rank, "displayed"), occurrences=counts.get(path, 0)))  # type: ignore[arg-type]
    return out


def _items(n: int) -> str:
    return f"{n} item" if n == 1 else f"{n} items"
