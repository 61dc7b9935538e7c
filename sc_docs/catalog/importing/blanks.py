"""Find the fill-in blanks of a Word document and replace them by text, each in one run.

A blank is a run of underscores, a bracketed placeholder (`[Name of Scheduling Coordinator]`),
highlighted text, a legacy form field (FORMTEXT) or a content control. Each blank comes with the
words around it (`Hint`), so a caller can say what belongs there; `DocxBlanks.replace` then
writes the document back with the given text in place of each blank, in the run formatting the
blank had. Only the XML of the body, headers and footers is touched; other parts are copied.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from lxml import etree

from sc_docs.catalog.importing.propose import Hint
from sc_docs.errors import UnreadableFileError

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
Kind = Literal["underscores", "bracket", "highlight", "form_field", "content_control"]
_PARTS = re.compile(r"^word/(document|header\d*|footer\d*)\.xml$")
_TEXT_BLANK = re.compile(r"_{3,}|\[[^\[\]\n]{1,120}\]")
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
MAX_BYTES = 50 * 1024 * 1024
_NEW = "sc-docs-new"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass(frozen=True)
class Blank:
    """One blank: its number (in document order), kind, the text it had and the words around it."""

    number: int
    kind: Kind
    part: str
    text: str
    hint: Hint


def _owner(el: etree._Element) -> etree._Element | None:
    """The paragraph an element belongs to (the nearest `w:p` above it)."""
    parent = el.getparent()
    while parent is not None and parent.tag != w("p"):
        parent = parent.getparent()
    return parent


def _runs(p: etree._Element) -> list[etree._Element]:
    return [r for r in p.iter(w("r")) if _owner(r) is p]


def _run_text(r: etree._Element) -> str:
    return "".join(t.text or "" for t in r.iter(w("t")))


def paragraph_text(p: etree._Element) -> str:
    return "".join(_run_text(r) for r in _runs(p))


def _new_run(like: etree._Element | None) -> etree._Element:
    """A run holding one empty `w:t`, formatted as `like` (its `w:rPr` copied), highlight removed."""
    run = etree.Element(w("r"))
    rpr = like.find(w("rPr")) if like is not None else None
    if rpr is not None:
        copy = etree.fromstring(etree.tostring(rpr))
        for h in copy.findall(w("highlight")):
            copy.remove(h)
        run.append(copy)
    t = etree.SubElement(run, w("t"))
    t.set(XML_SPACE, "preserve")
    t.set(_NEW, "1")  # the caller's text: not escaped as the document's own text is
    return run


def escape_braces(text: str) -> str:
    """Write literal `{{ }} {% %}` of an official text so the template engine prints them as they are."""
    return text.replace("{{", "{_{").replace("}}", "}_}").replace("{%", "{_%").replace("%}", "%_}")


class DocxBlanks:
    """The blanks of one DOCX package, found on construction; `replace` writes the new package."""

    def __init__(self, data: bytes, name: str = "document") -> None:
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            self.entries = [(i, zf.read(i)) for i in zf.infolist()]
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise UnreadableFileError(f"not a Word document (.docx): {exc}", file=name) from None
        if sum(i.file_size for i, _ in self.entries) > 4 * MAX_BYTES:
            raise UnreadableFileError("the document unpacks to more than 200 MB; refusing it", file=name)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        self.trees: dict[str, etree._Element] = {}
        for info, raw in self.entries:
            if _PARTS.match(info.filename):
                try:
                    self.trees[info.filename] = etree.fromstring(raw, parser)
                except etree.XMLSyntaxError as exc:
                    raise UnreadableFileError(f"{info.filename} is not well-formed XML: {exc}", file=name) from None
        if "word/document.xml" not in self.trees:
            raise UnreadableFileError("not a Word document (.docx): it has no word/document.xml", file=name)
        self.blanks: list[Blank] = []
        self._apply: list[Callable[[str], None]] = []
        for part in sorted(self.trees, key=lambda n: (n != "word/document.xml", n)):
            self._scan(part, self.trees[part])

    # -- finding --------------------------------------------------------------------------------

    _lead = ""  # the label cell left of the paragraph being scanned, when it sits in a table

    def _label(self, left: str) -> str:
        return left if left.strip() else self._lead

    def _add(self, kind: Kind, part: str, text: str, hint: Hint, apply: Callable[[str], None]) -> None:
        self.blanks.append(Blank(len(self.blanks) + 1, kind, part, text, hint))
        self._apply.append(apply)

    def _scan(self, part: str, root: etree._Element) -> None:
        paragraphs = list(root.iter(w("p")))
        texts = [paragraph_text(p) for p in paragraphs]
        for i, p in enumerate(paragraphs):
            around = tuple(t for t in reversed(texts[max(0, i - 5):i]) if t.strip())
            below = next((t for t in texts[i + 1:i + 3] if t.strip()), "")
            self._lead = _cell_label(p)
            if self._lead:
                around = (self._lead, *around)
            self._controls(part, p, around, below)
            self._form_fields(part, p, around, below)
            self._text_blanks(part, p, around, below)

    def _controls(self, part: str, p: etree._Element, around: tuple[str, ...], below: str) -> None:
        """Content controls (`w:sdt`) inside paragraph `p`, and block controls holding only `p`."""
        for sdt in list(p.iter(w("sdt"))):
            if _owner(sdt) is not p:
                continue
            self._control(part, sdt, p, around, below)
        parent = p.getparent()
        if parent is not None and parent.tag == w("sdtContent") and len(parent.findall(w("p"))) == 1:
            sdt = parent.getparent()
            if sdt is not None and sdt.get("done") is None:
                self._control(part, sdt, p, around, below, block=True)

    def _control(
        self, part: str, sdt: etree._Element, p: etree._Element, around: tuple[str, ...], below: str, block: bool = False
    ) -> None:
        pr = sdt.find(w("sdtPr"))
        names = [] if pr is None else [e.get(w("val"), "") for e in (pr.find(w("alias")), pr.find(w("tag"))) if e is not None]
        if pr is not None and (pr.find(w("checkbox")) is not None or pr.find("{*}checkbox") is not None):
            return  # a check box holds a choice, not text
        content = sdt.find(w("sdtContent"))
        runs = [] if content is None else list(content.iter(w("r")))
        text = "".join(_run_text(r) for r in runs)
        left = _left_of(p, runs[0]) if runs and not block else ""
        hint = Hint(own=" ".join([*names, text]), label=self._label(left), caption=below, around=(left, *around))
        sdt.set("done", "1")

        placeholder = pr is not None and pr.find(w("showingPlcHdr")) is not None

        def apply(value: str) -> None:
            run = _new_run(runs[0] if runs else None)
            run.find(w("t")).text = value
            rpr = run.find(w("rPr"))
            if placeholder and rpr is not None:
                # Grey "Click here to enter text." styling belongs to the prompt, not the value.
                for el in [*rpr.findall(w("color")), *rpr.findall(w("rStyle"))]:
                    rpr.remove(el)
            if block and content is not None:
                para = content.find(w("p"))
                for r in _runs(para):
                    r.getparent().remove(r)
                para.append(run)
                sdt.addprevious(para)
            else:
                sdt.addprevious(run)
            sdt.getparent().remove(sdt)

        self._add("content_control", part, text, hint, apply)

    def _form_fields(self, part: str, p: etree._Element, around: tuple[str, ...], below: str) -> None:
        """Legacy text form fields: begin (with ffData) ... separate ... result ... end."""
        runs = _runs(p)
        i = 0
        while i < len(runs):
            fc = runs[i].find(w("fldChar"))
            if fc is None or fc.get(w("fldCharType")) != "begin" or fc.find(w("ffData")) is None:
                i += 1
                continue
            depth, j, instr, result, separated = 0, i, "", [], False
            while j < len(runs):
                c = runs[j].find(w("fldChar"))
                kind = c.get(w("fldCharType")) if c is not None else None
                depth += kind == "begin"
                depth -= kind == "end"
                if depth == 1 and kind == "separate":
                    separated = True
                elif depth >= 1 and kind is None:
                    if separated:
                        result.append(runs[j])
                    instr += "".join(t.text or "" for t in runs[j].iter(w("instrText")))
                if depth == 0:
                    break
                j += 1
            span = runs[i:j + 1]
            if "FORMTEXT" in instr or "FORMDROPDOWN" in instr:
                name_el = fc.find(f"{w('ffData')}/{w('name')}")
                help_el = fc.find(f"{w('ffData')}/{w('statusText')}")
                names = [e.get(w("val"), "") for e in (name_el, help_el) if e is not None]
                text = "".join(_run_text(r) for r in result)
                left = _left_of(p, span[0])
                hint = Hint(own=" ".join([*names, text]), label=self._label(left), caption=below, around=(left, *around))
                self._add("form_field", part, text, hint, _field_replacer(span, result))
            i = j + 1

    def _text_blanks(self, part: str, p: etree._Element, around: tuple[str, ...], below: str) -> None:
        """Underscores, bracketed placeholders and highlighted text in the plain runs of `p`."""
        holder = p.getparent()
        if holder is not None and holder.tag == w("sdtContent") and holder.getparent().get("done"):
            return  # the paragraph is a content control's, taken whole as one blank
        pieces: list[tuple[etree._Element, etree._Element, int]] = []  # (run, w:t, start offset)
        text = ""
        for r in _runs(p):
            if _inside(r, ("sdt", "fldSimple")) or r.find(w("fldChar")) is not None or r.find(w("instrText")) is not None:
                text += "\0"  # a field or control: never part of a text blank
                continue
            for t in r.iter(w("t")):
                pieces.append((r, t, len(text)))
                text += t.text or ""
        spans: list[tuple[int, int, Kind]] = [
            (m.start(), m.end(), "underscores" if m.group().startswith("_") else "bracket") for m in _TEXT_BLANK.finditer(text)
        ]
        start = None
        for r, t, off in [*pieces, (None, None, len(text))]:
            lit = r is not None and _highlighted(r) and (t.text or "").strip() != ""
            if lit and start is None:
                start = off
            elif not lit and start is not None:
                spans.append((start, off, "highlight"))
                start = None
        taken: list[tuple[int, int, Kind]] = []
        for s, e, kind in sorted(spans, key=lambda x: (x[0], -x[1])):
            if not taken or s >= taken[-1][1]:
                taken.append((s, e, kind))
        previous_end = 0
        for s, e, kind in taken:
            blank_text = text[s:e]
            label = text[previous_end:s].replace("\0", " ")
            after_end = next((s2 for s2, _, _ in taken if s2 >= e), len(text))
            after = text[e:after_end].replace("\0", " ")
            own = blank_text.strip("[]") if kind != "underscores" else ""
            caption = after if after.strip().startswith("(") else below
            hint = Hint(own=own, label=self._label(label), caption=caption, around=(text[:s].replace("\0", " "), *around))
            self._add(kind, part, blank_text, hint, _span_replacer(pieces, s, e))
            previous_end = e

    # -- replacing ------------------------------------------------------------------------------

    def replace(self, values: dict[int, str]) -> bytes:
        """Return the package with blank `n` replaced by `values[n]` (blanks not named stay).

        Text blanks are replaced from the end of each paragraph backwards, so earlier offsets
        stay valid; fields and controls are replaced as whole elements.
        """
        for number in sorted(values, reverse=True):
            self._apply[number - 1](values[number])
        for root in self.trees.values():
            for sdt in root.iter(w("sdt")):
                sdt.attrib.pop("done", None)
            for t in root.iter(w("t")):
                if t.attrib.pop(_NEW, None) is None and t.text:
                    t.text = escape_braces(t.text)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as out:
            for info, raw in self.entries:
                data = raw
                if info.filename in self.trees:
                    data = etree.tostring(self.trees[info.filename], xml_declaration=True, encoding="UTF-8", standalone=True)
                item = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
                item.external_attr = 0o644 << 16
                item.create_system = 3  # zipfile says 0 on Windows: the same bytes on every system
                item.compress_type = zipfile.ZIP_DEFLATED
                out.writestr(item, data)
        return buf.getvalue()


def _cell_label(p: etree._Element) -> str:
    """The text of the cell left of `p`'s cell (a form laid out as a table: label | blank)."""
    cell = p.getparent()
    if cell is None or cell.tag != w("tc") or cell.find(w("p")) is not p:
        return ""
    previous = cell.getprevious()
    while previous is not None and previous.tag != w("tc"):
        previous = previous.getprevious()
    return "" if previous is None else " ".join(paragraph_text(q) for q in previous.iter(w("p"))).strip()


def _inside(el: etree._Element, tags: tuple[str, ...]) -> bool:
    parent = el.getparent()
    while parent is not None and parent.tag != w("p"):
        if parent.tag in {w(t) for t in tags}:
            return True
        parent = parent.getparent()
    return False


def _highlighted(r: etree._Element) -> bool:
    h = r.find(f"{w('rPr')}/{w('highlight')}")
    return h is not None and h.get(w("val"), "none") != "none"


def _left_of(p: etree._Element, first: etree._Element) -> str:
    """The text of `p` before element `first` (the words that label a field or control)."""
    out = []
    for r in _runs(p):
        if r is first or first in r.iterancestors() or r in first.iterancestors():
            break
        if any(a is first for a in r.iterancestors()):
            break
        out.append(_run_text(r))
    return "".join(out)


def _field_replacer(span: list[etree._Element], result: list[etree._Element]) -> Callable[[str], None]:
    def apply(value: str) -> None:
        run = _new_run(result[0] if result else span[0])
        run.find(w("t")).text = value
        span[0].addprevious(run)
        for r in span:
            parent = r.getparent()
            if parent is not None:
                parent.remove(r)

    return apply


def _span_replacer(pieces: list[tuple[Any, Any, int]], start: int, end: int) -> Callable[[str], None]:
    """Put the new text where [start, end) was: in the first `w:t` it touches, dropping the rest."""

    def apply(value: str) -> None:
        first = True
        for run, t, off in pieces:
            old = t.text or ""
            lo, hi = max(start, off), min(end, off + len(old))
            if lo >= hi:
                continue
            head, tail = old[: lo - off], old[hi - off:]
            t.set(XML_SPACE, "preserve")
            if not first:
                t.text = tail
                continue
            first = False
            if not head and not tail:
                t.text = value
                t.set(_NEW, "1")
                if not tail:
                    for hl in run.findall(f"{w('rPr')}/{w('highlight')}"):
                        hl.getparent().remove(hl)
                continue
            # The words before the blank stay in their run; the new text gets a run of its own,
            # formatted alike, and the words after it another.
            t.text = head
            new = _new_run(run)
            new.find(w("t")).text = value
            run.addnext(new)
            if tail:
                rest = _new_run(run)
                rest.find(w("t")).text = tail
                new.addnext(rest)

    return apply
