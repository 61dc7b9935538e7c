"""Appearance streams for text and choice widgets: what a viewer shows without regenerating.

Layout follows what Acrobat does closely enough to look native: a 2-point inset, the field's
background and border from `/MK`, vertical centring for one line, top-down wrapping for multi-line
fields, comb cells, quadding, and auto-sized text for a font size of 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

PAD = 2.0


class Font(Protocol):
    ascent: float
    descent: float

    def encode(self, text: str) -> bytes: ...

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
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _string(data: bytes) -> bytes:
    """Return `data` as a PDF literal string, escaping what the syntax needs."""
    return b"(" + data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)").replace(
        b"\r", b"\\r"
    ).replace(b"\n", b"\\n") + b")"


def wrap(text: str, font: Font, size: float, width: float) -> list[str]:
    """Break `text` into lines no wider than `width`: at spaces, inside long words if needed."""
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        current = ""
        for word in paragraph.split(" "):
            candidate = word if not current else f"{current} {word}"
            if font.width(candidate, size) <= width or not current and not word:
                current = candidate
                continue
            if current:
                lines.append(current)
            current = ""
            while font.width(word, size) > width and len(word) > 1:
                # the longest prefix that fits, found by bisection: long values stay cheap
                low, high = 1, len(word) - 1
                while low < high:
                    middle = (low + high + 1) // 2
                    if font.width(word[:middle], size) <= width:
                        low = middle
                    else:
                        high = middle - 1
                lines.append(word[:low])
                word = word[low:]
            current = word
        lines.append(current)
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


def _x_for(line_width: float, box: float, quadding: int) -> float:
    if quadding == 1:
        return PAD + (box - line_width) / 2
    if quadding == 2:
        return PAD + box - line_width
    return PAD


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
) -> bytes:
    """Return the content of a /Tx widget's normal appearance showing `value`."""
    if password:
        value = "*" * len(value)
    inner_w = max(width - 2 * PAD, 1.0)
    inner_h = max(height - 2 * PAD, 1.0)
    size = style.size
    ops = _frame(width, height, style)
    ops += ["/Tx BMC", "q", f"{_fmt(PAD / 2)} {_fmt(PAD / 2)} {_fmt(width - PAD)} {_fmt(height - PAD)} re W n"]
    body: list[str] = []
    if multiline:
        if size <= 0:
            size = 12.0
            while size > 4 and len(wrap(value, font, size, inner_w)) * size * 1.16 > inner_h:
                size -= 0.5
        leading = size * 1.16
        lines = wrap(value, font, size, inner_w)
        y = height - PAD - size * font.ascent
        for line in lines:
            x = _x_for(font.width(line, size), inner_w, style.quadding)
            body.append(f"1 0 0 1 {_fmt(x)} {_fmt(y)} Tm " + _string(font.encode(line)).decode("latin-1") + " Tj")
            y -= leading
    else:
        text = value.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
        if size <= 0:
            size = min(12.0, inner_h / (font.ascent - font.descent))
            text_w = font.width(text, size)
            if text_w > inner_w and text_w > 0:
                size = max(4.0, size * inner_w / text_w)
        y = (height - size * (font.ascent + font.descent)) / 2
        if comb > 0:
            cell = width / comb
            for i, ch in enumerate(text[:comb]):
                x = cell * i + (cell - font.width(ch, size)) / 2
                body.append(f"1 0 0 1 {_fmt(x)} {_fmt(y)} Tm " + _string(font.encode(ch)).decode("latin-1") + " Tj")
        else:
            x = _x_for(font.width(text, size), inner_w, style.quadding)
            body.append(f"1 0 0 1 {_fmt(x)} {_fmt(y)} Tm " + _string(font.encode(text)).decode("latin-1") + " Tj")
    if body:
        ops += ["BT", f"/{style.font_name} {_fmt(size)} Tf", style.color] + body + ["ET"]
    ops += ["Q", "EMC"]
    return "\n".join(ops).encode("latin-1")


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
        ops.append(f"1 0 0 1 {_fmt(PAD)} {_fmt(baseline)} Tm " + _string(font.encode(option)).decode("latin-1") + " Tj")
    ops += ["ET", "Q", "EMC"]
    return "\n".join(ops).encode("latin-1")
