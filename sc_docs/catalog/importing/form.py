"""Map the fields of an official fillable PDF to record paths (`sc-docs forms map`).

Each field is described by its name (split into words), its tooltip (`/TU`) and the page text
nearest to it: the label on its left or just above it, and the lines above for a block heading
("Primary Representative"). The proposals become a `fields.yaml`; fields nothing explains are
listed and written as comments, so the lint names them until a person maps them.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sc_docs.catalog.contract import DOCUMENTS
from sc_docs.catalog.importing.entry import (
    ImportResult, Mapped, assigned, claim_folder, lint, meta_text, output_folder, proposer_for, section_schema, write_files,
)
from sc_docs.catalog.importing.propose import SECTION, Hint, Proposal, Target, is_address, is_date
from sc_docs.errors import CatalogError, UnreadableFormError, UsageError
from sc_docs.files import read_bounded


@dataclass(frozen=True)
class Widget:
    """Where a field sits and what the PDF says about it."""

    name: str
    tooltip: str
    page: int
    rect: tuple[float, float, float, float]


def name_words(name: str) -> str:
    """`section1.legalName_2` -> `section1 legal name 2`: the words a field name carries."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=\d)", " ", name)
    return " ".join(re.split(r"[._\-\s]+", spaced)).strip()


def _mul(a: list[float], b: list[float]) -> list[float]:
    return [
        a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def read_layout(data: bytes, name: str) -> tuple[dict[str, Widget], dict[int, list[tuple[float, float, str]]]]:
    """Return the widgets by full field name and each page's text pieces `(x, y, text)`."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = list(reader.pages)
    except (PdfReadError, ValueError, OSError) as exc:
        raise UnreadableFormError(f"not a readable PDF: {exc}", file=name) from None
    widgets: dict[str, Widget] = {}
    texts: dict[int, list[tuple[float, float, str]]] = {}
    for number, page in enumerate(pages, 1):
        pieces: list[tuple[float, float, str]] = []

        def visit(text: str, cm: Any, tm: Any, font: Any, size: Any, pieces: list[tuple[float, float, str]] = pieces) -> None:
            if text.strip():
                m = _mul([float(v) for v in tm], [float(v) for v in cm])
                pieces.append((m[4], m[5], " ".join(text.split())))

        try:
            page.extract_text(visitor_text=visit)
        except Exception:  # noqa: BLE001 - a page whose text cannot be read still has its fields
            pieces.clear()
        texts[number] = pieces
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Widget":
                continue
            parts, tooltip, node = [], "", annot
            while node is not None:
                if "/T" in node:
                    parts.append(str(node["/T"]))
                tooltip = tooltip or str(node.get("/TU", "") or "")
                parent = node.get("/Parent")
                node = parent.get_object() if parent is not None else None
            full = ".".join(reversed(parts))
            rect = tuple(float(v) for v in annot.get("/Rect", [0, 0, 0, 0]))
            if full and full not in widgets:
                widgets[full] = Widget(full, tooltip, number, rect)  # type: ignore[arg-type]
    return widgets, texts


def hint_for(widget: Widget | None, field_name: str, pieces: list[tuple[float, float, str]]) -> Hint:
    """The words of one field: its name and tooltip, the label left of or above it, the lines above."""
    own = " ".join(filter(None, [widget.tooltip if widget else "", name_words(field_name.split(".")[-1])]))
    if widget is None:
        return Hint(own=own, around=(name_words(field_name),))
    x0, y0, x1, y1 = widget.rect
    height = max(y1 - y0, 8.0)
    left = [(x0 - x, t) for x, y, t in pieces if x < x0 - 1 and abs(y - y0) <= height]
    above = [(y - y1, t) for x, y, t in pieces if 0 <= y - y1 <= 16 and x0 - 3 <= x <= x1]
    # A label printed just above the field's left edge is its own (rows of fields side by side);
    # else the nearest text on its left.
    label = min(above)[1] if above else (min(left)[1] if left else "")
    lines = sorted(((y - y1, t) for x, y, t in pieces if 0 <= y - y1 <= 220), key=lambda p: p[0])
    return Hint(own=own, label=label, around=(name_words(field_name), *(t for _, t in lines)))


def rule_for(target: Target, key: str, optional: bool) -> Any:
    """The `fields.yaml` rule that fills a text field from `target`."""
    from sc_docs import fieldpath

    path = fieldpath.format([DOCUMENTS, key, *target.path] if target.root == SECTION else ["applicant", *target.path])
    rule: dict[str, Any] = {"path": path}
    schema = target.schema
    if target.part == "city_state_zip":
        rule["format"] = "{city}, {state} {zip}"
    elif is_address(schema):
        rule["format"] = "{street[0]}, {city}, {state} {zip}"
    elif schema.get("type") == "array":
        rule["join"] = ", "
    elif is_date(schema):
        rule["date"] = "%m/%d/%Y"
    if optional or not target.required:
        rule["optional"] = True
    return path if list(rule) == ["path"] else rule


def _pdf_date(data: bytes) -> dt.date | None:
    m = re.search(rb"/(?:ModDate|CreationDate)\s*\(D:(\d{4})(\d{2})(\d{2})", data[-200_000:]) or re.search(
        rb"/(?:ModDate|CreationDate)\s*\(D:(\d{4})(\d{2})(\d{2})", data[:200_000]
    )
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
    except ValueError:
        return None


def map_form(
    source: Path, key: str, *, out: Path | None = None, force: bool = False, version: str = "official",
    as_of: dt.date | None = None, title: str | None = None, assign: dict[int, str] | None = None,
    strict: bool = False, write: bool = True,
) -> ImportResult:
    """Propose a field map for the fillable PDF `source` and write the `form` entry `key`.

    Fields are numbered in the form's order; `assign` maps a number to a record path a person
    chose, overriding the proposal.
    """
    from sc_docs.engines.pdf import open_form

    proposer, known = proposer_for(key)
    if known is not None and known.kind != "form":
        raise UsageError(f"{key} is {'an' if known.kind[0] in 'aeiou' else 'a'} {known.kind}, not a form; a Word document is brought in with `sc-docs templates import`")
    data = read_bounded(source, what="the official form")
    fields = open_form(data, str(source)).fields()
    widgets, texts = read_layout(data, str(source))
    items: list[Mapped] = []
    lines: list[str] = []
    for number, info in enumerate(fields, 1):
        if info.type in ("button", "signature"):
            continue
        widget = widgets.get(info.name)
        hint = hint_for(widget, info.name, texts.get(widget.page if widget else 0, []))
        proposal = proposer.propose(hint)
        if assign and number in assign:
            proposal = assigned(proposer, key, assign[number])
        target = proposal.target
        if target is not None and info.type == "checkbox" and target.schema.get("type") != "boolean":
            proposal = Proposal("unmapped", None, f"a check box, but {target.dotted} is not a yes/no value")
        elif target is not None and info.type != "checkbox" and target.schema.get("type") == "boolean":
            proposal = Proposal("unmapped", None, f"{target.dotted} is yes/no, but the field takes text")
        context = " ".join((widget.tooltip if widget and widget.tooltip else hint.label or info.name).split())
        item = Mapped(number, info.type, info.name, context, proposal)
        say = f"# {context[:90]}: {proposal.reason}"
        if proposal.target is not None:
            rule = rule_for(proposal.target, key, optional=False)
            item.record_path = rule if isinstance(rule, str) else rule["path"]
            dumped = yaml.safe_dump({info.name: rule}, default_flow_style=False, sort_keys=False, width=200).strip()
            item.written = dumped
            lines += [say, dumped]
        else:
            lines += [f"# UNMAPPED {info.name!r} ({context[:80]}): {proposal.reason}; map it to a record path"]
        items.append(item)
    folder = output_folder(key, out)
    result = ImportResult(key, folder, items, [])
    if strict and result.unmapped:
        raise CatalogError(f"{len(result.unmapped)} field(s) could not be mapped; nothing written")
    if not write:
        return result
    claim_folder(folder, force)
    head = (
        f"# Field map of the official form {source.name}, proposed by `sc-docs forms map`.\n"
        "# Each entry is `PDF field name: record path` (or a rule with path, date, join, format,\n"
        "# optional: see pro_forma/application/fields.yaml). Review every line before use.\n"
    )
    files = {"form.pdf": data, "fields.yaml": (head + "\n".join(lines) + "\n").encode()}
    name = title or source.stem.replace("_", " ").replace("-", " ").strip() or "Imported form"
    if known is None:
        files[f"{key}.schema.json"] = section_schema(key, name, proposer.section_fields)
    files["meta.yaml"] = meta_text(
        key, "form", known, title=name, version=version, as_of=as_of or _pdf_date(data) or dt.date.today(),
        files={"form": "form.pdf", "fields": "fields.yaml"}, unused=[], source_name=source.name,
    ).encode()
    write_files(folder, files, source)
    result.files = sorted(files)
    result.problems = lint(folder)
    return result
