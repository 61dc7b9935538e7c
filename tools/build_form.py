"""Build `form.pdf` from `form.yaml`: the bundled SC Application Form, deterministically.

Run from anywhere: `python tools/build_form.py [--check]`. With `--check` it
only verifies that the committed form.pdf is what form.yaml builds (exit 1 if not).

reportlab draws the pages and makes the widgets (with their appearances); the field names it
writes are flat, so a second pass turns `contacts.primary.name` into a real hierarchy (field
`name` under `primary` under `contacts`), as the PDF specification wants: a /T holds no dots.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent / "pro_forma" / "application"
US_STATES = [
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM",
    "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
    "WV", "WI", "WY", "AS", "GU", "MP", "PR", "VI",
]
BLANK = " "  # reportlab needs a selected option; a blank first option leaves the dropdown empty
FIELD_H = 18
FONT_SIZE = 10
LINE_H = 14
GAP = 8
SEP = "__"  # stands for a dot in the flat names reportlab writes


class Layout:
    """Draw one page's items top-down on a reportlab canvas."""

    def __init__(self, canvas: Any, spec: dict[str, Any]) -> None:
        self.c = canvas
        self.form = canvas.acroForm
        self.width, self.height = spec["page_size"]
        self.margin = spec["margin"]
        self.label_w = spec["label_width"]
        self.y = self.height - self.margin

    def text_block(self, text: str, x: float, size: float, width: float, font: str = "Helvetica") -> None:
        from reportlab.lib.utils import simpleSplit

        for line in simpleSplit(text, font, size, width):
            self.y -= size + 2
            self.c.setFont(font, size)
            self.c.drawString(x, self.y, line)

    def item(self, item: dict[str, Any]) -> None:
        kind = item["kind"]
        full = self.width - 2 * self.margin
        if kind == "heading":
            self.y -= 10
            self.text_block(item["text"], self.margin, 12, full, "Helvetica-Bold")
            self.c.setLineWidth(0.5)
            self.c.line(self.margin, self.y - 3, self.width - self.margin, self.y - 3)
            self.y -= GAP
        elif kind == "subheading":
            self.y -= 4
            self.text_block(item["text"], self.margin, 10, full, "Helvetica-Bold")
            self.y -= 2
        elif kind == "note":
            self.text_block(item["text"], self.margin, 8.5, full, "Helvetica-Oblique")
            self.y -= GAP
        elif kind == "list":
            for entry in item["items"]:
                top = self.y
                self.text_block(entry, self.margin + 34, 8.5, full - 34)
                self.c.setFont("Helvetica", 8.5)
                self.c.drawString(self.margin + 24, top - 8.5 - 2, "\u2022")
            self.y -= GAP
        elif kind == "row":
            self.row(item)
        elif kind == "checkbox":
            top = self.y
            self.text_block(item["label"], self.margin + 22, 9, full - 22)
            self.form.checkbox(name=flat(item["name"]), x=self.margin, y=top - 14, size=13,
                               tooltip=item["label"][:120], buttonStyle="check", borderWidth=1)
            self.y = min(self.y, top - 16) - GAP
        elif kind == "radio":
            self.labelled(item["label"])
            x = self.margin + self.label_w
            y = self.y - FIELD_H + 3
            for option in item["options"]:
                label_w = self.c.stringWidth(option["label"], "Helvetica", 9)
                if x + 16 + label_w > self.width - self.margin:
                    x, y = self.margin + self.label_w, y - LINE_H - 2
                self.form.radio(name=flat(item["name"]), value=option["value"], x=x, y=y, size=11,
                                selected=False, buttonStyle="circle", tooltip=option["label"], borderWidth=1)
                self.c.setFont("Helvetica", 9)
                self.c.drawString(x + 15, y + 2, option["label"])
                x += 15 + label_w + 16
            self.y = y - GAP
        elif kind == "signature_line":
            self.y -= 26
            self.c.setFont("Helvetica", 9)
            self.c.drawString(self.margin, self.y + 2, item["label"])
            self.c.line(self.margin + self.label_w, self.y, self.width - self.margin, self.y)
            self.y -= GAP
        else:
            self.labelled(item["label"])
            height = self.widget(item, self.margin + self.label_w, self.y - FIELD_H,
                                 item.get("width", full - self.label_w))
            self.y -= height + GAP

    def labelled(self, label: str) -> None:
        self.c.setFont("Helvetica", 9)
        self.c.drawString(self.margin, self.y - FIELD_H + 5, label)

    def row(self, item: dict[str, Any]) -> None:
        if item.get("label"):
            self.text_block(item["label"], self.margin, 9, self.width - 2 * self.margin)
            self.y -= 2
        x = self.margin
        self.y -= 10
        tallest = 0.0
        for sub in item["items"]:
            self.c.setFont("Helvetica", 7.5)
            self.c.drawString(x, self.y, sub["label"])
            width = sub.get("width", 150)
            tallest = max(tallest, self.widget(sub, x, self.y - 2 - FIELD_H, width))
            x += width + 14
        self.y -= tallest + 2 + GAP

    def widget(self, item: dict[str, Any], x: float, top_y: float, width: float) -> float:
        """Make the field `item` with its top-left corner near (x, top_y + FIELD_H); return its height."""
        kind = item["kind"]
        common: dict[str, Any] = {
            "name": flat(item["name"]), "x": x, "width": width, "tooltip": item.get("label", "")[:120],
            "borderWidth": 1, "borderColor": _GREY, "fillColor": _FILL, "textColor": _BLACK,
            # one size for every field, dropdowns included; the engine shrinks a value that does
            # not fit (never below its floor) and moves what still does not fit to an addendum
            "fontSize": FONT_SIZE,
        }
        if kind == "dropdown":
            options = US_STATES if item["options"] == "us_states" else list(item["options"])
            self.form.choice(y=top_y, height=FIELD_H, options=[BLANK, *options], value=BLANK, **common)
            return FIELD_H
        lines = int(item.get("lines", 1))
        height = FIELD_H if lines == 1 else lines * LINE_H + 6
        flags = []
        if lines > 1:
            flags.append("multiline")
        if item.get("comb"):
            flags.append("comb")
        max_length = item.get("max_length", 10 if kind == "date" else None)
        extra: dict[str, Any] = {"maxlen": max_length} if max_length else {}
        if kind == "date":
            common["width"] = item.get("width", 90)
        self.form.textfield(y=top_y - (height - FIELD_H), height=height, fieldFlags=" ".join(flags), **extra, **common)
        return height


def _colour(r: float, g: float, b: float) -> Any:
    from reportlab.lib.colors import Color

    return Color(r, g, b)


_GREY = None
_FILL = None
_BLACK = None


def flat(name: str) -> str:
    return name.replace(".", SEP)


def draw(spec: dict[str, Any]) -> bytes:
    """Return the form as reportlab writes it: flat field names, fixed dates and ids."""
    global _GREY, _FILL, _BLACK
    from reportlab.pdfgen import canvas

    _GREY, _FILL, _BLACK = _colour(0.45, 0.45, 0.45), _colour(0.93, 0.95, 1.0), _colour(0, 0, 0)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=tuple(spec["page_size"]), invariant=1, pageCompression=1)
    c.setTitle(spec["title"])
    c.setAuthor("sc-docs")
    c.setSubject(spec["subtitle"])
    pages = spec["pages"]
    for number, page in enumerate(pages, start=1):
        layout = Layout(c, spec)
        layout.text_block(spec["title"], spec["margin"], 15, 500, "Helvetica-Bold")
        layout.text_block(spec["subtitle"], spec["margin"], 8, 500, "Helvetica")
        layout.y -= 6
        for item in page["items"]:
            layout.item(item)
        if layout.y < spec["margin"]:
            raise SystemExit(f"page {number} overflows by {spec['margin'] - layout.y:.0f} pt; move items")
        c.setFont("Helvetica", 8)
        c.drawRightString(spec["page_size"][0] - spec["margin"], 30, f"Form version {spec['version']} - page {number} of {len(pages)}")
        c.showPage()
    c.save()
    return buf.getvalue()


def nest(data: bytes) -> bytes:
    """Return `data` with every flat `a__b__c` field turned into field `c` under `b` under `a`."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (
        ArrayObject,
        ByteStringObject,
        DictionaryObject,
        NameObject,
        TextStringObject,
    )

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    acroform = writer._root_object["/AcroForm"].get_object()
    parents: dict[str, Any] = {}
    top: list[Any] = []

    def parent_of(path: tuple[str, ...]) -> Any:
        key = ".".join(path)
        if key not in parents:
            node = DictionaryObject({NameObject("/T"): TextStringObject(path[-1]), NameObject("/Kids"): ArrayObject()})
            ref = writer._add_object(node)
            parents[key] = ref
            if len(path) == 1:
                top.append(ref)
            else:
                up = parent_of(path[:-1])
                node[NameObject("/Parent")] = up
                up.get_object()["/Kids"].append(ref)
        return parents[key]

    for ref in list(acroform["/Fields"]):
        field = ref.get_object()
        parts = str(field["/T"]).split(SEP)
        if len(parts) == 1:
            top.append(ref)
            continue
        field[NameObject("/T")] = TextStringObject(parts[-1])
        up = parent_of(tuple(parts[:-1]))
        field[NameObject("/Parent")] = up
        up.get_object()["/Kids"].append(ref)
    acroform[NameObject("/Fields")] = ArrayObject(top)
    # byte-identical rebuilds need the same libraries: say which ones made this file
    writer.add_metadata({"/Creator": builder()})
    # a fixed /ID: the same form.yaml always gives the same bytes
    digest = hashlib.md5(data).digest()
    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def builder() -> str:
    """Return the tool versions the output depends on, as recorded in the PDF's /Creator."""
    import pypdf
    import reportlab

    return f"sc-docs build_form.py (reportlab {reportlab.Version}, pypdf {pypdf.__version__})"


def build(spec_path: Path = HERE / "form.yaml") -> bytes:
    import yaml

    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    return nest(draw(spec))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify form.pdf instead of writing it")
    args = parser.parse_args()
    data = build()
    target = HERE / "form.pdf"
    if args.check:
        same = target.exists() and target.read_bytes() == data
        print("form.pdf is up to date" if same else "form.pdf differs from what form.yaml builds")
        return 0 if same else 1
    target.write_bytes(data)
    print(f"wrote {target} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
