"""Read the text of a DOCX as a reader sees it: paragraph by paragraph, in order.

One walker serves both sides of the comparison, so a template and a document made from it are
reduced to text by the very same rules. It consumes `("start" | "end", element)` events, from a
streamed parse of a returned document (elements are freed as soon as they are read) or from a
template's tree:

- the text of `w:t`, `w:tab` (a tab), `w:br` / `w:cr` (a line break), hyphen elements;
- field results are text, as every viewer shows them (`w:fldSimple`, complex `w:fldChar`
  fields), except the page numbers (`PAGE`, `NUMPAGES`, `SECTIONPAGES`) a word processor redraws;
- text a reader cannot see (`visible`: vanished, white on white, tiny, in a text box off the page)
  is not text: it is recorded apart, to be reported;
- pending tracked changes: the *original* text is kept (`w:delText` in, `w:ins` out), and each
  change is recorded with its offset so it can be reported as a deviation of its own;
- comment ranges and references are recorded, never part of the text; content controls bound to
  custom XML and embedded documents (`w:altChunk`, `w:subDoc`, `w:object`) are recorded;
- in a template (`tags=True`), the Jinja tags that docxtpl's preprocessing left between
  elements (`{%tr for %}`, `{%p if %}` become `{% ... %}` between rows and paragraphs) are kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Final

from lxml import etree

from sc_docs.errors import UnreadableFileError

from .visible import Look, StyleSheet, run_signature, hidden_reason, off_page, shading, vml_off_page, with_background

W: Final = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_WP: Final = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_VML: Final = "urn:schemas-microsoft-com:vml"
_REL: Final = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TAG_RE: Final = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.DOTALL)
#: Fields whose result a word processor recomputes on every page: not text of the agreement.
PAGE_FIELDS: Final = frozenset({"PAGE", "NUMPAGES", "SECTIONPAGES"})
#: Most paragraphs one part may hold (the agreements have about 1,000).
MAX_PARAGRAPHS: Final = 200_000
#: Most characters of text kept from one part.
MAX_TEXT: Final = 16 * 1024 * 1024


def q(name: str) -> str:
    return f"{{{W}}}{name}"


_P, _R, _T, _DELTEXT, _TAB, _BR, _CR = (q(n) for n in ("p", "r", "t", "delText", "tab", "br", "cr"))
_INS, _DEL, _MOVE_FROM, _MOVE_TO = (q(n) for n in ("ins", "del", "moveFrom", "moveTo"))
_FLDCHAR, _FLDSIMPLE, _INSTR = q("fldChar"), q("fldSimple"), q("instrText")
_NBH = q("noBreakHyphen")
_C_START, _C_END, _C_REF = q("commentRangeStart"), q("commentRangeEnd"), q("commentReference")
_PPR, _RPR, _TC, _TCPR = q("pPr"), q("rPr"), q("tc"), q("tcPr")
_SDT, _BINDING = q("sdt"), q("dataBinding")
_EMBEDDED: Final = {q("altChunk"): "altChunk", q("subDoc"): "subDoc", q("object"): "embedded object"}
_SKIP: Final = frozenset({_PPR, _RPR, q("sectPr"), q("tblPr"), q("trPr"), _TCPR})
_NOTES: Final = frozenset({q("footnote"), q("endnote")})
_NOTE_SKIP: Final = frozenset({"separator", "continuationSeparator", "continuationNotice"})
_ANCHOR, _POS_OFFSET, _EXTENT = f"{{{_WP}}}anchor", f"{{{_WP}}}posOffset", f"{{{_WP}}}extent"
_POS_H, _POS_V = f"{{{_WP}}}positionH", f"{{{_WP}}}positionV"
_LEAF_TEXT: Final = frozenset({_T, _DELTEXT, _INSTR})
@dataclass(slots=True)
class Tracked:
    """A pending tracked change (`inserted` / `deleted`) or text no one can see (`hidden`).

    `offset` is in the paragraph's text; `reason` says why hidden text cannot be seen.
    """

    kind: str
    text: str
    offset: int
    author: str | None = None
    date: str | None = None
    reason: str | None = None


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
    hidden: list[Tracked] = field(default_factory=list)  # text a reader cannot see

    @property
    def formatting(self) -> tuple[str | None, str | None, tuple[str, ...]]:
        merged: list[str] = []
        for sig in self.runs:
            if not merged or merged[-1] != sig:
                merged.append(sig)
        return (self.style, self.align, tuple(merged))


@dataclass(slots=True)
class Bound:
    """A content control bound to custom XML: what it shows and where its value lives."""

    part: str
    paragraph: int
    xpath: str
    store: str | None
    prefixes: str
    shown: str


@dataclass(slots=True)
class Embedded:
    """Content a word processor shows but that is not WordprocessingML text here."""

    part: str
    paragraph: int
    kind: str
    target: str | None


def _val(el: etree._Element | None) -> str | None:
    return None if el is None else el.get(q("val"))


class _Text:
    """Pieces of a growing string, joined once: appending stays linear in the total size."""

    __slots__ = ("pieces", "size", "last")

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.size = 0
        self.last = ""

    def add(self, text: str) -> None:
        self.pieces.append(text)
        self.size += len(text)
        self.last = text[-1]

    def value(self) -> str:
        return "".join(self.pieces)


@dataclass(slots=True)
class _RunState:
    kind: str | None
    author: str | None
    date: str | None
    look: Look
    sig: str = ""
    had_text: bool = False
    hidden: str | None = None  # why its text cannot be seen (None: it can)


@dataclass(slots=True)
class _ParaState:
    outer: bool
    style: str | None = None
    shade: str | None = None


class Walker:
    """Collect paragraphs (or template source) from parse events of one part."""

    def __init__(self, part: str, *, tags: bool = False, styles: StyleSheet | None = None,
                 paper: str | None = None) -> None:
        self.part = part
        self.tags = tags
        self.styles = styles or StyleSheet()
        self.paper = paper
        self.paragraphs: list[Paragraph] = []
        self.source: list[str] = []  # template mode: Jinja source, PARA after each paragraph
        self.count = 0  # paragraphs so far (cell markers not counted)
        self.comment_at: dict[str, tuple[str, int, int]] = {}  # id -> (part, paragraph, offset)
        self.bound: list[Bound] = []
        self.embedded: list[Embedded] = []
        self._comment_text: dict[str, _Text] = {}
        self._open_comments: dict[str, int] = {}
        self._cur: Paragraph | None = None
        self._buf = _Text()
        self._track: list[list] = []  # [Tracked, pieces] of the current paragraph
        self._paras: list[_ParaState] = []
        self._changes: list[tuple[str, str | None, str | None]] = []
        self._runs: list[_RunState] = []
        self._fields: list[list] = []  # [state "instr"/"result", instruction, shown?]
        self._anchors: list[dict[str, int | bool | None]] = []
        self._cells: list[str | None] = []
        self._sdts: list[list] = []  # [binding or None, _Text]
        self._skip = 0
        self._size = 0

    @property
    def comment_text(self) -> dict[str, str]:
        """Comment id -> the text its range covers."""
        return {cid: t.value() for cid, t in self._comment_text.items()}

    # -- feeding --
    def feed(self, events: Iterable[tuple[str, etree._Element]],
             clear: Callable[[etree._Element], None] | None = None) -> None:
        """Consume parse events; `clear(el)` (optional) frees an element once it is read."""
        for event, el in events:
            done = self.start(el) if event == "start" else self.end(el)
            if done and clear is not None and event == "end":
                clear(el)

    def walk(self, root: etree._Element) -> None:
        """Read a parsed tree (a template part) with the same rules."""
        self.feed(etree.iterwalk(root, events=("start", "end")))

    # -- output --
    def _grow(self, n: int) -> None:
        self._size += n
        if self._size > MAX_TEXT:
            raise UnreadableFileError(f"too large to verify: {self.part} holds more than {MAX_TEXT:,} characters of text")

    def _emit(self, text: str, run: _RunState | None) -> None:
        if not text:
            return
        if self._fields and self._in_page_number():
            return  # a page number
        p = self._cur
        if p is None:
            if self.tags:
                self.source.append(text)
            return
        kind, author, date = (run.kind, run.author, run.date) if run else (None, None, None)
        reason = run.hidden if run is not None else self._hidden(None)
        if reason is not None:
            if text.strip() or p.hidden:
                self._grow(len(text))
                self._track_piece("hidden", text, None, None, reason, p.hidden)
            return
        self._grow(len(text))
        if kind == "inserted":
            self._track_piece("inserted", text, author, date, None, p.tracked)
            return
        if kind == "deleted":
            self._track_piece("deleted", text, author, date, None, p.tracked)
        self._buf.add(text)
        if self.tags:
            self.source.append(text)
        for cid in self._open_comments:
            self._comment_text.setdefault(cid, _Text()).add(text)
        for binding, shown in self._sdts:
            if binding is not None:
                shown.add(text)
        if run is not None and text.strip():
            run.had_text = True

    def _track_piece(self, kind: str, text: str, author: str | None, date: str | None, reason: str | None,
                     into: list[Tracked]) -> None:
        at = self._buf.size
        last = self._track[-1] if self._track else None
        if last is not None and last[0].kind == kind and last[0].reason == reason and last[2] is into and (
                last[0].offset == at if kind != "deleted" else last[0].offset + last[3] == at):
            last[1].append(text)
            last[3] += len(text)
            return
        item = Tracked(kind, "", at, author, date, reason)
        into.append(item)
        self._track.append([item, [text], into, len(text)])

    def _in_page_number(self) -> bool:
        return any(f[0] == "result" and not f[2] for f in self._fields)

    def _hidden(self, run: _RunState | None) -> str | None:
        if any(a.get("off") for a in self._anchors):
            return "in a text box placed off the page"
        if run is None:
            return None
        back = next((c for c in reversed(self._cells) if c), None)
        para = self._paras[-1].shade if self._paras else None
        return hidden_reason(with_background(run.look, para or back), self.paper)

    def _loose(self, text: str | None) -> None:
        """Text outside `w:t`: only Jinja tags (template mode) matter."""
        if self.tags and text and "{" in text:
            for m in _TAG_RE.finditer(text):
                if self._cur is not None:
                    self._buf.add(m.group())
                self.source.append(m.group())

    # -- events --
    def start(self, el: etree._Element) -> bool:
        tag = el.tag
        if self._skip:
            self._skip += 1
            return False
        if not isinstance(tag, str):
            return True
        if tag in _SKIP or (tag in _NOTES and el.get(q("type")) in _NOTE_SKIP):
            self._skip = 1
            return False
        if tag == _P:
            self._start_paragraph()
        elif tag in (_INS, _MOVE_TO):
            self._changes.append(("inserted", el.get(q("author")), el.get(q("date"))))
        elif tag in (_DEL, _MOVE_FROM):
            self._changes.append(("deleted", el.get(q("author")), el.get(q("date"))))
        elif tag == _R:
            kind, author, date = self._changes[-1] if self._changes else (None, None, None)
            style = self._paras[-1].style if self._paras else None
            run = _RunState(kind, author, date, self.styles.run(style, None))
            run.hidden = self._hidden(run)
            self._runs.append(run)
        elif tag == _FLDSIMPLE:
            self._fields.append(["result", el.get(q("instr"), ""), None])
            self._fields[-1][2] = _shown(self._fields[-1][1])
        elif tag == _FLDCHAR:
            self._field_char(el.get(q("fldCharType")))
        elif tag == _C_START:
            cid = el.get(q("id"), "")
            self._open_comments[cid] = 0
            self._comment_text.setdefault(cid, _Text())
            self._mark_comment(cid)
        elif tag == _C_END:
            self._open_comments.pop(el.get(q("id"), ""), None)
        elif tag == _C_REF:
            self._mark_comment(el.get(q("id"), ""))
        elif tag == _TC:
            self._cells.append(None)
        elif tag == _ANCHOR:
            self._anchors.append({"off": False, "h": None, "v": None})
        elif tag.startswith(f"{{{_VML}}}"):
            self._anchors.append({"off": vml_off_page(el.get("style") or "")})
        elif tag == _SDT:
            self._sdts.append([None, _Text()])
        elif tag in _EMBEDDED:
            self.embedded.append(Embedded(self.part, self.count, _EMBEDDED[tag], el.get(f"{{{_REL}}}id")))
        if tag not in _LEAF_TEXT:
            if self.tags:
                self._loose(el.text)
        return True

    def end(self, el: etree._Element) -> bool:
        tag = el.tag
        if self._skip:
            self._skip -= 1
            if self._skip:
                return False
            self._end_skipped(el)
            self._loose(el.tail)
            return True
        if not isinstance(tag, str):
            return True
        run = self._runs[-1] if self._runs else None
        if tag in (_T, _DELTEXT) and run is not None:
            if tag == _DELTEXT and run.kind != "deleted":
                run.kind = "deleted"
            self._emit(el.text or "", run)
        elif tag == _INSTR:
            if self._fields and self._fields[-1][0] == "instr":
                self._fields[-1][1] += el.text or ""
        elif tag == _TAB and run is not None:
            self._emit("\t", run)
        elif tag in (_BR, _CR) and run is not None:
            if el.get(q("type")) in (None, "textWrapping"):
                self._emit("\n", run)
        elif tag == _NBH and run is not None:
            self._emit("-", run)
        elif tag == _R and run is not None:
            self._runs.pop()
            fields_ok = not self._fields or not self._in_page_number()
            if run.had_text and self._cur is not None and fields_ok and run.kind != "inserted":
                self._cur.runs.append(run.sig)
        elif tag == _P:
            self._end_paragraph()
        elif tag in (_INS, _MOVE_TO, _DEL, _MOVE_FROM):
            if self._changes:
                self._changes.pop()
        elif tag == _FLDSIMPLE:
            if self._fields:
                self._fields.pop()
        elif tag == _TC:
            self._cells.pop()
            self._cell_end()
        elif tag == _POS_OFFSET and self._anchors:
            parent = el.getparent()
            which = "h" if parent is not None and parent.tag == _POS_H else "v" if parent is not None and parent.tag == _POS_V else None
            if which:
                self._anchors[-1][which] = _int(el.text)
        elif tag == _EXTENT and self._anchors:
            a = self._anchors[-1]
            a["off"] = off_page(a.get("h"), _int(el.get("cx"))) or off_page(a.get("v"), _int(el.get("cy")))  # type: ignore[arg-type]
        elif tag == _ANCHOR or tag.startswith(f"{{{_VML}}}"):
            if self._anchors:
                self._anchors.pop()
        elif tag == _BINDING and self._sdts:
            self._sdts[-1][0] = (el.get(q("xpath")) or "", el.get(q("storeItemID")), el.get(q("prefixMappings")) or "")
        elif tag == _SDT and self._sdts:
            binding, shown = self._sdts.pop()
            if binding is not None:
                self.bound.append(Bound(self.part, self.count, binding[0], binding[1], binding[2], shown.value()))
        if self.tags:
            self._loose(el.tail)
        return True

    def _end_skipped(self, el: etree._Element) -> None:
        """Read the property elements whose content matters: paragraph, run and cell formatting."""
        parent = el.getparent()
        if el.tag == _RPR and parent is not None and parent.tag == _R and self._runs:
            run = self._runs[-1]
            run.sig = run_signature(el)
            run.look = self.styles.run(self._paras[-1].style if self._paras else None, el)
            run.hidden = self._hidden(run)
        elif el.tag == _PPR and self._paras:
            state = self._paras[-1]
            state.style = _val(el.find(q("pStyle")))
            state.shade = shading(el.find(q("shd")))
            if state.outer and self._cur is not None:
                self._cur.style = state.style
                self._cur.align = _val(el.find(q("jc")))
        elif el.tag == _TCPR and self._cells:
            self._cells[-1] = shading(el.find(q("shd")))

    def _field_char(self, state: str | None) -> None:
        if state == "begin":
            self._fields.append(["instr", "", True])
        elif state == "separate" and self._fields:
            self._fields[-1][0] = "result"
            self._fields[-1][2] = _shown(self._fields[-1][1])
        elif state == "end" and self._fields:
            self._fields.pop()

    def _cell_end(self) -> None:
        """Mark where a table cell ends, so paragraphs of neighbouring cells are not confused."""
        if self._cur is not None:
            return
        if self.tags:
            self.source.append(CELL + PARA)
        else:
            self.paragraphs.append(Paragraph(self.part, self.count, CELL, marker=True))

    def _mark_comment(self, cid: str) -> None:
        if cid not in self.comment_at and self._cur is not None:
            self.comment_at[cid] = (self.part, self._cur.index, self._buf.size)

    def _start_paragraph(self) -> None:
        outer = self._cur is None
        self._paras.append(_ParaState(outer, self._paras[-1].style if self._paras else None))
        if outer:
            self.count += 1
            if self.count > MAX_PARAGRAPHS:
                raise UnreadableFileError(f"too large to verify: {self.part} holds more than {MAX_PARAGRAPHS:,} paragraphs")
            self._cur = Paragraph(self.part, self.count)
            self._buf = _Text()
            self._track = []
            self.paragraphs.append(self._cur)
        elif self._buf.size and self._buf.last != " ":
            self._buf.add(" ")  # a nested paragraph (text box): keep words apart

    def _end_paragraph(self) -> None:
        state = self._paras.pop() if self._paras else _ParaState(True)
        if not state.outer or self._cur is None:
            return
        self._cur.text = self._buf.value()
        for item, pieces, _, _ in self._track:
            item.text = "".join(pieces)
        self._cur = None
        self._track = []
        if self.tags:
            self.source.append(PARA)


def _shown(instruction: str) -> bool:
    """True unless a field's result is a page number (recomputed, not the agreement's text)."""
    words = instruction.split()
    return not words or words[0].upper() not in PAGE_FIELDS


def _int(text: str | None) -> int | None:
    try:
        return int((text or "").strip())
    except ValueError:
        return None


#: Marks the end of a paragraph in template source (a private-use character, not whitespace).
PARA: Final = "\ue000"
#: The text of the pseudo-paragraph that marks the end of a table cell.
CELL: Final = "\ue001"


def normalize(text: str) -> str:
    """Collapse white space (spaces, tabs, breaks, no-break spaces) the way comparison sees text."""
    return " ".join(text.replace("\u00a0", " ").split())
