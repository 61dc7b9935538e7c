"""Readable text of WordprocessingML parts: a paragraph per line, a table row per line.

Used for `CompiledTemplate.text_with_tags()` (review template changes as a text diff) and for
`docx_text()` (check what a rendered document says).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_P, _TBL, _TR, _TC = (f"{{{W}}}{n}" for n in ("p", "tbl", "tr", "tc"))
_T, _TAB, _BR, _CR, _DEL = (f"{{{W}}}{n}" for n in ("t", "tab", "br", "cr", "delText"))
_NOTE_TYPE = f"{{{W}}}type"
_SEPARATORS = {"separator", "continuationSeparator", "continuationNotice"}

#: Safe parser: no DTDs, no entities, no network; blank text between elements dropped.
PARSER = etree.XMLParser(
    remove_blank_text=True, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)


def paragraph_text(p: etree._Element) -> str:
    """Return the text of a paragraph: tabs as `\\t`, line breaks as `\\n`."""
    out: list[str] = []
    for el in p.iter(_T, _TAB, _BR, _CR, _P):
        tag = el.tag
        if tag == _T:
            out.append(el.text or "")
        elif tag == _TAB:
            # A w:tab inside w:pPr/w:tabs is a tab stop definition, not a character.
            if el.getparent() is not None and el.getparent().tag == f"{{{W}}}r":
                out.append("\t")
        elif tag in (_BR, _CR):
            if el.get(f"{{{W}}}type") in (None, "textWrapping"):
                out.append("\n")
        elif el is not p:
            out.append(" ")  # a nested paragraph (text box): keep its words apart
    return "".join(out)


def _cell_text(tc: etree._Element) -> str:
    return " / ".join(_blocks(tc))


_CONTAINERS = {
    f"{{{W}}}{n}" for n in ("sdt", "sdtContent", "body", "footnote", "endnote", "customXml", "ins")
}


def _blocks(container: etree._Element) -> Iterator[str]:
    """Yield a line per paragraph and per table row of `container`, in document order."""
    for child in container:
        if child.tag == _P:
            yield paragraph_text(child)
        elif child.tag == _TBL:
            for tr in child.findall(_TR):
                yield " | ".join(_cell_text(tc) for tc in tr.findall(_TC))
        elif child.tag in _CONTAINERS:
            yield from _blocks(child)


def part_lines(root: etree._Element) -> list[str]:
    """Return the lines of one part (document, header, footer, footnotes, endnotes)."""
    if root.tag.endswith(("}footnotes", "}endnotes")):
        lines: list[str] = []
        for note in root:
            if note.get(_NOTE_TYPE) in _SEPARATORS:
                continue
            lines.extend(_blocks(note))
        return lines
    if root.tag == f"{{{W}}}document":
        body = root.find(f"{{{W}}}body")
        return [] if body is None else list(_blocks(body))
    return list(_blocks(root))


def package_text(parts: Iterable[tuple[str, str, bytes]], *, labels: bool) -> str:
    """Return the text of `(name, kind, xml)` parts in order, each labelled if `labels`."""
    chunks: list[str] = []
    for name, kind, xml in parts:
        lines = part_lines(etree.fromstring(xml, PARSER))
        if labels:
            chunks.append(f"=== {kind}: {name} ===")
        chunks.extend(lines)
    return "\n".join(chunks) + ("\n" if chunks else "")
