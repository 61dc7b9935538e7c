"""Whether a run of text can be seen: the formatting a reader's eye depends on.

A returned agreement can keep the pro forma's words in its XML while no viewer shows them:
`w:vanish` / `w:specVanish`, text the colour of its background, text of 2 points or less, a text
box placed beyond any page. Verification reads such text as deleted, and reports it. The run's
effective formatting is resolved as Word does: document defaults, then the paragraph style (and
its `basedOn` chain), then the character style, then the run's own properties.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Final

from lxml import etree

W: Final = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#: Text this size or smaller (in half-points: 4 is 2 pt) cannot be read on a printed page.
TINY_HALF_POINTS: Final = 4
#: A text box further than this from the page origin (in EMU, 22 inches: beyond A3 and
#: tabloid) is off any page.
FAR_EMU: Final = 22 * 914400
_EMU_PER: Final = {"pt": 12700, "in": 914400, "cm": 360000, "mm": 36000, "px": 9525, "emu": 1}
_TOGGLE_OFF: Final = {"0", "false", "off"}
_NAMED: Final = {"black": "000000", "white": "FFFFFF", "yellow": "FFFF00", "green": "00FF00", "cyan": "00FFFF",
                 "magenta": "FF00FF", "blue": "0000FF", "red": "FF0000", "darkBlue": "000080",
                 "darkCyan": "008080", "darkGreen": "008000", "darkMagenta": "800080", "darkRed": "800000",
                 "darkYellow": "808000", "darkGray": "808080", "lightGray": "C0C0C0"}
_HEX: Final = re.compile(r"[0-9A-Fa-f]{6}")


def q(name: str) -> str:
    return f"{{{W}}}{name}"


@dataclass(frozen=True, slots=True)
class Look:
    """The visible-ness of a run's formatting; `None` means not set at this level."""

    vanish: bool | None = None
    spec_vanish: bool | None = None
    color: str | None = None  # RRGGBB, or "auto"
    size: int | None = None  # half-points
    background: str | None = None  # RRGGBB of the run's shading or highlight

    def over(self, base: Look) -> Look:
        """Return this look with what it leaves unset taken from `base`."""
        return Look(base.vanish if self.vanish is None else self.vanish,
                    base.spec_vanish if self.spec_vanish is None else self.spec_vanish,
                    base.color if self.color is None else self.color,
                    base.size if self.size is None else self.size,
                    base.background if self.background is None else self.background)


def _toggle(rpr: etree._Element, name: str) -> bool | None:
    el = rpr.find(q(name))
    if el is None:
        return None
    return el.get(q("val"), "true").lower() not in _TOGGLE_OFF


def colour(value: str | None) -> str | None:
    """Return `value` as RRGGBB (named highlight colours included), "auto", or None."""
    if value is None:
        return None
    if value == "auto":
        return "auto"
    if value in _NAMED:
        return _NAMED[value]
    return value.upper() if _HEX.fullmatch(value) else None


def shading(el: etree._Element | None) -> str | None:
    """Return the fill colour of a `w:shd`, None when it has none."""
    if el is None:
        return None
    fill = colour(el.get(q("fill")))
    return None if fill in (None, "auto") else fill


def look_of(rpr: etree._Element | None) -> Look:
    """Return what a `w:rPr` says about visibility."""
    if rpr is None:
        return Look()
    color_el = rpr.find(q("color"))
    size_el = rpr.find(q("sz"))
    size = None
    if size_el is not None:
        try:
            size = int(float(size_el.get(q("val"), "")))
        except ValueError:
            size = None
    highlight = rpr.find(q("highlight"))
    back = shading(rpr.find(q("shd")))
    if back is None and highlight is not None and highlight.get(q("val")) not in (None, "none"):
        back = colour(highlight.get(q("val")))
    return Look(_toggle(rpr, "vanish"), _toggle(rpr, "specVanish"),
                colour(color_el.get(q("val"))) if color_el is not None else None, size, back)


def _luminance(rgb: str) -> float:
    r, g, b = (int(rgb[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@lru_cache(maxsize=4096)
def hidden_reason(look: Look, paper: str | None = None) -> str | None:
    """Return why text with `look` cannot be seen on `paper` (RRGGBB, default white), or None."""
    if look.vanish:
        return "hidden (w:vanish)"
    if look.spec_vanish:
        return "hidden (w:specVanish)"
    if look.size is not None and look.size <= TINY_HALF_POINTS:
        return f"too small to read ({look.size / 2:g} pt)"
    back = look.background or paper or "FFFFFF"
    if look.color not in (None, "auto") and back != "auto" and abs(_luminance(look.color) - _luminance(back)) < 0.08:
        return f"the colour of its background (#{look.color} on #{back})"
    return None


class StyleSheet:
    """The visibility-relevant formatting of a document's styles (`word/styles.xml`)."""

    def __init__(self, root: etree._Element | None = None) -> None:
        self._own: dict[str, tuple[Look, str | None]] = {}
        self._resolved: dict[str, Look] = {}
        self._runs: dict[tuple[str | None, str | None, Look], Look] = {}
        self.defaults = Look()
        self.default_paragraph: str | None = None
        if root is None:
            return
        rpr = root.find(f"{q('docDefaults')}/{q('rPrDefault')}/{q('rPr')}")
        self.defaults = look_of(rpr)
        for st in root.iter(q("style")):
            sid = st.get(q("styleId"))
            if not sid:
                continue
            based = st.find(q("basedOn"))
            self._own[sid] = (look_of(st.find(q("rPr"))), None if based is None else based.get(q("val")))
            if st.get(q("type")) == "paragraph" and st.get(q("default")) in ("1", "true", "on"):
                self.default_paragraph = sid

    def style(self, sid: str | None) -> Look:
        """Return the look a style gives, through its `basedOn` chain (cycles cut)."""
        if sid is None or sid not in self._own:
            return Look()
        hit = self._resolved.get(sid)
        if hit is None:
            look, seen, cur = Look(), set(), sid
            while cur is not None and cur in self._own and cur not in seen:
                seen.add(cur)
                own, cur = self._own[cur]
                look = look.over(own)
            self._resolved[sid] = hit = look
        return hit

    def run(self, paragraph_style: str | None, direct: etree._Element | None) -> Look:
        """Return the effective look of a run in a paragraph of `paragraph_style` with `direct` rPr."""
        rstyle = None
        if direct is not None:
            el = direct.find(q("rStyle"))
            rstyle = None if el is None else el.get(q("val"))
        own = look_of(direct)
        key = (paragraph_style, rstyle, own)
        hit = self._runs.get(key)
        if hit is None:
            hit = own.over(self.style(rstyle)).over(self.style(paragraph_style or self.default_paragraph)).over(self.defaults)
            if len(self._runs) < 65536:
                self._runs[key] = hit
        return hit


def with_background(look: Look, back: str | None) -> Look:
    """Return `look` over a paragraph's or cell's shading, when the run has none of its own."""
    return look if look.background is not None or back is None else replace(look, background=back)


def emu(length: str) -> int | None:
    """Return a VML/CSS length (`-900pt`, `3in`, `12700`) in EMU, None if unreadable."""
    m = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*([a-z]*)\s*", length)
    if m is None:
        return None
    factor = _EMU_PER.get(m.group(2) or "emu")
    return None if factor is None else int(float(m.group(1)) * factor)


def off_page(offset: int | None, extent: int | None) -> bool:
    """True if a box at `offset` (EMU) of size `extent` lies wholly outside any page."""
    if offset is None:
        return False
    return offset >= FAR_EMU or (offset < 0 and offset + max(extent or 0, 0) <= 0)


def vml_off_page(style: str) -> bool:
    """True if a VML shape's `style` places it beyond any page."""
    props = dict(p.split(":", 1) for p in style.split(";") if ":" in p)
    props = {k.strip().lower(): v.strip() for k, v in props.items()}
    for pos, size in (("margin-left", "width"), ("margin-top", "height"), ("left", "width"), ("top", "height")):
        if pos in props and off_page(emu(props[pos]), emu(props.get(size, "0"))):
            return True
    return False


# Formatting that `--strict` compares; everything else in w:rPr (rsid, lang, proofing) is noise.
_RUN_FORMAT: Final = ("rStyle", "rFonts", "b", "i", "u", "strike", "dstrike", "caps", "smallCaps",
                      "sz", "color", "highlight", "vertAlign", "shd")


def run_signature(rpr: etree._Element | None) -> str:
    """Return the formatting of a run as a short canonical string (empty: plain)."""
    if rpr is None:
        return ""
    bits = []
    for name in _RUN_FORMAT:
        el = rpr.find(q(name))
        if el is None:
            continue
        attrs = sorted((k.rpartition("}")[2], v) for k, v in el.attrib.items()
                       if not k.rpartition("}")[2].endswith(("Theme", "rsid")) and k.rpartition("}")[2] != "hint")
        if name in ("b", "i", "caps", "smallCaps", "strike", "dstrike") and dict(attrs).get("val") in ("0", "false", "off"):
            continue
        bits.append(name + ("(" + ",".join(f"{k}={v}" for k, v in attrs) + ")" if attrs else ""))
    return ";".join(bits)
