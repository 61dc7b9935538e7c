"""Insert the body of another DOCX where a `{{p sub }}` tag stands, pictures and links included.

docxtpl's `Subdoc` is built on its own template object: its pictures and links point at
relationships of a document this engine never sees. A `Subdocument` is read from its own
file instead, and its pictures and hyperlinks are added to the rendered package with new ids.

What it does not carry, by design: the sub-document's styles, numbering and section settings
(its text takes the main document's styles of the same names, falling back to Normal), and
parts other than pictures and hyperlinks (charts, embedded objects, footnotes), which are
refused with a message naming the relationship.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from lxml import etree

from sc_docs.errors import TemplateError

from ._text import PARSER, W
from ._zip import Package
from .media import CT_NS, HYPERLINK_REL, IMAGE_REL, REL_NS, R_NS, PackageAdditions, rels_name
from .parts import classify

_WP: Final = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"


@dataclass(frozen=True)
class Subdocument:
    """The body of the DOCX `source` (a path or bytes), for a paragraph tag: `{{p part }}`."""

    source: bytes | str | Path

    def markup(self, additions: PackageAdditions) -> str:
        """Return the body's paragraphs and tables as markup; relationships go to `additions`."""
        if isinstance(self.source, (bytes, bytearray)):
            data, label = bytes(self.source), "<subdocument>"
        else:
            label = str(self.source)
            try:
                data = Path(self.source).read_bytes()
            except OSError as exc:
                raise ValueError(f"cannot read sub-document {label!r}: {exc.strerror}") from None
        try:
            package = Package(data, label)
            main = next(n for n, kind in classify(package.parts, label) if kind == "document")
            root = etree.fromstring(package.parts[main], PARSER)
        except (TemplateError, etree.XMLSyntaxError) as exc:
            raise ValueError(f"is not a usable sub-document: {exc}") from None
        body = root.find(f"{{{W}}}body")
        if body is None:
            return ""
        rels = _relationships(package.parts.get(rels_name(main)))
        types = _content_types(package.parts.get("[Content_Types].xml"))
        renamed: dict[str, str] = {}
        for el in body.iter():
            for key, rid in el.attrib.items():
                if not key.startswith(f"{{{R_NS}}}"):
                    continue
                if rid not in renamed:
                    renamed[rid] = _carry(rid, rels, main, package, types, additions)
                el.set(key, renamed[rid])
        if body.find(f".//{{{_WP}}}docPr") is not None:
            additions.pictures += 1  # have the body's drawing ids renumbered after the render
        return "".join(
            etree.tostring(child, encoding="unicode")
            for child in body
            if child.tag != f"{{{W}}}sectPr"
        )


def _relationships(xml: bytes | None) -> dict[str, tuple[str, str, bool]]:
    if not xml:
        return {}
    return {
        el.get("Id", ""): (
            el.get("Type", ""),
            el.get("Target", ""),
            el.get("TargetMode") == "External",
        )
        for el in etree.fromstring(xml, PARSER).iter(f"{{{REL_NS}}}Relationship")
    }


def _content_types(xml: bytes | None) -> tuple[dict[str, str], dict[str, str]]:
    if not xml:
        return {}, {}
    root = etree.fromstring(xml, PARSER)
    defaults = {
        el.get("Extension", "").lower(): el.get("ContentType", "")
        for el in root.iter(f"{{{CT_NS}}}Default")
    }
    overrides = {
        el.get("PartName", "").lstrip("/"): el.get("ContentType", "")
        for el in root.iter(f"{{{CT_NS}}}Override")
    }
    return defaults, overrides


def _carry(
    rid: str,
    rels: dict[str, tuple[str, str, bool]],
    main: str,
    package: Package,
    types: tuple[dict[str, str], dict[str, str]],
    additions: PackageAdditions,
) -> str:
    """Add what relationship `rid` of the sub-document points at; return its new id."""
    if rid not in rels:
        raise ValueError(f"is a sub-document using relationship {rid!r}, which it does not define")
    reltype, target, external = rels[rid]
    if reltype == HYPERLINK_REL and external:
        return additions.add_link(target)
    if reltype == IMAGE_REL and not external:
        folder = main.rpartition("/")[0]
        joined = target if target.startswith("/") else posixpath.join(folder, target)
        name = posixpath.normpath(joined).lstrip("/")
        data = package.parts.get(name)
        if data is None:
            raise ValueError(f"is a sub-document whose picture {name!r} is missing")
        ext = name.rpartition(".")[2]
        defaults, overrides = types
        content_type = overrides.get(name) or defaults.get(ext.lower()) or "image/" + ext.lower()
        return additions.add_media(data, ext, content_type)
    kind = reltype.rpartition("/")[2] or reltype
    raise ValueError(
        f"is a sub-document holding a {kind} (relationship {rid!r}), which cannot be carried "
        "into the document; only pictures and hyperlinks can"
    )
