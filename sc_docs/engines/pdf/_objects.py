"""PDF objects a fill creates: text strings, font dictionaries, and the geometry of widgets."""

from __future__ import annotations

import codecs
from typing import Any

from pypdf.generic import ByteStringObject

from sc_docs.engines.pdf import _font as fonts
from sc_docs.engines.pdf._formfont import FormFont
from sc_docs.engines.pdf._parse import Widget


ROTATIONS: dict[int, tuple[int, ...]] = {90: (0, 1, -1, 0, 0, 0), 180: (-1, 0, 0, -1, 0, 0), 270: (0, -1, 1, 0, 0, 0)}


def copy_object(obj: Any) -> Any:
    """Copy the direct structure of `obj`, keeping references, so cached objects stay untouched."""
    from pypdf.generic import ArrayObject, DictionaryObject, StreamObject

    if isinstance(obj, StreamObject):
        new = type(obj)()
        for key, value in obj.items():
            new[key] = copy_object(value)
        new._data = obj._data
        return new
    if isinstance(obj, DictionaryObject):
        copy = DictionaryObject()
        for key, value in obj.items():
            copy[key] = copy_object(value)
        return copy
    if isinstance(obj, ArrayObject):
        return ArrayObject(copy_object(v) for v in obj)
    return obj


def box(w: Widget) -> tuple[float, float]:
    x0, y0, x1, y1 = w.rect
    width, height = x1 - x0, y1 - y0
    return (height, width) if w.rotation in (90, 270) else (width, height)


def num(value: float) -> Any:
    from pypdf.generic import FloatObject, NumberObject

    return NumberObject(int(value)) if float(value).is_integer() else FloatObject(round(float(value), 4))


def fmtn(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def inherited(page: Any, key: str) -> Any:
    node = page
    for _ in range(64):
        if node is None:
            return None
        if key in node:
            return node[key].get_object()
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return None


def placement(annot: Any, stream: Any) -> tuple[float, ...] | None:
    """Return the matrix mapping the appearance's transformed /BBox onto the widget's /Rect."""
    try:
        bx0, by0, bx1, by1 = (float(v) for v in stream["/BBox"])
        a, b, c, d, e, f = (float(v) for v in stream.get("/Matrix", [1, 0, 0, 1, 0, 0]))
        rx0, ry0, rx1, ry1 = (float(v) for v in annot["/Rect"])
    except (KeyError, TypeError, ValueError):
        return None
    corners = [(x * a + y * c + e, x * b + y * d + f) for x in (bx0, bx1) for y in (by0, by1)]
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    tx0, tx1, ty0, ty1 = min(xs), max(xs), min(ys), max(ys)
    rx0, rx1 = sorted((rx0, rx1))
    ry0, ry1 = sorted((ry0, ry1))
    if tx1 - tx0 <= 0 or ty1 - ty0 <= 0:
        return None
    sx = (rx1 - rx0) / (tx1 - tx0)
    sy = (ry1 - ry0) / (ty1 - ty0)
    return (sx, 0.0, 0.0, sy, rx0 - tx0 * sx, ry0 - ty0 * sy)


def text_string(value: str) -> Any:
    """Encode a field value: plain ASCII as is, anything else as UTF-16BE with a BOM.

    PDFDocEncoding would cover some accented letters, but UTF-16 round-trips every string
    exactly in every reader, which is what the read-back guarantee needs. The bytes are those
    pypdf writes for the text; a byte string skips its encoding guesswork on every fill.
    """
    if value.isascii() and (value.isprintable() or all(" " <= ch <= "~" or ch in "\t\n\r" for ch in value)):
        return ByteStringObject(value.encode("ascii"))
    return ByteStringObject(codecs.BOM_UTF16_BE + value.encode("utf-16-be"))


def font_object(filler: Any, font: Any) -> Any:
    """Return the /Font dictionary for `font`, adding the embedded font's parts to the update."""
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        NameObject,
        NumberObject,
        StreamObject,
        TextStringObject,
    )

    def name(value: str) -> NameObject:
        return NameObject("/" + value)

    if isinstance(font, FormFont):  # pragma: no cover - the filler references these directly
        raise TypeError("a form's own font needs no new object")
    if isinstance(font, fonts.StandardFont):
        return DictionaryObject({
            name("Type"): name("Font"),
            name("Subtype"): name("Type1"),
            name("BaseFont"): name(font.base),
            name("Encoding"): name("WinAnsiEncoding"),
        })
    file_stream = StreamObject()
    if font.cff:  # an OpenType font with CFF outlines: FontFile3, addressed by CID
        file_stream[name("Subtype")] = name("OpenType")
    else:
        file_stream[name("Length1")] = NumberObject(font.font_file_length1)
    file_stream[name("Filter")] = name("FlateDecode")
    file_stream._data = font.font_file
    descriptor = DictionaryObject({
        name("Type"): name("FontDescriptor"),
        name("FontName"): name(font.ps_name),
        name("Flags"): NumberObject(32),
        name("FontBBox"): ArrayObject(NumberObject(v) for v in font.bbox),
        name("ItalicAngle"): NumberObject(0),
        name("Ascent"): NumberObject(round(font.ascent * 1000)),
        name("Descent"): NumberObject(round(font.descent * 1000)),
        name("CapHeight"): NumberObject(round(font.ascent * 1000)),
        name("StemV"): NumberObject(80),
        name("FontFile3" if font.cff else "FontFile2"): filler.add(file_stream),
    })
    cid = DictionaryObject({
        name("Type"): name("Font"),
        name("Subtype"): name("CIDFontType0" if font.cff else "CIDFontType2"),
        name("BaseFont"): name(font.ps_name),
        name("CIDSystemInfo"): DictionaryObject({
            name("Registry"): TextStringObject("Adobe"),
            name("Ordering"): TextStringObject("Identity"),
            name("Supplement"): NumberObject(0),
        }),
        name("FontDescriptor"): filler.add(descriptor),
        name("DW"): NumberObject(1000),
        name("W"): width_array(font.widths),
    })
    if not font.cff:
        cid[name("CIDToGIDMap")] = name("Identity")
    to_unicode = StreamObject()
    to_unicode.set_data(font.to_unicode())
    return DictionaryObject({
        name("Type"): name("Font"),
        name("Subtype"): name("Type0"),
        name("BaseFont"): name(font.ps_name),
        name("Encoding"): name("Identity-H"),
        name("DescendantFonts"): ArrayObject([filler.add(cid)]),
        name("ToUnicode"): filler.add(to_unicode),
    })


def width_array(widths: dict[int, int]) -> Any:
    """Return a CID font's /W array: one `first [w1 w2 ...]` run per block of consecutive codes."""
    from pypdf.generic import ArrayObject, NumberObject

    out = ArrayObject()
    run: list[int] = []
    first = previous = -2
    for code in sorted(widths):
        if code != previous + 1 and run:
            out += [NumberObject(first), ArrayObject(NumberObject(w) for w in run)]
            run = []
        if not run:
            first = code
        run.append(widths[code])
        previous = code
    if run:
        out += [NumberObject(first), ArrayObject(NumberObject(w) for w in run)]
    return out
