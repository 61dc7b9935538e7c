"""The form's own fonts, reused for text beyond WinAnsi: a Type0 font with a predefined Unicode
CMap (`UniJIS-UCS2-H`, `UniGB-UTF16-H`, ...), as Japanese, Chinese and Korean forms carry.

Such a font is addressed by UTF-16 code units, so any character of its character collection can
be shown without embedding anything; the viewer supplies the glyphs (as it does for the form's
own labels). Widths come from the font's /DW, with half width for Latin characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Unicode blocks each Adobe character collection covers (a deliberately cautious subset)
_COMMON = ((0x20, 0x7E), (0x3000, 0x303F), (0x4E00, 0x9FFF), (0xFF01, 0xFF60))
_BLOCKS: dict[str, tuple[tuple[int, int], ...]] = {
    "Japan1": _COMMON + ((0x3040, 0x30FF), (0xFF61, 0xFF9F)),
    "GB1": _COMMON,
    "CNS1": _COMMON,
    "Korea1": _COMMON + ((0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7AF)),
}


@dataclass(frozen=True)
class FormFont:
    """A Type0 font of the form, referenced (not copied) by the appearances we draw."""

    ref: tuple[int, int]
    ordering: str
    utf16: bool
    default_width: int = 1000
    ascent: float = 0.88
    descent: float = -0.12

    def covers(self, ch: str) -> bool:
        code = ord(ch)
        if code > 0xFFFF and not self.utf16:
            return False
        return any(low <= code <= high for low, high in _BLOCKS.get(self.ordering, ()))

    def encode(self, text: str) -> bytes:
        return text.encode("utf-16-be")

    def char_width(self, ch: str) -> float:
        return 500.0 if ord(ch) < 0x2E80 else float(self.default_width)

    def width(self, text: str, size: float) -> float:
        return sum(self.char_width(c) for c in text) * size / 1000.0

    @property
    def key(self) -> str:
        return f"form-font:{self.ref[0]}:{self.ref[1]}"


def unicode_form_font(ref: Any) -> FormFont | None:
    """Return the font at `ref` as a `FormFont` when it takes Unicode codes, else None."""
    if not hasattr(ref, "idnum"):
        return None
    font = ref.get_object()
    if not hasattr(font, "get") or font.get("/Subtype") != "/Type0":
        return None
    encoding = str(font.get("/Encoding", ""))
    if not (encoding.startswith("/Uni") and encoding.endswith(("-UCS2-H", "-UTF16-H"))):
        return None
    try:
        descendant = font["/DescendantFonts"].get_object()[0].get_object()
        info = descendant["/CIDSystemInfo"].get_object()
        ordering = str(info["/Ordering"])
        width = int(descendant.get("/DW", 1000))
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    if ordering not in _BLOCKS:
        return None
    return FormFont(ref=(ref.idnum, ref.generation), ordering=ordering, utf16="UTF16" in encoding, default_width=width)
