"""A DOCX opened for reading: its text parts in a stable order, properties, comments, bindings.

Built on the DOCX engine's public reader (`sc_docs.engines.docx.reader`): bounded reads,
content-type classification, streamed parsing. Text parts of a returned document are streamed
and freed as they are read, so memory follows the text kept, not the XML's size.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Final

from lxml import etree

from sc_docs.engines.docx.reader import MAX_PART, DocxReader, clear_done
from sc_docs.errors import ScDocsError, TemplateError, UnreadableFileError

from .docread import Bound, Embedded, Paragraph, Walker, q, run_signature
from .visible import StyleSheet, colour

_CUSTOM: Final = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_DS: Final = "http://schemas.openxmlformats.org/officeDocument/2006/customXml"
#: Longest XPath of a content control's data binding that is evaluated.
_MAX_XPATH: Final = 1000
#: Most custom XML stores read for data bindings, and the largest one.
_MAX_STORES: Final = 16
_MAX_STORE_BYTES: Final = 4 * 1024 * 1024
#: Largest template part parsed whole (templates come from the catalog, not from counterparties).
_MAX_TEMPLATE_PART: Final = 32 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class CommentInfo:
    id: str
    author: str | None
    date: str | None
    text: str


@contextmanager
def _unreadable(label: str) -> Iterator[None]:
    """Report the engine's refusals of a document as an unreadable file (exit code 2)."""
    try:
        yield
    except TemplateError as exc:
        raise UnreadableFileError(exc.message, file=label) from None


class DocPackage:
    """The parts of a DOCX, read through the engine's bounded reader."""

    def __init__(self, data: bytes, label: str = "<docx>") -> None:
        self.label = label
        with _unreadable(label):
            self.reader = DocxReader(data, label)
            if "[Content_Types].xml" not in self.reader:
                raise UnreadableFileError("not a DOCX: [Content_Types].xml is missing", file=label)
            self._text_parts = self.reader.text_parts()
        self._xml: dict[str, etree._Element] = {}

    def text_parts(self) -> list[tuple[str, str]]:
        """Return `(part name, kind)` of every part holding text, the main document first."""
        return list(self._text_parts)

    def _part(self, name: str, limit: int = MAX_PART) -> etree._Element | None:
        """Return a small part parsed whole, or None if the package lacks it."""
        if name not in self.reader:
            return None
        if name not in self._xml:
            with _unreadable(self.label):
                self._xml[name] = self.reader.parse(name, limit)
        return self._xml[name]

    def xml(self, name: str) -> etree._Element:
        """Return part `name` parsed whole (templates: they are preprocessed as a tree)."""
        root = self._part(name, _MAX_TEMPLATE_PART)
        if root is None:
            raise UnreadableFileError(f"damaged DOCX: no part {name}", file=self.label)
        return root

    @cached_property
    def stylesheet(self) -> StyleSheet:
        return StyleSheet(self._part("word/styles.xml"))

    @cached_property
    def _walked(self) -> tuple[list[Paragraph], dict[str, tuple[str, int, int]], dict[str, str], list[Bound], list[Embedded]]:
        paragraphs: list[Paragraph] = []
        at: dict[str, tuple[str, int, int]] = {}
        anchored: dict[str, str] = {}
        bound: list[Bound] = []
        embedded: list[Embedded] = []
        counters: dict[str, int] = {}
        paper = self._paper()
        for name, kind in self._text_parts:
            walker = Walker(kind, styles=self.stylesheet, paper=paper)
            with _unreadable(self.label):
                try:
                    walker.feed(self.reader.iterparse(name), clear_done)
                except UnreadableFileError as exc:
                    raise UnreadableFileError(exc.message, file=exc.file or self.label) from None
            offset = counters.get(kind, 0)
            for p in walker.paragraphs:
                p.index += offset
            counters[kind] = offset + walker.count
            paragraphs.extend(walker.paragraphs)
            for cid, (part, index, off) in walker.comment_at.items():
                at.setdefault(cid, (part, index + offset, off))
            for cid, text in walker.comment_text.items():
                anchored[cid] = anchored.get(cid, "") + text
            for b in walker.bound:
                b.paragraph += offset
            for e in walker.embedded:
                e.paragraph += offset
            bound.extend(walker.bound)
            embedded.extend(walker.embedded)
        return paragraphs, at, anchored, bound, embedded

    def _paper(self) -> str | None:
        """The page colour, when the document sets one and Word would show it."""
        settings = self._part("word/settings.xml")
        shown = settings is not None and settings.find(q("displayBackgroundShape")) is not None
        if not shown:
            return None
        # Only the start of the main part is needed: w:background precedes the body.
        main = next(n for n, k in self._text_parts if k == "document")
        with _unreadable(self.label):
            for event, el in self.reader.iterparse(main):
                if event == "start" and el.tag == q("background"):
                    return colour(el.get(q("color")))
                if event == "start" and el.tag == q("body"):
                    break
        return None

    def paragraphs(self) -> list[Paragraph]:
        """Every paragraph of the text parts, in order (empty ones included)."""
        return self._walked[0]

    def embedded(self) -> list[Embedded]:
        """Embedded documents and objects (`w:altChunk`, `w:subDoc`, `w:object`) a reader sees."""
        return self._walked[4]

    def bindings(self) -> list[tuple[Bound, str | None]]:
        """Return each content control bound to custom XML with the value its binding holds.

        The value is None when the binding cannot be followed (no such store, a bad XPath, or
        more distinct stores than are read: each is parsed whole, so their number is capped).
        """
        bound = self._walked[3]
        wanted = {(b.store or "").strip("{}").upper() for b in bound}
        stores = self._stores(wanted) if bound else {}
        return [(b, _bound_value(stores.get((b.store or "").strip("{}").upper()), b)) for b in bound]

    def _stores(self, wanted: set[str]) -> dict[str, etree._Element]:
        """The custom XML parts named by `wanted` store ids (`customXml/itemPropsN.xml` names itemN.xml's)."""
        out: dict[str, etree._Element] = {}
        with _unreadable(self.label):
            for name in self.reader.names():
                m = re.fullmatch(r"customXml/itemProps(\d+)\.xml", name)
                item = f"customXml/item{m.group(1)}.xml" if m else ""
                if m is None or item not in self.reader or len(out) >= _MAX_STORES:
                    continue
                sid = self.reader.parse(name, _MAX_STORE_BYTES).get(f"{{{_DS}}}itemID", "").strip("{}").upper()
                if sid in wanted and sid not in out:
                    out[sid] = self.reader.parse(item, _MAX_STORE_BYTES)
        return out

    def comments(self) -> list[tuple[CommentInfo, tuple[str, int, int] | None, str]]:
        """Return each comment with where it is anchored and the text it covers."""
        name = next((n for n in self.reader.names() if n.startswith("word/comments") and n.endswith(".xml")
                     and "Extended" not in n and "Ids" not in n and "Extensible" not in n), None)
        root = self._part(name) if name else None
        if root is None:
            return []
        out = []
        _, at, anchored, _, _ = self._walked
        for c in root.iter(q("comment")):
            cid = c.get(q("id"), "")
            paras = ["".join(t.text or "" for t in p.iter(q("t"))) for p in c.iter(q("p"))]
            info = CommentInfo(cid, c.get(q("author")), c.get(q("date")), "\n".join(paras).strip())
            out.append((info, at.get(cid), anchored.get(cid, "")))
        return out

    def custom_properties(self) -> dict[str, str]:
        """Return the string custom properties (`docProps/custom.xml`), by name."""
        root = self._part("docProps/custom.xml")
        if root is None:
            return {}
        out: dict[str, str] = {}
        for prop in root.iter(f"{{{_CUSTOM}}}property"):
            name = prop.get("name")
            if name and len(prop):
                out[name] = (prop[0].text or "").strip()
        return out

    def default_paragraph_style(self) -> str | None:
        """Return the id of the style a paragraph without `w:pStyle` has (usually Normal)."""
        return self.stylesheet.default_paragraph

    def styles(self) -> dict[str, str]:
        """Return each paragraph or character style's formatting, canonical, by style id (strict)."""
        root = self._part("word/styles.xml")
        if root is None:
            return {}
        out: dict[str, str] = {}
        for st in root.iter(q("style")):
            sid = st.get(q("styleId"))
            if not sid:
                continue
            ppr = st.find(q("pPr"))
            jc = ppr.find(q("jc")) if ppr is not None else None
            based = st.find(q("basedOn"))
            out[sid] = "|".join([
                run_signature(st.find(q("rPr"))),
                "" if jc is None else f"jc={jc.get(q('val'))}",
                "" if based is None else f"basedOn={based.get(q('val'))}",
            ])
        return out


def _bound_value(store: etree._Element | None, bound: Bound) -> str | None:
    """Evaluate a data binding's XPath in its store: the text Word would show in the control."""
    if store is None or not bound.xpath or len(bound.xpath) > _MAX_XPATH:
        return None
    prefixes = dict(re.findall(r"xmlns:(\w+)=['\"]([^'\"]*)['\"]", bound.prefixes))
    try:
        found = store.xpath(bound.xpath, namespaces=prefixes)
    except (etree.XPathError, TypeError, ValueError):
        return None
    if isinstance(found, list):
        if not found:
            return None
        first = found[0]
        return first if isinstance(first, str) else "".join(first.itertext()) if isinstance(first, etree._Element) else str(first)
    return str(found)


def open_package(data: bytes, label: str = "<docx>") -> DocPackage:
    """Open `data` as a DOCX; anything that is not one raises `UnreadableFileError` (exit 2)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise UnreadableFileError("expected the bytes of a DOCX file", file=label)
    try:
        return DocPackage(bytes(data), label)
    except ScDocsError as exc:
        if isinstance(exc, TemplateError):
            raise UnreadableFileError(exc.message, file=label) from None
        raise
    except (ValueError, KeyError) as exc:
        raise UnreadableFileError(f"damaged DOCX: {exc}", file=label) from None
