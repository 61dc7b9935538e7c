"""Appearance streams for text and choice widgets: what a viewer shows without regenerating.

Layout follows what Acrobat does closely enough to look native: a 2-point inset, the field's
background and border from `/MK`, vertical centring for one line, top-down wrapping for multi-line
fields, comb cells, quadding, and auto-sized text for a font size of 0.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Protocol

PAD = 2.0
LEADING = 1.16  # line height of multi-line fields, as a multiple of the font size


class Font(Protocol):
    """What layout needs of a font: vertical extent (in em), widths, and the bytes of a string."""

    @property
    def ascent(self) -> float: ...

    @property
    def descent(self) -> float: ...

    def encode(self, text: str) -> bytes: ...

    def char_width(self, ch: str) -> float: ...

    def width(self, text: str, size: float) -> float: ...


@dataclass(frozen=True)
class Style:
    """What a widget's /DA, /Q and /MK say about how to draw its value."""

    font_name: str = "Helv"
    size: float = 0.0
    color: str = "0 g"
    quadding: int = 0
    background: str | None = None  # fill operator, e.g. "1 1 1 rg"
    border: str | None = None  # stroke operator, e.g. "0 0 0 RG"
    border_width: float = 1.0


_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)"
_TF = re.compile(rf"/([^\s/\[\]()<>{{}}%]+)\s+({_NUM})\s+Tf")
_COLOR = re.compile(rf"((?:{_NUM}\s+){{1,4}})(g|rg|k)\b")


def parse_da(da: str) -> tuple[str, float, str]:
    """Return (font resource name, size, fill colour operator) from a /DA string."""
    font, size, color = "Helv", 0.0, "0 g"
    match = _TF.search(da or "")
    if match:
        font, size = match.group(1), float(match.group(2))
    colors = _COLOR.findall(da or "")
    if colors:
        nums, op = colors[-1]
        count = {"g": 1, "rg": 3, "k": 4}[op]
        values = nums.split()
        if len(values) >= count:
            color = " ".join(values[-count:]) + f" {op}"
    return font, size, color


def colour_op(values: list[float] | None, stroke: bool) -> str | None:
    """Turn an /MK colour array into an operator: 1 value gray, 3 RGB, 4 CMYK, 0 transparent."""
    if not values:
        return None
    ops = {1: "g", 3: "rg", 4: "k"}
    op = ops.get(len(values))
    if op is None:
        return None
    if stroke:
        op = op.upper()
    return " ".join(_fmt(v) for v in values) + f" {op}"


def _fmt(value: float) -> str:
    text = _FMT.get(value)
    if text is None:
        text = f"{value:.3f}".rstrip("0").rstrip(".")
        if text in ("-0", ""):
            text = "0"
        if len(_FMT) < 65536:  # the same sizes and positions recur in every fill
            _FMT[value] = text
    return text


_FMT: dict[float, str] = {}


def _string(data: bytes) -> bytes:
    """Return `data` as a PDF literal string, escaping what the syntax needs."""
    return b"(" + data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)").replace(
        b"\r", b"\\r"
    ).replace(b"\n", b"\\n") + b")"


def shows(font: Font, text: str, name: str, size: float) -> str:
    """Return the operators showing `text`: one `Tj`, or for a font chain one `Tf`+`Tj` per run
    of characters that one member font draws (resources `name`, `name_1`, `name_2`, ...)."""
    runs = getattr(font, "runs", None)
    if runs is None:
        return _string(font.encode(text)).decode("latin-1") + " Tj"
    parts = []
    for index, member, chunk in runs(text):
        resource = name if index == 0 else f"{name}_{index}"
        parts.append(f"/{resource} {_fmt(size)} Tf " + _string(member.encode(chunk)).decode("latin-1") + " Tj")
    return " ".join(parts) + f" /{name} {_fmt(size)} Tf"


def wrap(text: str, font: Font, size: float, width: float, max_lines: int | None = None) -> list[str]:
    """Break `text` into lines no wider than `width`: at spaces, inside words longer than a line.

    Time is linear in the length of `text` (a 1 MB word is measured once, character by
    character); with `max_lines` it stops after one line more than that, enough to know it does
    not fit.
    """
    limit = width * 1000.0 / size if size > 0 else float("inf")  # in 1/1000 em
    char_width = font.char_width
    units = getattr(font, "units", None)  # a font's own sum of character widths, when it has one
    space = char_width(" ")
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        current: list[str] = []
        used = 0.0
        for word in paragraph.split(" "):
            if len(word) <= 64:  # the same sum as the loop below, which it only cuts short
                word_w = units(word) if units is not None else sum(map(char_width, word), 0.0)
            else:
                word_w = 0.0
                for c in word:  # stop measuring once past a line: a 1 MB word is broken, not summed
                    word_w += char_width(c)
                    if word_w > limit:
                        break
            gap = space if current else 0.0
            if used + gap + word_w <= limit or not current and not word:
                current.append(word)
                used += gap + word_w
                continue
            if current:
                lines.append(" ".join(current))
                if max_lines is not None and len(lines) > max_lines:
                    return lines
            current, used = [], 0.0
            if word_w > limit:
                start, run = 0, 0.0
                for index, ch in enumerate(word):
                    w = char_width(ch)
                    if run + w > limit and index > start:
                        lines.append(word[start:index])
                        if max_lines is not None and len(lines) > max_lines:
                            return lines
                        start, run = index, 0.0
                    run += w
                word, word_w = word[start:], run
            current, used = [word], word_w
        lines.append(" ".join(current))
        if max_lines is not None and len(lines) > max_lines:
            return lines
    return lines


def _frame(width: float, height: float, style: Style) -> list[str]:
    ops: list[str] = []
    if style.background:
        ops.append(f"{style.background} 0 0 {_fmt(width)} {_fmt(height)} re f")
    if style.border and style.border_width > 0:
        bw = style.border_width
        ops.append(
            f"{style.border} {_fmt(bw)} w {_fmt(bw / 2)} {_fmt(bw / 2)} "
            f"{_fmt(width - bw)} {_fmt(height - bw)} re S"
        )
    return ops


@functools.lru_cache(maxsize=4096)
def _text_head(width: float, height: float, style: Style) -> str:
    """Return the frame and clip that start a text widget's appearance (the same every fill)."""
    ops = _frame(width, height, style)
    ops += ["/Tx BMC", "q", f"{_fmt(PAD / 2)} {_fmt(PAD / 2)} {_fmt(width - PAD)} {_fmt(height - PAD)} re W n"]
    return "\n".join(ops)


def _x_for(line_width: float, box: float, quadding: int) -> float:
    if quadding == 1:
        return PAD + (box - line_width) / 2
    if quadding == 2:
        return PAD + box - line_width
    return PAD


def layout_text(
    value: str,
    width: float,
    height: float,
    font: Font,
    style: Style,
    *,
    multiline: bool = False,
    comb: int = 0,
    floor: float = 6.0,
) -> tuple[float, list[str]] | None:
    """Return the font size and lines that show all of `value` inside the box, or None.

    The size is the widget's own (or 12 pt when it says 0 "auto"), reduced until the text fits
    the width and the accents and descenders fit the height, but never below `floor`: a value
    that would need a smaller size does not fit (the caller moves it to an addendum).
    """
    inner_w = max(width - 2 * PAD, 1.0)
    inner_h = max(height - 2 * PAD, 1.0)
    span = font.ascent - font.descent
    size = min(style.size if style.size > 0 else 12.0, inner_h / span)
    if multiline:
        while size >= floor:
            leading = size * LEADING
            max_lines = max(1, int((inner_h - size * span) / leading) + 1)
            lines = wrap(value, font, size, inner_w, max_lines)
            if len(lines) <= max_lines:
                return size, lines
            size = round(size - 0.5, 2)
        return None
    text = value.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    if comb > 0:
        cell = width / comb
        widest = max((font.width(ch, 1.0) for ch in text), default=0.0)
        if widest > 0:
            size = min(size, (cell - 1.0) / widest)
        return (size, [text]) if size >= floor and len(text) <= comb else None
    text_w = font.width(text, size)
    if text_w > inner_w:
        size = size * inner_w / text_w
    return (size, [text]) if size >= floor else None


def text_stream(
    value: str,
    width: float,
    height: float,
    font: Font,
    style: Style,
    *,
    multiline: bool = False,
    comb: int = 0,
    password: bool = False,
    floor: float = 6.0,
    force: bool = False,
) -> bytes | None:
    """Return the content of a /Tx widget's normal appearance showing `value`.

    Return None when the value does not fit at `floor` or above; with `force` draw it anyway
    at the floor (clipped to the box), for a short note such as "see Addendum, item 3".
    """
    if password:
        value = "*" * len(value)
    if not multiline and comb <= 0:
        return _one_line(value, width, height, font, style, floor, force)
    placed = layout_text(value, width, height, font, style, multiline=multiline, comb=comb, floor=floor)
    if placed is None:
        if not force:
            return None
        placed = (floor, [value.replace("\n", " ")])
    size, lines = placed
    inner_w = max(width - 2 * PAD, 1.0)
    inner_h = max(height - 2 * PAD, 1.0)
    ops = [_text_head(width, height, style)]
    body: list[str] = []

    def show(x: float, y: float, text: str) -> None:
        body.append(f"1 0 0 1 {_fmt(x)} {_fmt(y)} Tm " + shows(font, text, style.font_name, size))

    if multiline:
        y = height - PAD - size * font.ascent
        for line in lines:
            show(_x_for(font.width(line, size), inner_w, style.quadding), y, line)
            y -= size * LEADING
    else:
        text = lines[0]
        # centre the span from the lowest descender to the highest accent inside the box
        y = PAD + (inner_h - size * (font.ascent - font.descent)) / 2 - size * font.descent
        if comb > 0:
            cell = width / comb
            shift = {1: (comb - len(text)) // 2, 2: comb - len(text)}.get(style.quadding, 0)
            for i, ch in enumerate(text[:comb]):
                show(cell * (i + shift) + (cell - font.width(ch, size)) / 2, y, ch)
        else:
            show(_x_for(font.width(text, size), inner_w, style.quadding), y, text)
    if body:
        ops += ["BT", f"/{style.font_name} {_fmt(size)} Tf", style.color] + body + ["ET"]
    ops += ["Q", "EMC"]
    return "\n".join(ops).encode("latin-1")


def _one_line(value: str, width: float, height: float, font: Font, style: Style, floor: float, force: bool) -> bytes | None:
    """`text_stream` for the common case, one line without comb cells: the same layout and bytes
    as `layout_text` and the general path, with the width of the value measured once."""
    inner_w = max(width - 2 * PAD, 1.0)
    inner_h = max(height - 2 * PAD, 1.0)
    size = min(style.size if style.size > 0 else 12.0, inner_h / (font.ascent - font.descent))
    text = value.replace("\r\n", " ").replace("\n", " ").replace("\r", " ") if "\n" in value or "\r" in value else value
    text_w = font.width(text, size)
    if text_w > inner_w:
        size = size * inner_w / text_w
    if size < floor:
        if not force:
            return None
        size, text = floor, value.replace("\n", " ")
    # centre the span from the lowest descender to the highest accent inside the box
    y = PAD + (inner_h - size * (font.ascent - font.descent)) / 2 - size * font.descent
    x = _x_for(font.width(text, size), inner_w, style.quadding)
    shown = f"1 0 0 1 {_fmt(x)} {_fmt(y)} Tm " + shows(font, text, style.font_name, size)
    return "\n".join((_text_head(width, height, style), "BT", f"/{style.font_name} {_fmt(size)} Tf", style.color,
                      shown, "ET", "Q", "EMC")).encode("latin-1")


def list_stream(
    options: list[str], selected: int | None, top: int, width: float, height: float, font: Font, style: Style
) -> bytes:
    """Return the appearance of a list box: visible options from `top`, the selection highlighted."""
    size = style.size if style.size > 0 else 12.0
    leading = size * 1.16
    ops = _frame(width, height, style)
    ops += ["/Tx BMC", "q", f"1 1 {_fmt(width - 2)} {_fmt(height - 2)} re W n"]
    y_top = height - PAD
    if selected is not None and selected >= top:
        row = selected - top
        ops.append(f"0.6 0.75 0.85 rg {_fmt(PAD / 2)} {_fmt(y_top - leading * (row + 1))} "
                   f"{_fmt(width - PAD)} {_fmt(leading)} re f")
    ops += ["BT", f"/{style.font_name} {_fmt(size)} Tf", style.color]
    for row, option in enumerate(options[top:]):
        baseline = y_top - leading * row - size * font.ascent - (leading - size) / 2
        if baseline < -size:
            break
        ops.append(f"1 0 0 1 {_fmt(PAD)} {_fmt(baseline)} Tm " + shows(font, option, style.font_name, size))
    ops += ["ET", "Q", "EMC"]
    return "\n".join(ops).encode("latin-1")
