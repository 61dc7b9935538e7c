"""Read the text of a DOCX the way verification needs it: paragraph by paragraph, in order.

One walker serves both sides of the comparison, so a template and a document made from it are
reduced to text by the very same rules:

- the text of `w:t`, `w:tab` (a tab), `w:br` / `w:cr` (a line break), hyphen elements;
- field results (`PAGE`, `NUMPAGES`, `w:fldSimple`) are skipped: a word processor recomputes them;
- pending tracked changes: the *original* text is kept (`w:delText` in, `w:ins` out), and each
  change is recorded with its offset so it can be reported as a deviation of its own;
- comment ranges and references are recorded, never part of the text;
- in a template (`tags=True`), the Jinja tags that docxtpl's preprocessing left between
  elements (`{%tr for %}`, `{%p if %}` become `{% ... %}` between rows and paragraphs) are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import re
from typing import Final

from lxml import etree

W: Final = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_TAG_RE: Final = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.DOTALL)


def q(name: str) -> str:
    return f"{{{W}}}{name}"


_P, _R, _T, _DELTEXT, _TAB, _BR, _CR = (q(n) for n in ("p", "r", "t", "delText", "tab", "br", "cr"))
_INS, _DEL, _MOVE_FROM, _MOVE_TO = (q(n) for n in ("ins", "del", "moveFrom", "moveTo"))
_FLDCHAR, _FLDSIMPLE, _INSTR = q("fldChar"), q("fldSimple"), q("instrText")
_NBH = q("noBreakHyphen")
_C_START, _C_END, _C_REF = q("commentRangeStart"), q("commentRangeEnd"), q("commentReference")
_PPR, _RPR, _TC = q("pPr"), q("rPr"), q("tc")
# Formatting that `--strict` compares; everything else in w:rPr (rsid, lang, proofing) is noise.
_RUN_FORMAT: Final = ("rStyle", "rFonts", "b", "i", "u", "strike", "dstrike", "caps", "smallCaps",
                      "sz", "color", "highlight", "vertAlign", "shd")


@dataclass(slots=True)
class Tracked:
    """A pending tracked change: `kind` is `inserted` or `deleted`; `offset` is in the original text."""

    kind: str
    text: str
    offset: int
    author: str | None = None
    date: str | None = None


@dataclass(slots=True)
class Paragraph:
    """One paragraph of a document: its original text and what was found around the text."""

    part: str  # document, header, footer, footnotes, endnotes
    index: int  # 1-based among the paragraphs of its part (empty ones counted)
    text: str = ""
    marker: bool = False  # the end of a table cell, not a paragraph
    tracked: list[Tracked] = field(default_factory=list)
    comments: list[tuple[str, int]] = field(default_factory=list)  # (comment id, offset)
    style: str | None = None
    align: str | None = None
    runs: list[str] = field(default_factory=list)  # formatting signature of each run with text

    @property
    def formatting(self) -> tuple[str | None, str | None, tuple[str, ...]]:
        merged: list[str] = []
        for sig in self.runs:
            if not merged or merged[-1] != sig:
                merged.append(sig)
        return (self.style, self.align, tuple(merged))


def _val(el: etree._Element | None) -> str | None:
    return None if el is None else el.get(q("val"))


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


class Walker:
    """Walk WordprocessingML in document order and collect paragraphs (or template source)."""

    def __init__(self, part: str, *, tags: bool = False) -> None:
        self.part = part
        self.tags = tags
        self.paragraphs: list[Paragraph] = []
        self.source: list[str] = []  # template mode: Jinja source, PARA after each paragraph
        self._cur: Paragraph | None = None
        self.count = 0  # paragraphs so far (cell markers not counted)
        self._field: list[str] = []  # stack of complex-field states: instr / result
        self._open_comments: dict[str, int] = {}
        self.comment_text: dict[str, str] = {}  # comment id -> anchored text
        self.comment_at: dict[str, tuple[str, int, int]] = {}  # id -> (part, paragraph, offset)

    # -- output --
    def _emit(self, text: str, *, inserted: bool = False, deleted: bool = False, author=None, date=None) -> None:
        if not text:
            return
        if self._field and self._field[-1] == "result":
            return
        p = self._cur
        if p is None:
            if self.tags:
                self.source.append(text)
            return
        if inserted:
            if p.tracked and p.tracked[-1].kind == "inserted" and p.tracked[-1].offset == len(p.text):
                p.tracked[-1].text += text
            else:
                p.tracked.append(Tracked("inserted", text, len(p.text), author, date))
            return
        if deleted:
            if p.tracked and p.tracked[-1].kind == "deleted" and p.tracked[-1].offset + len(p.tracked[-1].text) == len(p.text):
                p.tracked[-1].text += text
            else:
                p.tracked.append(Tracked("deleted", text, len(p.text), author, date))
        p.text += text
        if self.tags:
            self.source.append(text)
        for cid in self._open_comments:
            self.comment_text[cid] = self.comment_text.get(cid, "") + text

    def _loose_text(self, text: str | None) -> None:
        """Text outside `w:t`: only Jinja tags (template mode) matter."""
        if self.tags and text and "{" in text:
            for m in _TAG_RE.finditer(text):
                if self._cur is not None:
                    self._cur.text += m.group()
                self.source.append(m.group())

    # -- walking --
    def walk(self, el: etree._Element, change: tuple[str, str | None, str | None] | None = None) -> None:
        tag = el.tag
        if not isinstance(tag, str):
            return  # comments, processing instructions
        if tag == _P:
            self._paragraph(el, change)
            return
        if tag in (_INS, _MOVE_TO):
            change = ("inserted", el.get(q("author")), el.get(q("date")))
        elif tag in (_DEL, _MOVE_FROM):
            change = ("deleted", el.get(q("author")), el.get(q("date")))
        elif tag == _R:
            self._run(el, change)
            return
        elif tag == _FLDSIMPLE:
            self._field.append("result")
            self._children(el, change)
            self._field.pop()
            return
        elif tag in (_PPR, _RPR) or tag.endswith("}sectPr") or tag.endswith("}tblPr") or tag.endswith("}trPr") or tag.endswith("}tcPr"):
            return
        elif tag == _C_START:
            cid = el.get(q("id"), "")
            self._open_comments[cid] = 0
            self.comment_text.setdefault(cid, "")
            self._mark_comment(cid)
            return
        elif tag == _C_END:
            self._open_comments.pop(el.get(q("id"), ""), None)
            return
        elif tag == _TC:
            self._children(el, change)
            self._cell_end()
            return
        self._children(el, change)

    def _cell_end(self) -> None:
        """Mark where a table cell ends, so paragraphs of neighbouring cells are not confused."""
        if self._cur is not None:
            return
        if self.tags:
            self.source.append(CELL + PARA)
        else:
            self.paragraphs.append(Paragraph(self.part, self.count, CELL, marker=True))

    def _children(self, el: etree._Element, change) -> None:
        self._loose_text(el.text)
        for child in el:
            self.walk(child, change)
            self._loose_text(child.tail)

    def _mark_comment(self, cid: str) -> None:
        if cid not in self.comment_at and self._cur is not None:
            self.comment_at[cid] = (self.part, self._cur.index, len(self._cur.text))

    def _paragraph(self, el: etree._Element, change) -> None:
        outer = self._cur is None
        if outer:
            ppr = el.find(_PPR)
            self.count += 1
            self._cur = Paragraph(self.part, self.count)
            if ppr is not None:
                self._cur.style = _val(ppr.find(q("pStyle")))
                self._cur.align = _val(ppr.find(q("jc")))
            self.paragraphs.append(self._cur)
        elif self._cur is not None and self._cur.text and not self._cur.text.endswith(" "):
            self._cur.text += " "  # a nested paragraph (text box): keep words apart
        self._children(el, change)
        if outer:
            self._cur = None
            if self.tags:
                self.source.append(PARA)

    def _run(self, el: etree._Element, change) -> None:
        kind, author, date = change or (None, None, None)
        sig = run_signature(el.find(_RPR))
        had_text = False
        self._loose_text(el.text)
        for child in el:
            tag = child.tag
            if tag == _FLDCHAR:
                state = child.get(q("fldCharType"))
                if state == "begin":
                    self._field.append("instr")
                elif state == "separate" and self._field:
                    self._field[-1] = "result"
                elif state == "end" and self._field:
                    self._field.pop()
            elif tag in (_T, _DELTEXT):
                text = child.text or ""
                if tag == _DELTEXT and kind != "deleted":
                    kind, author, date = "deleted", author, date
                self._emit(text, inserted=kind == "inserted", deleted=kind == "deleted", author=author, date=date)
                shown = text if not self.tags or "{{" in text else _TAG_RE.sub("", text)
                had_text = had_text or bool(shown.strip())
            elif tag == _TAB:
                self._emit("\t", inserted=kind == "inserted", deleted=kind == "deleted", author=author, date=date)
            elif tag in (_BR, _CR):
                if child.get(q("type")) in (None, "textWrapping"):
                    self._emit("\n", inserted=kind == "inserted", deleted=kind == "deleted", author=author, date=date)
            elif tag == _NBH:
                self._emit("-", inserted=kind == "inserted", deleted=kind == "deleted", author=author, date=date)
            elif tag == _C_REF:
                self._mark_comment(child.get(q("id"), ""))
            elif tag == _RPR or tag == _INSTR:
                pass
            elif isinstance(tag, str):
                self.walk(child, change)  # drawings with text boxes, nested content
            self._loose_text(child.tail)
        if had_text and self._cur is not None and not (self._field and self._field[-1] == "result") and kind != "inserted":
            self._cur.runs.append(sig)


#: Marks the end of a paragraph in template source (a private-use character, not whitespace).
PARA: Final = "\ue000"
#: The text of the pseudo-paragraph that marks the end of a table cell.
CELL: Final = "\ue001"


def normalize(text: str) -> str:
    """Collapse white space (spaces, tabs, breaks, no-break spaces) the way comparison sees text."""
    return " ".join(text.replace("\u00a0", " ").split())
