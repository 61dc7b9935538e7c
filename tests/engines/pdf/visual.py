"""What a person sees on a filled form, measured with poppler: `pdftotext -bbox` gives every word's
box on the page and `pdftoppm` the pixels. `check_filled` asserts, per field, that the value's
words lie inside the field's widget at no less than the floor size, and that a checked checkbox
has ink in its box.
"""

from __future__ import annotations

import functools
import html
import io
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
TOLERANCE = 1.5  # points: poppler's word boxes use the font's nominal ascent and descent
# a word's height in pdftotext is its size times (ascent - descent), at least 0.9 for our fonts
HEIGHT_PER_POINT = 0.9


@dataclass
class Box:
    page: int  # 0-based
    rect: tuple[float, float, float, float]  # in poppler's top-left page space
    horizontal: bool  # text runs left to right on the page as shown
    states: tuple[str, ...] = ()  # a button's on-states (empty for text and choice widgets)


def widget_boxes(data: bytes) -> dict[str, list[Box]]:
    """Return every field's widget boxes in the coordinates `pdftotext -bbox` uses."""
    from pypdf import PdfReader

    boxes: dict[str, list[Box]] = {}
    for number, page in enumerate(PdfReader(io.BytesIO(data)).pages):
        rotate = int(page.get("/Rotate", 0) or 0) % 360
        x0m, y0m, x1m, y1m = (float(v) for v in page.mediabox)
        width, height = x1m - x0m, y1m - y0m
        for ref in page.get("/Annots", []) or []:
            w = ref.get_object()
            if w.get("/Subtype") != "/Widget":
                continue
            x0, y0, x1, y1 = (float(v) for v in w["/Rect"])
            corners = [_display(x, y, rotate, width, height) for x in (x0, x1) for y in (y0, y1)]
            xs, ys = [c[0] for c in corners], [c[1] for c in corners]
            mk = w.get("/MK")
            turn = int(mk.get_object().get("/R", 0) or 0) if mk is not None else 0
            states: tuple[str, ...] = ()
            if _field_type(w) == "/Btn":
                ap = w.get("/AP")
                normal = ap.get_object().get("/N") if ap is not None else None
                normal = normal.get_object() if normal is not None else None
                names = [str(k)[1:] for k in normal] if hasattr(normal, "keys") and not hasattr(normal, "get_data") else []
                states = tuple(n for n in names if n != "Off") or ("Yes",)
            box = Box(number, (min(xs), min(ys), max(xs), max(ys)), (rotate - turn) % 180 == 0, states)
            boxes.setdefault(_name(w), []).append(box)
    return boxes


def _display(x: float, y: float, rotate: int, width: float, height: float) -> tuple[float, float]:
    if rotate == 90:
        return y, x
    if rotate == 180:
        return width - x, y
    if rotate == 270:
        return height - y, width - x
    return x, height - y


def _field_type(widget: Any) -> str | None:
    node = widget
    while node is not None:
        if "/FT" in node:
            return str(node["/FT"])
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return None


def _name(widget: Any) -> str:
    parts: list[str] = []
    node = widget
    while node is not None:
        if "/T" in node:
            parts.append(str(node["/T"]))
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return ".".join(reversed(parts))


def words(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Return each page's words with their boxes, from `pdftotext -bbox`."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, timeout=120)
    pages = out.stdout.decode("utf-8").split("<page ")[1:]
    return [[(float(a), float(b), float(c), float(d), html.unescape(t)) for a, b, c, d, t in _WORD.findall(p)]
            for p in pages]


def ink(pdf: Path, page: int, rect: tuple[float, float, float, float]) -> int:
    """Return the number of dark pixels (72 dpi, grey) inside `rect` on `page` (0-based)."""
    cols, pixels = _render(pdf, page, pdf.stat().st_mtime_ns)
    x0, y0, x1, y1 = (int(round(v)) for v in rect)
    return sum(1 for y in range(y0 + 2, y1 - 2) for x in range(x0 + 2, x1 - 2) if pixels[y * cols + x] < 128)


@functools.lru_cache(maxsize=64)
def _render(pdf: Path, page: int, _stamp: int) -> tuple[int, bytes]:
    out = subprocess.run(["pdftoppm", "-gray", "-r", "72", "-f", str(page + 1), "-l", str(page + 1), str(pdf)],
                         check=True, capture_output=True, timeout=120).stdout
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", out)
    assert header, "pdftoppm did not write a PGM image"
    return int(header.group(1)), out[header.end():]


def check_drawn(form_data: bytes, filled_data: bytes, values: dict[str, Any]) -> list[str]:
    """Return the fields whose widget shows no more ink after filling (not flattened): poppler
    draws the appearance streams a viewer shows without regenerating anything."""
    problems: list[str] = []
    boxes = widget_boxes(form_data)
    with tempfile.TemporaryDirectory() as folder:
        filled, blank = Path(folder) / "filled.pdf", Path(folder) / "blank.pdf"
        filled.write_bytes(filled_data)
        blank.write_bytes(form_data)
        for name, value in values.items():
            if value is False or value == "":
                continue
            for box in boxes.get(name, []):
                if box.states and not (value is True or value in box.states):
                    continue
                if ink(filled, box.page, box.rect) <= ink(blank, box.page, box.rect):
                    problems.append(f"{name}: nothing drawn in its box")
    return problems


def check_filled(form_data: bytes, values: dict[str, Any], report: Any, *, floor: float = 6.0,
                 shown: dict[str, str] | None = None) -> list[str]:
    """Fill-and-flatten `report.data` against the unfilled `form_data`; return every problem seen."""
    problems: list[str] = []
    boxes = widget_boxes(form_data)
    moved = {a.field: a.item for a in report.addendum}
    with tempfile.TemporaryDirectory() as folder:
        filled, blank = Path(folder) / "filled.pdf", Path(folder) / "blank.pdf"
        filled.write_bytes(report.data)
        blank.write_bytes(form_data)
        page_words = words(filled)
        for name, value in values.items():
            for box in boxes.get(name, []):
                if box.states:
                    on = value is True or value in box.states
                    if on and ink(filled, box.page, box.rect) <= ink(blank, box.page, box.rect):
                        problems.append(f"{name}: checked, but no ink in its box")
                    continue
                if (shown or {}).get(name) is None and not isinstance(value, str):
                    continue
                expected = (shown or {}).get(name, value)
                if name in moved:
                    expected = f"see Addendum, item {moved[name]}"
                problems += _check_text(name, expected, box, page_words[box.page], floor)
        if moved:
            tail = " ".join(w[4] for page in page_words[len(page_words) - 1 :] for w in page)
            for name in moved:
                first = str(values[name]).split()[0][:40]
                if first not in tail and not any(first in " ".join(w[4] for w in p) for p in page_words):
                    problems.append(f"{name}: moved to the addendum, but not printed there")
    return problems


def _check_text(name: str, expected: str, box: Box, page_words: list[Any], floor: float) -> list[str]:
    x0, y0, x1, y1 = box.rect
    inside = [w for w in page_words if x0 - TOLERANCE <= (w[0] + w[2]) / 2 <= x1 + TOLERANCE
              and y0 - TOLERANCE <= (w[1] + w[3]) / 2 <= y1 + TOLERANCE]
    got = "".join(w[4] for w in inside)
    want = "".join(expected.split())
    problems = []
    if got != want:
        problems.append(f"{name}: the box shows {got[:60]!r}, expected {want[:60]!r}")
    for w in inside:
        if w[0] < x0 - TOLERANCE or w[2] > x1 + TOLERANCE or w[1] < y0 - TOLERANCE or w[3] > y1 + TOLERANCE:
            problems.append(f"{name}: word {w[4]!r} crosses the edge of its box")
        thickness = (w[3] - w[1]) if box.horizontal else (w[2] - w[0])
        if thickness < floor * HEIGHT_PER_POINT:
            problems.append(f"{name}: word {w[4]!r} is drawn at about {thickness / HEIGHT_PER_POINT:.1f} pt")
    return problems
