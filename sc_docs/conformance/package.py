"""A DOCX opened for reading: its text parts in a stable order, properties and comments."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Final

from lxml import etree

from sc_docs.errors import ScDocsError, TemplateError, UnreadableFileError

from .docread import Paragraph, Walker, q

PARSER: Final = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_CT: Final = "http://schemas.openxmlformats.org/package/2006/content-types"
_CUSTOM: Final = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_WML: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml."
_KINDS: Final = {
    _WML + "document.main+xml": "document",
    _WML + "template.main+xml": "document",
    "application/vnd.ms-word.document.macroEnabled.main+xml": "document",
    _WML + "header+xml": "header",
    _WML + "footer+xml": "footer",
    _WML + "footnotes+xml": "footnotes",
    _WML + "endnotes+xml": "endnotes",
}
_ORDER: Final = {"document": 0, "header": 1, "footer": 2, "footnotes": 3, "endnotes": 4}
_NOTE_SKIP: Final = {"separator", "continuationSeparator", "continuationNotice"}


@dataclass(frozen=True, slots=True)
class CommentInfo:
    id: str
    author: str | None
    date: str | None
    text: str


class DocPackage:
    """The parts of a DOCX, read with the engine's safe zip reader (size limits, no DTDs)."""

    def __init__(self, data: bytes, label: str = "<docx>") -> None:
        from sc_docs.engines.docx._zip import Package

        self.label = label
        try:
            self.parts = Package(data, label).parts
        except TemplateError as exc:
            raise UnreadableFileError(exc.message, file=label) from None
        types = self.parts.get("[Content_Types].xml")
        if types is None:
            raise UnreadableFileError("not a DOCX: [Content_Types].xml is missing", file=label)
        root = self._parse("[Content_Types].xml", types)
        defaults = {el.get("Extension", "").lower(): el.get("ContentType") for el in root.iter(f"{{{_CT}}}Default")}
        overrides = {el.get("PartName", "").lstrip("/"): el.get("ContentType") for el in root.iter(f"{{{_CT}}}Override")}
        found = []
        for name in self.parts:
            ctype = overrides.get(name) or defaults.get(name.rpartition(".")[2].lower())
            if ctype in _KINDS:
                found.append((name, _KINDS[ctype]))
        if not any(k == "document" for _, k in found):
            raise UnreadableFileError("not a Word document: no main document part", file=label)
        self._text_parts = sorted(found, key=lambda nk: (_ORDER[nk[1]], _natural(nk[0])))
        self._xml: dict[str, etree._Element] = {}

    def _parse(self, name: str, raw: bytes) -> etree._Element:
        try:
            return etree.fromstring(raw, PARSER)
        except etree.XMLSyntaxError as exc:
            raise UnreadableFileError(f"damaged DOCX: {name} is not well-formed XML: {exc}", file=self.label) from None

    def text_parts(self) -> list[tuple[str, str]]:
        """Return `(part name, kind)` of every part holding text, the main document first."""
        return list(self._text_parts)

    def xml(self, name: str) -> etree._Element:
        if name not in self._xml:
            self._xml[name] = self._parse(name, self.parts[name])
        return self._xml[name]

    @cached_property
    def _walked(self) -> tuple[list[Paragraph], dict[str, tuple[str, int, int]], dict[str, str]]:
        paragraphs: list[Paragraph] = []
        at: dict[str, tuple[str, int, int]] = {}
        anchored: dict[str, str] = {}
        counters: dict[str, int] = {}
        for name, kind in self._text_parts:
            walker = Walker(kind)
            root = self.xml(name)
            if kind in ("footnotes", "endnotes"):
                for note in root:
                    if note.get(q("type")) not in _NOTE_SKIP:
                        walker.walk(note)
            else:
                walker.walk(root)
            offset = counters.get(kind, 0)
            for p in walker.paragraphs:
                p.index += offset
            counters[kind] = offset + walker.count
            paragraphs.extend(walker.paragraphs)
            for cid, (part, index, off) in walker.comment_at.items():
                at.setdefault(cid, (part, index + offset, off))
            for cid, text in walker.comment_text.items():
                anchored[cid] = anchored.get(cid, "") + text
        return paragraphs, at, anchored

    def paragraphs(self) -> list[Paragraph]:
        """Every paragraph of the text parts, in order (empty ones included)."""
        return self._walked[0]

    def comments(self) -> list[tuple[CommentInfo, tuple[str, int, int] | None, str]]:
        """Return each comment with where it is anchored and the text it covers."""
        name = next((n for n in self.parts if n.startswith("word/comments") and n.endswith(".xml")
                     and "Extended" not in n and "Ids" not in n and "Extensible" not in n), None)
        if name is None:
            return []
        out = []
        _, at, anchored = self._walked
        for c in self.xml(name).iter(q("comment")):
            cid = c.get(q("id"), "")
            paras = ["".join(t.text or "" for t in p.iter(q("t"))) for p in c.iter(q("p"))]
            info = CommentInfo(cid, c.get(q("author")), c.get(q("date")), "\n".join(paras).strip())
            out.append((info, at.get(cid), anchored.get(cid, "")))
        return out

    def custom_properties(self) -> dict[str, str]:
        """Return the string custom properties (`docProps/custom.xml`), by name."""
        raw = self.parts.get("docProps/custom.xml")
        if raw is None:
            return {}
        out: dict[str, str] = {}
        for prop in self._parse("docProps/custom.xml", raw).iter(f"{{{_CUSTOM}}}property"):
            name = prop.get("name")
            if name and len(prop):
                out[name] = (prop[0].text or "").strip()
        return out

    def default_paragraph_style(self) -> str | None:
        """Return the id of the style a paragraph without `w:pStyle` has (usually Normal)."""
        raw = self.parts.get("word/styles.xml")
        if raw is None:
            return None
        for st in self._parse("word/styles.xml", raw).iter(q("style")):
            if st.get(q("type")) == "paragraph" and st.get(q("default")) in ("1", "true", "on"):
                return st.get(q("styleId"))
        return None

    def styles(self) -> dict[str, str]:
        """Return each paragraph or character style's formatting, canonical, by style id (strict)."""
        from .docread import run_signature

        raw = self.parts.get("word/styles.xml")
        if raw is None:
            return {}
        out: dict[str, str] = {}
        for st in self._parse("word/styles.xml", raw).iter(q("style")):
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


def _natural(name: str) -> tuple:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name))


def open_package(data: bytes, label: str = "<docx>") -> DocPackage:
    """Open `data` as a DOCX; anything that is not one raises `UnreadableFileError` (exit 2)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise UnreadableFileError("expected the bytes of a DOCX file", file=label)
    try:
        return DocPackage(bytes(data), label)
    except ScDocsError:
        raise
    except (ValueError, KeyError) as exc:
        raise UnreadableFileError(f"damaged DOCX: {exc}", file=label) from None
