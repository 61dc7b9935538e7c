"""Fonts for generated appearance streams: a standard PDF font when it can encode the text, else an
embedded TrueType subset.

The 14 standard fonts need no embedding but only encode WinAnsi (roughly Windows-1252). Anything
beyond that (Polish, Czech, Greek, Cyrillic ...) gets a Type0/Identity-H subset of a TrueType font
with a ToUnicode map, so it renders in every viewer and text extraction returns the value.
Subsets are cached per process: a batch embedding the same Latin letters pays for it once.
"""

from __future__ import annotations

import functools
import io
import logging
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path

# Searched in order; the first that exists and has the glyphs wins. reportlab always ships Vera.
_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/arial.ttf",
)

# Embedded subsets always include these, so that most Latin-script names share one cached subset.
_BASE_CHARS = frozenset(
    [chr(c) for c in range(0x20, 0x7F)]
    + [chr(c) for c in range(0xA0, 0x180)]
    + list("\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2022\u2026\u20ac\u2122")
)

_STANDARD = {"Helvetica", "Helvetica-Bold", "Times-Roman", "Times-Bold", "Courier", "Courier-Bold"}


def font_paths() -> list[str]:
    """Return the TrueType fonts to try, honouring `SC_DOCS_PDF_FONT` first."""
    paths = [os.environ.get("SC_DOCS_PDF_FONT", "")] + list(_CANDIDATES)
    try:
        import reportlab

        paths.append(str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"))
    except ImportError:  # pragma: no cover - reportlab is a dependency
        pass
    return [p for p in paths if p and os.path.isfile(p)]


def standard_font_for(base_font: str | None) -> str:
    """Map a form's font name (`/Helv`, `/TimesNewRoman,Bold`, ...) to a standard-14 font."""
    name = (base_font or "").lstrip("/").lower()
    bold = "bold" in name or name.endswith(("bd", "-b"))
    if "times" in name or name.startswith(("tiro", "tibo")) or "serif" in name and "sans" not in name:
        return "Times-Bold" if bold else "Times-Roman"
    if "cour" in name or "mono" in name:
        return "Courier-Bold" if bold else "Courier"
    return "Helvetica-Bold" if bold else "Helvetica"


def winansi_encodable(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class StandardFont:
    """A non-embedded standard-14 font with WinAnsiEncoding."""

    base: str
    ascent: float = 0.718
    descent: float = -0.207

    def encode(self, text: str) -> bytes:
        return text.encode("cp1252", errors="replace")

    def width(self, text: str, size: float) -> float:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        return float(stringWidth(text, self.base, size))

    @property
    def key(self) -> str:
        return self.base


@dataclass(frozen=True)
class EmbeddedFont:
    """A TrueType subset addressed by glyph id (Identity-H): two bytes per character."""

    path: str
    chars: frozenset[str]
    font_file: bytes  # Flate-compressed subset
    font_file_length1: int
    cmap: dict[int, int]  # code point -> glyph id
    widths: tuple[int, ...]  # per glyph id, in 1/1000 em
    ascent: float
    descent: float
    bbox: tuple[int, int, int, int]
    ps_name: str
    _width_cache: dict[str, float] = field(default_factory=dict, compare=False, hash=False)

    def encode(self, text: str) -> bytes:
        cmap = self.cmap
        return b"".join(cmap.get(ord(c), 0).to_bytes(2, "big") for c in text)

    def width(self, text: str, size: float) -> float:
        units = self._width_cache.get(text)
        if units is None:
            cmap, widths = self.cmap, self.widths
            units = float(sum(widths[cmap.get(ord(c), 0)] for c in text))
            if len(self._width_cache) < 4096:  # layout asks again and again for the same words
                self._width_cache[text] = units
        return units * size / 1000.0

    @property
    def key(self) -> str:
        return f"{self.path}:{len(self.chars)}:{hash(self.chars)}"

    def to_unicode(self) -> bytes:
        """Return a ToUnicode CMap so copying and text extraction give back the value."""
        by_gid: dict[int, int] = {}
        for cp, gid in sorted(self.cmap.items()):
            by_gid.setdefault(gid, cp)
        lines = []
        items = sorted(by_gid.items())
        for start in range(0, len(items), 100):
            chunk = items[start : start + 100]
            lines.append(b"%d beginbfchar" % len(chunk))
            for gid, cp in chunk:
                lines.append(b"<%04X> <%s>" % (gid, chr(cp).encode("utf-16-be").hex().upper().encode()))
            lines.append(b"endbfchar")
        return (
            b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            b"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
            + b"\n".join(lines)
            + b"\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
        )


def pick_font(base_font: str | None, texts: list[str]) -> StandardFont | EmbeddedFont:
    """Return the font for `texts`: the form's standard font if WinAnsi covers them, else a subset."""
    if all(winansi_encodable(t) for t in texts):
        return StandardFont(standard_font_for(base_font))
    needed = frozenset("".join(texts)) - _BASE_CHARS
    return embedded_font(frozenset(c for c in needed if c.isprintable()))


@functools.lru_cache(maxsize=64)
def embedded_font(extra: frozenset[str]) -> EmbeddedFont:
    """Return a cached subset holding the Latin base set plus `extra`, from the best font on disk."""
    paths = font_paths()
    if not paths:  # pragma: no cover - reportlab always ships Vera.ttf
        from sc_docs.errors import FormError

        raise FormError("no TrueType font found to show non-Latin text; set SC_DOCS_PDF_FONT")
    best = max(paths, key=lambda p: (len(extra & _coverage(p)), -paths.index(p)))
    return _subset(best, _BASE_CHARS | extra)


@functools.lru_cache(maxsize=8)
def _coverage(path: str) -> frozenset[str]:
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    with TTFont(path, lazy=True) as font:
        return frozenset(chr(cp) for cp in font.getBestCmap())


def _subset(path: str, chars: frozenset[str]) -> EmbeddedFont:
    from fontTools import subset  # type: ignore[import-untyped]
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    logging.getLogger("fontTools").setLevel(logging.ERROR)
    font = TTFont(path, recalcTimestamp=False)  # a fixed head.modified keeps output deterministic
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = [1, 2, 3, 4, 6]
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "DSIG", "FFTM"]
    available = set(font.getBestCmap())
    unicodes = sorted(ord(c) for c in chars if ord(c) in available)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    raw = buf.getvalue()
    scale = 1000.0 / font["head"].unitsPerEm
    order = font.getGlyphOrder()
    metrics = font["hmtx"].metrics
    gid_of = {name: i for i, name in enumerate(order)}
    cmap = {cp: gid_of[name] for cp, name in font.getBestCmap().items()}
    widths = tuple(round(metrics[name][0] * scale) for name in order)
    head = font["head"]
    hhea = font["hhea"]
    ps_name = "SCDOCS+" + str(font["name"].getDebugName(6) or "Embedded").replace(" ", "")
    return EmbeddedFont(
        path=path,
        chars=chars,
        font_file=zlib.compress(raw, 6),
        font_file_length1=len(raw),
        cmap=cmap,
        widths=widths,
        ascent=hhea.ascent * scale / 1000.0,
        descent=hhea.descent * scale / 1000.0,
        bbox=(
            round(head.xMin * scale),
            round(head.yMin * scale),
            round(head.xMax * scale),
            round(head.yMax * scale),
        ),
        ps_name=ps_name,
    )


def is_standard(name: str) -> bool:
    return name in _STANDARD
