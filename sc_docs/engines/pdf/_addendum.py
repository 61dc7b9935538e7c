"""The addendum: pages appended to a filled form holding the values too long for their boxes.

A field whose value does not fit at the minimum font size shows "see Addendum, item N"; the whole
value is printed here, wrapped, under its item number and field name. Nothing is clipped silently.
"""

from __future__ import annotations

from typing import Any

from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
)

from sc_docs.engines.pdf import _appear as appear
from sc_docs.engines.pdf import _font as fonts
from sc_docs.errors import FormError

SIZE = 10.0
MARGIN = 54.0
#: The addendum takes the form's last page size, unless a side is shorter than this (5 in: a
#: label, a card, a one-inch test page); then US Letter, so the text stays readable on few pages.
MIN_SIDE = 360.0
LETTER = (612.0, 792.0)


def add_addendum(filler: Any, items: list[tuple[int, str, str]]) -> None:
    """Append addendum pages for `items` ((number, field name, value)) to the page tree."""
    p = filler.p
    if p.pages_root is None:
        raise FormError("a value does not fit its field, and the PDF has no page tree to add an addendum to")
    width, height = p.last_page_size
    if min(width, height) < MIN_SIDE:
        width, height = LETTER
    texts = [f"Item {n}: {name}" for n, name, _ in items] + [value for _, _, value in items]
    font = fonts.pick_font("Helvetica", texts, allow_missing=filler.options.allow_missing_glyphs)
    filler.font_resources("F1", font)
    inner = width - 2 * MARGIN
    lines: list[tuple[float, str]] = []  # (size, text); size 0 is a blank line
    for number, name, value in items:
        lines += [(SIZE + 1, line) for line in appear.wrap(f"Item {number}: {name}", font, SIZE + 1, inner)]
        lines += [(SIZE, line) for line in appear.wrap(value, font, SIZE, inner)]
        lines.append((0.0, ""))
    per_page = max(1, int((height - 2 * MARGIN - 30) / (SIZE * appear.LEADING)))
    chunks = [lines[i : i + per_page] for i in range(0, len(lines), per_page)] or [[]]
    pages_ref = filler.original(p.pages_root)
    parent = _ref(p.pages_root)
    new_pages = []
    for index, chunk in enumerate(chunks, start=1):
        ops = ["BT", f"/F1 14 Tf 1 0 0 1 {MARGIN:g} {height - MARGIN - 14:g} Tm",
               _show(font, f"Addendum (page {index} of {len(chunks)})")]
        y = height - MARGIN - 14 - 24
        for size, text in chunk:
            if size:
                ops.append(f"/F1 {size:g} Tf 1 0 0 1 {MARGIN:g} {y:.2f} Tm " + _show(font, text))
            y -= SIZE * appear.LEADING
        ops.append("ET")
        content = StreamObject()
        content.set_data("\n".join(ops).encode("latin-1"))
        page = DictionaryObject({
            NameObject("/Type"): NameObject("/Page"),
            NameObject("/Parent"): parent,
            NameObject("/MediaBox"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(width), FloatObject(height)]),
            NameObject("/Resources"): DictionaryObject({
                NameObject("/Font"): filler.font_resources("F1", font),
            }),
            NameObject("/Contents"): filler.add(content),
        })
        new_pages.append(filler.add(page))
    kids = ArrayObject(list(pages_ref.raw_get("/Kids").get_object()) + new_pages)
    filler.put(p.pages_root, "/Kids", kids)
    filler.put(p.pages_root, "/Count", NumberObject(int(pages_ref.get("/Count", 0)) + len(new_pages)))


def _show(font: Any, text: str) -> str:
    return appear.shows(font, text, "F1", 0) if not hasattr(font, "runs") else _runs(font, text)


def _runs(font: Any, text: str) -> str:
    # the addendum sets its size with each line's Tf: keep the current size for every run
    return " ".join(
        f"/F1{'' if i == 0 else f'_{i}'} {SIZE:g} Tf " + appear._string(member.encode(chunk)).decode("latin-1") + " Tj"
        for i, member, chunk in font.runs(text)
    )


def _ref(loc: Any) -> Any:
    return IndirectObject(loc[0], loc[1], None)
