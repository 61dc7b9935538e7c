"""Decide at compile time whether a rendered body needs docxtpl's tree fixes.

docxtpl re-parses every rendered body to fix table grids (`fix_tables`) and renumber picture
ids (`fix_docpr_ids`); that parse and re-serialisation is most of a large document's render
time. When no rendering of the template can change a table's grid and there are no pictures,
skipping it gives the same bytes, so the check here runs once per template, not per document.
"""

from __future__ import annotations

import re
from typing import Final

from lxml import etree

from ._text import W

_BLOCK_WORDS: Final = re.compile(r"\{%-?\s*(\w+)(?:\s+(\w+))?([^%]*)")
_OPENING: Final = {"for", "if", "macro", "call", "filter", "with", "raw", "autoescape", "block"}
_CELL_TAGS: Final = {"tc", "colspan", "cellbg", "vm", "hm"}
_DRAWING: Final = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"


def _depth_change(text: str, prefix: str | None) -> int | None:
    """Return how far `text`'s block tags (with docxtpl `prefix`, or plain) nest; None if a
    tag reshapes cells."""
    depth = 0
    for m in _BLOCK_WORDS.finditer(text):
        first, second, rest = m.group(1), m.group(2), m.group(3)
        if first in _CELL_TAGS or second in _CELL_TAGS:
            return None
        tag_prefix, word = (first, second) if first in ("p", "r", "tr") else (None, first)
        if tag_prefix != prefix and not (prefix is None and tag_prefix in ("p", "r")):
            continue
        if word == "set" and "=" in (rest or ""):
            continue
        if word in _OPENING or word == "set":
            depth += 1
        elif word and word.startswith("end"):
            depth -= 1
    return depth


def _grid_shape(rows: list[etree._Element]) -> tuple[int, int]:
    cells = spans = 0
    for tr in rows:
        tcs = tr.findall(f"{{{W}}}tc")
        cells = max(cells, len(tcs))
        total = 0
        for tc in tcs:
            span = tc.find(f"{{{W}}}tcPr/{{{W}}}gridSpan")
            total += int(span.get(f"{{{W}}}val", "1")) if span is not None else 1
        spans = max(spans, total)
    return cells, spans


def _table_needs_fix(tbl: etree._Element) -> bool:
    """True unless every rendering of `tbl` leaves docxtpl's grid fix nothing to do.

    Rows may be repeated or dropped by `{%tr %}` blocks and paragraphs inside a cell by any
    block that stays inside the cell; that cannot change the grid as long as the rows that are
    always rendered already have the widest shape and the grid fits it.
    """
    if tbl.find(f".//{{{W}}}tbl") is not None or "{#" in "".join(tbl.itertext()):
        return True
    kept: list[etree._Element] = []
    fixed: list[etree._Element] = []
    depth = 0
    for tr in tbl.findall(f"{{{W}}}tr"):
        text = "".join(tr.itertext())
        if re.search(r"\{%-?\s*tr\s", text):
            change = _depth_change(text, "tr")
            if change is None:
                return True
            depth += change
            continue
        for tc in tr.findall(f"{{{W}}}tc"):
            if _depth_change("".join(tc.itertext()), None) != 0:
                return True
        kept.append(tr)
        if depth == 0:
            fixed.append(tr)
    grid = tbl.find(f"{{{W}}}tblGrid")
    if depth != 0 or not fixed or grid is None:
        return True  # without a grid docxtpl fails at render time; let it say so
    try:
        shape = _grid_shape(kept)
        if _grid_shape(fixed) != shape:
            return True
    except ValueError:
        return True  # a span docxtpl cannot read, as above
    # docxtpl adds grid columns when a row has more cells than the grid and drops those no
    # row reaches; with neither, its fix leaves the table as it is.
    columns = len(grid.findall(f"{{{W}}}gridCol"))
    cells, spans = shape
    return cells > columns or spans < columns


def needs_tree_fix(body: etree._Element) -> bool:
    """True if docxtpl's table-grid fix or picture renumbering could change the output."""
    if body.find(f".//{_DRAWING}") is not None:
        return True
    return any(_table_needs_fix(tbl) for tbl in body.iter(f"{{{W}}}tbl"))
