"""Fonts for generated appearance streams: a standard font when WinAnsi covers the text, else the
form's own font when it covers it, else an embedded subset from a fallback chain of system fonts.

The 14 standard fonts need no embedding but only encode WinAnsi (roughly Windows-1252). Anything
beyond that gets a Type0/Identity-H subset with a ToUnicode map, so it renders in every viewer and
text extraction returns the value. The chain is `SC_DOCS_PDF_FONT` (one path or several joined by
the platform's path separator), DejaVu (or Liberation/Arial), then a CJK font (Noto Sans CJK,
from the `fonts-noto-cjk` package). A character no font covers is an error (`MissingGlyphError`)
unless the caller allows missing glyphs. Subsets are cached per process (and shared between the
processes of a batch, `_subsets`).
"""

from __future__ import annotations

import functools
import io
import logging
import os
import zlib
from itertools import repeat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sc_docs.engines.pdf import _subsets
from sc_docs.engines.pdf._appear import Font
from sc_docs.errors import FormError

_DEJAVU = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF")
_LATIN_FILES = {
    "": ("DejaVuSans.ttf",),
    "bold": ("DejaVuSans-Bold.ttf",),
    "italic": ("DejaVuSans-Oblique.ttf",),
    "bolditalic": ("DejaVuSans-BoldOblique.ttf",),
}
_OTHER_LATIN = (
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/arial.ttf",
)
# CFF-flavoured collections: the first face (Japanese glyph forms) covers all CJK ideographs
_CJK = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/opt/homebrew/share/fonts/NotoSansCJK-Regular.ttc",
    "C:/Windows/Fonts/msgothic.ttc",
)

# Embedded Latin subsets always include these, so most names share one cached subset.
_BASE_CHARS = frozenset(
    [chr(c) for c in range(0x20, 0x7F)]
    + [chr(c) for c in range(0xA0, 0x180)]
    + list("\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2022\u2026\u20ac\u2122")
)

_STANDARD = {
    f"{family}{suffix}"
    for family, suffixes in (
        ("Helvetica", ("", "-Bold", "-Oblique", "-BoldOblique")),
        ("Times", ("-Roman", "-Bold", "-Italic", "-BoldItalic")),
        ("Courier", ("", "-Bold", "-Oblique", "-BoldOblique")),
    )
    for suffix in suffixes
}


class MissingGlyphError(FormError):
    """No font on this system (nor the form's own) can draw some characters of a value."""

    def __init__(self, chars: str, field: str | None = None) -> None:
        self.chars = chars
        shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in chars[:5])
        where = f"{field}: " if field else ""
        super().__init__(
            f"{where}no font covers {shown}; install a font that has them (e.g. fonts-noto-cjk), "
            "point SC_DOCS_PDF_FONT at one, or pass --allow-missing-glyphs"
        )


@functools.lru_cache(maxsize=1024)
def style_of(name: str | None) -> str:
    """Return '', 'bold', 'italic' or 'bolditalic' for a font name such as `Helvetica-BoldOblique`."""
    low = (name or "").lstrip("/").lower()
    bold = "bold" in low or low.endswith(("bd", "-b", ",b")) or "hebo" in low or "tibo" in low or "cobo" in low
    italic = any(k in low for k in ("italic", "oblique", "slant")) or low.endswith(("-i", "it", "ob", "bi", ",i"))
    return ("bold" if bold else "") + ("italic" if italic else "")


@functools.lru_cache(maxsize=1024)
def standard_font_for(base_font: str | None) -> str:
    """Map a form's font name (`/Helv`, `/TimesNewRoman,BoldItalic`, ...) to a standard-14 font."""
    name = (base_font or "").lstrip("/").lower()
    style = style_of(base_font)
    bold, italic = "bold" in style, "italic" in style
    if "times" in name or name.startswith(("tiro", "tibo", "tiit", "tibi")) or "serif" in name and "sans" not in name:
        return {(False, False): "Times-Roman", (True, False): "Times-Bold",
                (False, True): "Times-Italic", (True, True): "Times-BoldItalic"}[(bold, italic)]
    family = "Courier" if "cour" in name or "mono" in name or name.startswith("co") else "Helvetica"
    suffix = {(False, False): "", (True, False): "-Bold", (False, True): "-Oblique", (True, True): "-BoldOblique"}
    return family + suffix[(bold, italic)]


def winansi_encodable(text: str) -> bool:
    if text.isascii():  # cp1252 keeps every ASCII character
        return True
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def font_paths(style: str = "") -> list[str]:
    """Return the fallback chain for `style`: SC_DOCS_PDF_FONT, Latin fonts, then CJK fonts."""
    return list(_font_paths(style, os.environ.get("SC_DOCS_PDF_FONT", ""), _DEJAVU, _OTHER_LATIN, _CJK))


@functools.lru_cache(maxsize=32)
def _font_paths(
    style: str, env: str, dejavu: tuple[str, ...], other: tuple[str, ...], cjk: tuple[str, ...]
) -> tuple[str, ...]:
    """The chain, looked up on disk once per process for each setting (fills ask per widget)."""
    paths = [p for p in env.split(os.pathsep) if p]
    for folder in dejavu:
        for name in _LATIN_FILES.get(style, ()) + _LATIN_FILES[""]:
            paths.append(f"{folder}/{name}")
    paths += list(other)
    try:
        import reportlab

        paths.append(str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"))
    except ImportError:  # pragma: no cover - reportlab is a dependency
        pass
    paths += list(cjk)
    seen: list[str] = []
    for p in paths:
        if p not in seen and os.path.isfile(p):
            seen.append(p)
    return tuple(seen)


@functools.lru_cache(maxsize=1)
def _standard_widths() -> dict[str, dict[str, float]]:
    return {}


@dataclass(frozen=True)
class StandardFont:
    """A non-embedded standard-14 font with WinAnsiEncoding."""

    base: str
    ascent: float = 0.94  # the top of an accented capital (Å), not just of a plain letter
    descent: float = -0.23

    def encode(self, text: str) -> bytes:
        return text.encode("cp1252", errors="replace")

    def char_width(self, ch: str) -> float:
        """Return the width of `ch` in 1/1000 em (cached: wrapping asks for every character)."""
        table = _standard_widths().setdefault(self.base, {})
        width = table.get(ch)
        if width is None:
            from reportlab.pdfbase.pdfmetrics import stringWidth

            width = float(stringWidth(ch, self.base, 1000))
            table[ch] = width
        return width

    def units(self, text: str) -> float:
        """Return the sum of the widths of `text`'s characters, in 1/1000 em, added in order."""
        table = _standard_widths().get(self.base)
        if table is not None:
            try:
                return sum(map(table.__getitem__, text), 0.0)
            except KeyError:  # a character not measured yet
                pass
        return sum(map(self.char_width, text), 0.0)

    def width(self, text: str, size: float) -> float:
        table = _standard_widths().get(self.base)
        if table is not None:
            try:
                return sum(map(table.__getitem__, text)) * size / 1000.0
            except KeyError:  # a character not measured yet
                pass
        char_width = self.char_width
        return sum(char_width(c) for c in text) * size / 1000.0

    @property
    def key(self) -> str:
        return self.base


@dataclass(frozen=True)
class EmbeddedFont:
    """A TrueType or CFF subset addressed by two-byte codes (Identity-H)."""

    path: str
    chars: frozenset[str]
    font_file: bytes  # Flate-compressed subset
    font_file_length1: int
    cmap: dict[int, int]  # code point -> code (a glyph id, or a CID for CFF fonts)
    widths: dict[int, int]  # code -> width in 1/1000 em
    ascent: float
    descent: float
    bbox: tuple[int, int, int, int]
    ps_name: str
    cff: bool = False
    _width_cache: dict[str, float] = field(default_factory=dict, compare=False, hash=False)
    _char_widths: dict[str, float] = field(default_factory=dict, compare=False, hash=False)
    _tables: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def covers(self, ch: str) -> bool:
        return ord(ch) in self.cmap

    def encode(self, text: str) -> bytes:
        codes = self._tables.get("codes")
        if codes is None:  # code point -> its two-byte code as two Latin-1 characters
            codes = {cp: chr(code >> 8) + chr(code & 0xFF) for cp, code in self.cmap.items() if code <= 0xFFFF}
            self._tables["codes"] = codes
        out = text.translate(codes)
        if len(out) == 2 * len(text):  # every character has a code
            return out.encode("latin-1")
        cmap = self.cmap
        return b"".join(cmap.get(ord(c), 0).to_bytes(2, "big") for c in text)

    def char_width(self, ch: str) -> float:
        width = self._char_widths.get(ch)
        if width is None:
            width = float(self.widths.get(self.cmap.get(ord(ch), 0), 0))
            if len(self._char_widths) < 65536:
                self._char_widths[ch] = width
        return width

    def units(self, text: str) -> float:
        """Return the sum of the widths of `text`'s characters, in 1/1000 em, added in order."""
        table = self._tables.get("units")
        if table is None:  # every mapped character's width; the rest draw glyph 0
            widths = self.widths
            table = {chr(cp): float(widths.get(code, 0)) for cp, code in self.cmap.items()}
            self._tables["units"] = table
            self._tables["notdef"] = float(widths.get(0, 0))
        return sum(map(table.get, text, repeat(self._tables["notdef"])), 0.0)

    def width(self, text: str, size: float) -> float:
        units = self._width_cache.get(text)
        if units is None:
            cmap, widths = self.cmap, self.widths
            units = float(sum(widths.get(cmap.get(ord(c), 0), 0) for c in text))
            if len(text) < 200 and len(self._width_cache) < 4096:  # layout asks again for the same words
                self._width_cache[text] = units
        return units * size / 1000.0

    @functools.cached_property
    def key(self) -> str:  # noqa: D102 - asked for every widget: computed once
        return f"{self.path}:{len(self.chars)}:{hash(self.chars)}"

    def to_unicode(self) -> bytes:
        """Return a ToUnicode CMap so copying and text extraction give back the value."""
        by_code: dict[int, int] = {}
        for cp, code in sorted(self.cmap.items()):
            by_code.setdefault(code, cp)
        lines = []
        items = sorted(by_code.items())
        for start in range(0, len(items), 100):
            chunk = items[start : start + 100]
            lines.append(b"%d beginbfchar" % len(chunk))
            for code, cp in chunk:
                lines.append(b"<%04X> <%s>" % (code, chr(cp).encode("utf-16-be").hex().upper().encode()))
            lines.append(b"endbfchar")
        return (
            b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            b"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
            + b"\n".join(lines)
            + b"\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
        )


@dataclass(frozen=True)
class FontChain:
    """Several embedded fonts drawing one value: each character from the first that has it."""

    members: tuple[EmbeddedFont, ...]

    @property
    def ascent(self) -> float:
        return max(m.ascent for m in self.members)

    @property
    def descent(self) -> float:
        return min(m.descent for m in self.members)

    def _index(self, ch: str) -> int:
        for index, member in enumerate(self.members):
            if member.covers(ch):
                return index
        return 0

    def runs(self, text: str) -> list[tuple[int, EmbeddedFont, str]]:
        """Split `text` into (member index, member, characters) runs, spaces joining the run before."""
        out: list[tuple[int, EmbeddedFont, str]] = []
        for ch in text:
            index = out[-1][0] if out and ch == " " else self._index(ch)
            if out and out[-1][0] == index:
                out[-1] = (index, out[-1][1], out[-1][2] + ch)
            else:
                out.append((index, self.members[index], ch))
        return out

    def encode(self, text: str) -> bytes:  # pragma: no cover - appearance code uses runs()
        return self.members[0].encode(text)

    def char_width(self, ch: str) -> float:
        return self.members[self._index(ch)].char_width(ch)

    def width(self, text: str, size: float) -> float:
        return sum(self.char_width(c) for c in text) * size / 1000.0

    @functools.cached_property
    def key(self) -> str:  # noqa: D102 - asked for every widget: computed once
        return "+".join(m.key for m in self.members)


def _needed(texts: list[str]) -> frozenset[str]:
    """Return the characters of `texts` that need a glyph (printable, not spaces)."""
    chars = set("".join(texts))
    unknown = chars - _INK - _BLANK
    if unknown and len(_INK) + len(_BLANK) < 65536:
        for c in unknown:
            (_INK if c.isprintable() and not c.isspace() else _BLANK).add(c)
    elif unknown:
        return frozenset(c for c in chars if c.isprintable() and not c.isspace())
    return frozenset(chars - _BLANK)


# characters already classified by `_needed`: the same few hundred recur in every fill
_INK: set[str] = set()
_BLANK: set[str] = set()


def pick_font(
    base_font: str | None, texts: list[str], *, allow_missing: bool = False, own: Font | None = None
) -> Font:
    """Return the font for `texts`: a standard font, the form's own font `own`, or a subset.

    Raise `MissingGlyphError` naming the characters no font covers, unless `allow_missing`.
    """
    if all(winansi_encodable(t) for t in texts):
        return _standard(base_font)
    needed = _needed(texts)
    if own is not None and all(own.covers(c) for c in needed):  # type: ignore[attr-defined]
        return own
    # the choice depends on these alone: made once per process, not once per widget
    key = (base_font, own, needed, allow_missing, os.environ.get("SC_DOCS_PDF_FONT", ""), _DEJAVU, _OTHER_LATIN, _CJK)
    font = _picked.get(key)
    if font is None:
        font = _pick_embedded(base_font, texts, needed, allow_missing)
        if len(_picked) >= 4096:
            _picked.clear()
        _picked[key] = font
    return font


_picked: dict[tuple[Any, ...], Font] = {}


@functools.lru_cache(maxsize=256)
def _standard(base_font: str | None) -> StandardFont:
    return StandardFont(standard_font_for(base_font))


def _pick_embedded(base_font: str | None, texts: list[str], needed: frozenset[str], allow_missing: bool) -> Font:
    """Return the embedded subset (or chain of subsets) drawing `needed`, the characters of `texts`."""
    style = style_of(base_font)
    paths = font_paths(style)
    if not paths:  # pragma: no cover - reportlab always ships Vera.ttf
        raise FormError("no TrueType font found to show non-Latin text; set SC_DOCS_PDF_FONT")
    for path in paths:
        if needed <= _coverage(path):
            return embedded_font(path, needed - _BASE_CHARS)
    # no one font has every character: a chain, each run of characters in the first font of
    # the fallback order that has them (Polish in DejaVu, Chinese in Noto Sans CJK)
    members: list[EmbeddedFont] = []
    left = set(needed)
    for path in paths:
        covered = left & _coverage(path)
        if covered:
            members.append(embedded_font(path, frozenset(covered) - _BASE_CHARS))
            left -= covered
    if left and not allow_missing:
        text = "".join(texts)
        raise MissingGlyphError("".join(sorted(left, key=text.index)))
    if len(members) == 1:
        return members[0]
    if not members:
        return embedded_font(paths[0], frozenset())
    return FontChain(tuple(members))


def preload(style: str = "") -> None:
    """Build the Latin subset every non-WinAnsi fill starts from, so a worker's first fill is fast."""
    paths = font_paths(style)
    if paths:
        embedded_font(paths[0], frozenset())


@functools.lru_cache(maxsize=64)
def embedded_font(path: str, extra: frozenset[str]) -> EmbeddedFont:
    """Return a cached subset of `path` holding the Latin base set plus `extra`."""
    return _subsets.shared(path, _BASE_CHARS | extra, _subset)


def _open(path: str, **kwargs: object) -> object:
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    if path.lower().endswith((".ttc", ".otc")):
        return TTFont(path, fontNumber=0, **kwargs)
    return TTFont(path, **kwargs)


@functools.lru_cache(maxsize=16)
def _coverage(path: str) -> frozenset[str]:
    font = _open(path, lazy=True)
    try:
        return frozenset(chr(cp) for cp in font.getBestCmap())  # type: ignore[attr-defined]
    finally:
        font.close()  # type: ignore[attr-defined]


def _subset(path: str, chars: frozenset[str]) -> EmbeddedFont:
    from fontTools import subset  # type: ignore[import-untyped]
    from fontTools.pens.boundsPen import BoundsPen  # type: ignore[import-untyped]

    logging.getLogger("fontTools").setLevel(logging.ERROR)
    font: Any = _open(path, recalcTimestamp=False)  # a fixed head.modified keeps output deterministic
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = [1, 2, 3, 4, 6]
    options.retain_gids = "CFF " in font  # CID-keyed CFF: keep glyph ids equal to the CIDs viewers look up
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "DSIG", "FFTM", "VORG", "vhea", "vmtx"]
    available = set(font.getBestCmap())
    unicodes = sorted(ord(c) for c in chars if ord(c) in available)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    cff = "CFF " in font
    buf = io.BytesIO()
    font.save(buf)
    raw = buf.getvalue()
    scale = 1000.0 / font["head"].unitsPerEm
    order = font.getGlyphOrder()
    metrics = font["hmtx"].metrics
    if cff:  # CID-keyed CFF: Identity-H codes are CIDs, named cidNNNNN in the glyph order
        code_of = {name: (int(name[3:]) if name.startswith("cid") else i) for i, name in enumerate(order)}
    else:
        code_of = {name: i for i, name in enumerate(order)}
    best = font.getBestCmap()
    cmap = {cp: code_of[name] for cp, name in best.items()}
    widths = {code_of[name]: round(metrics[name][0] * scale) for name in order}
    glyphs = font.getGlyphSet()
    top, bottom = 0.0, 0.0
    for name in set(best.values()):
        pen = BoundsPen(glyphs)
        glyphs[name].draw(pen)
        if pen.bounds:
            bottom = min(bottom, pen.bounds[1])
            top = max(top, pen.bounds[3])
    head = font["head"]
    ps_name = "SCDOCS+" + str(font["name"].getDebugName(6) or "Embedded").replace(" ", "")
    return EmbeddedFont(
        path=path,
        chars=chars,
        font_file=zlib.compress(raw, 6),
        font_file_length1=len(raw),
        cmap=cmap,
        widths=widths,
        ascent=(top or font["hhea"].ascent) * scale / 1000.0,
        descent=(bottom or font["hhea"].descent) * scale / 1000.0,
        bbox=(round(head.xMin * scale), round(head.yMin * scale), round(head.xMax * scale), round(head.yMax * scale)),
        ps_name=ps_name,
        cff=cff,
    )


def is_standard(name: str) -> bool:
    return name in _STANDARD
