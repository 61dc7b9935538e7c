"""Pictures and hyperlinks that values bring into a rendered document, carried into its package.

A value can add to the document more than text: an `Image` needs its bytes stored in
`word/media/`, a relationship from the part that shows it, and a content type; a hyperlink
needs an external relationship. While a part renders, `PackageAdditions` (reached through a
context variable, as the render budget is) hands out relationship ids for them; after the
render it writes the relationships, media and content types into the output package. Any
relationship id a value's markup uses that neither the template nor this render defined
is refused, so a document never ships with a dangling reference.

docxtpl's `InlineImage` is accepted as an `Image`; a `RichText` hyperlink takes its id from
`url_id(url)` (docxtpl's `build_url_id` numbers relationships of a document this engine never
sees, so its ids are refused with a message saying so).
"""

from __future__ import annotations

import contextvars
import hashlib
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from lxml import etree


from ._text import PARSER

REL_NS: Final = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS: Final = "http://schemas.openxmlformats.org/package/2006/content-types"
R_NS: Final = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
IMAGE_REL: Final = R_NS + "/image"
HYPERLINK_REL: Final = R_NS + "/hyperlink"
_DECL: Final = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
_EMU_PER_INCH: Final = 914400
LINK_MARK: Final = "scdocs-url-"
_ID_BASE: Final = 100000
#: Relationship ids in the rendered markup of a part (`r:id`, `r:embed`, `r:link`, ...).
_REF: Final = re.compile(r'\br:(?:id|embed|link|pict|dm|lo|qs|cs|href)="([^"]*)"')
_LINK: Final = re.compile(r'\br:id="' + LINK_MARK + r'([0-9a-f]*)"')


@dataclass(frozen=True)
class Image:
    """A picture to show inline where the tag is: `{{ logo }}` with `logo = Image(...)`.

    `source` is a path or the image's bytes (PNG, JPEG, GIF, BMP or TIFF). `width` and
    `height` are in EMU (python-docx's `Mm(20)`, `Inches(1)` are EMU); give one and the other
    keeps the picture's proportions, give none and it shows at its own size. `description`
    is the alternative text; `link` a URL the picture opens when clicked.
    """

    source: bytes | str | Path
    width: int | None = None
    height: int | None = None
    description: str = ""
    link: str | None = None

    def data(self) -> bytes:
        """Return the image's bytes."""
        if isinstance(self.source, (bytes, bytearray)):
            return bytes(self.source)
        try:
            return Path(self.source).read_bytes()
        except OSError as exc:
            raise ValueError(f"cannot read image {str(self.source)!r}: {exc.strerror}") from None


def url_id(url: str) -> str:
    """Return a relationship id for a hyperlink to `url`, for `RichText(..., url_id=...)`.

    The id is resolved when the part renders: the relationship is added to that part.
    """
    if not isinstance(url, str) or not url:
        raise TypeError("url_id needs a non-empty URL string")
    return LINK_MARK + url.encode("utf-8").hex()


def as_image(value: Any) -> Image | None:
    """Return `value` as an `Image` if it is one or a docxtpl `InlineImage`, else None."""
    if isinstance(value, Image):
        return value
    if type(value).__name__ == "InlineImage" and hasattr(value, "image_descriptor"):
        source = value.image_descriptor
        if hasattr(source, "read"):
            if hasattr(source, "seek"):
                source.seek(0)
            source = source.read()
        return Image(source, value.width, value.height, link=getattr(value, "anchor", None))
    return None


def foreign_reference(value: Any, known: set[str]) -> str | None:
    """Return why a markup value cannot be carried (its XML uses relationships of another
    document: docxtpl's `build_url_id`, a `Subdoc` with pictures), or None if it can. Ids in
    `known` (the part's own, as a macro's output repeats them) and `url_id()` marks are fine."""
    markup = value.__html__()
    for rid in _REF.findall(markup):
        if rid.startswith(LINK_MARK) or rid in known:
            continue
        if type(value).__name__ == "Subdoc":
            return (
                f"is a Subdoc whose content uses relationship {rid!r} (a picture, link or "
                "chart of the DocxTemplate it was made with), which cannot be carried into "
                "this document; use sc_docs.engines.docx.Subdocument(path) for a sub-document "
                "from a file, Image values for pictures and url_id() for links"
            )
        return (
            f"uses relationship {rid!r} of another document (DocxTemplate.build_url_id?); "
            "make hyperlink ids with sc_docs.engines.docx.url_id(url) instead"
        )
    return None


@dataclass
class _PartRels:
    """Relationships of one part: what the template had and what this render adds."""

    ids: set[str]
    next_number: int
    added: list[tuple[str, str, str, bool]] = field(default_factory=list)  # id, type, target, ext


class PackageAdditions:
    """What one render adds to the package: media, relationships, content-type defaults."""

    def __init__(self, raw: Mapping[str, bytes]) -> None:
        self._raw = raw
        self._rels: dict[str, _PartRels] = {}
        self.media: dict[str, bytes] = {}
        self.types: dict[str, str] = {}
        self.part = ""
        self.pictures = 0
        self.markup = False  # a value with its own markup was printed: check its references

    # -- during a part's render --
    def _part_rels(self, part: str) -> _PartRels:
        rels = self._rels.get(part)
        if rels is None:
            ids = set(rels_ids(self._raw.get(rels_name(part))))
            numbers = [int(i[3:]) for i in ids if i.startswith("rId") and i[3:].isdigit()]
            rels = self._rels[part] = _PartRels(ids, max(numbers, default=0) + 1)
        return rels

    def _relate(self, reltype: str, target: str, external: bool) -> str:
        rels = self._part_rels(self.part)
        for rid, kind, tgt, ext in rels.added:
            if (kind, tgt, ext) == (reltype, target, external):
                return rid
        rid = f"rId{rels.next_number}"
        while rid in rels.ids:
            rels.next_number += 1
            rid = f"rId{rels.next_number}"
        rels.next_number += 1
        rels.ids.add(rid)
        rels.added.append((rid, reltype, target, external))
        return rid

    def picture(self, image: Image) -> str:
        """Return the run markup showing `image`, its media and relationship recorded."""
        from docx.image.image import Image as Probe  # python-docx, which docxtpl brings

        data = image.data()
        try:
            probe = Probe.from_blob(data)
        except Exception as exc:  # noqa: BLE001 - python-docx raises several kinds
            raise ValueError(f"is not a picture Word can show: {exc}") from None
        rid = self.add_media(data, probe.ext, probe.content_type)
        width, height = probe.scaled_dimensions(image.width, image.height)
        self.pictures += 1
        link = self.add_link(image.link) if image.link else None
        return drawing_xml(rid, int(width), int(height), self.pictures, image.description, link)

    def add_media(self, data: bytes, ext: str, content_type: str) -> str:
        """Store picture bytes in `word/media/` (once per content) and return the id of an
        image relationship to them from the part being rendered."""
        ext = ext.lower()
        name = f"word/media/scdocs-{hashlib.sha256(data).hexdigest()[:16]}.{ext}"
        self.media[name] = data
        self.types.setdefault(ext, content_type)
        target = posixpath.relpath(name, posixpath.dirname(self.part) or ".")
        return self._relate(IMAGE_REL, target, external=False)

    def add_link(self, url: str) -> str:
        """Return the id of an external hyperlink relationship to `url` from the part."""
        return self._relate(HYPERLINK_REL, url, external=True)

    def resolve_links(self, out: str) -> str:
        """Replace `url_id()` marks in a rendered part by relationship ids of that part."""

        def link(m: re.Match[str]) -> str:
            url = bytes.fromhex(m.group(1)).decode("utf-8")
            return f'r:id="{self.add_link(url)}"'

        return _LINK.sub(link, out)

    def known_ids(self) -> set[str]:
        """Return the relationship ids the part being rendered has so far."""
        return self._part_rels(self.part).ids

    def dangling(self, part: str, out: str) -> str | None:
        """Return a relationship id `out` uses that `part` does not define, if any."""
        known = self._part_rels(part).ids
        return next((rid for rid in _REF.findall(out) if rid not in known), None)

    # -- after the render --
    def changed_parts(
        self, current: Callable[[str], bytes | None]
    ) -> Iterator[tuple[str, bytes]]:
        """Yield `(entry name, bytes)` for the media, relationship parts and content types
        this render adds; `current(name)` gives an entry's bytes as rendering left them."""
        yield from sorted(self.media.items())
        for part, rels in sorted(self._rels.items()):
            if rels.added:
                name = rels_name(part)
                yield name, add_relationships(current(name), rels.added)
        if self.types:
            name = "[Content_Types].xml"
            yield name, add_defaults(current(name) or b"", self.types)


def drawing_xml(
    rid: str, cx: int, cy: int, number: int, description: str, link: str | None = None
) -> str:
    """Return the markup of an inline picture, closing the run the tag was in and reopening it."""
    from xml.sax.saxutils import quoteattr  # brings urllib and http: only when there are pictures

    name = f"Picture {number}"
    # Ids of pictures in the body are renumbered after the render, as docxtpl does; a high
    # base keeps those in headers and footers clear of the template's own.
    number += _ID_BASE
    click = f'<a:hlinkClick r:id="{link}"/>' if link else ""
    return (
        "</w:t></w:r><w:r><w:drawing>"
        '<wp:inline distT="0" distB="0" distL="0" distR="0" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
        f'xmlns:r="{R_NS}">'
        f'<wp:extent cx="{cx}" cy="{cy}"/>'
        f'<wp:docPr id="{number}" name="{name}" descr={quoteattr(description)}>{click}</wp:docPr>'
        '<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        f'<pic:pic><pic:nvPicPr><pic:cNvPr id="0" name="{name}">{click}</pic:cNvPr>'
        "<pic:cNvPicPr/></pic:nvPicPr>"
        f'<pic:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch>'
        '</pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/>'
        f'<a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
        "</pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
        '<w:r><w:t xml:space="preserve">'
    )


def rels_name(part: str) -> str:
    """Return the name of `part`'s relationships entry: `word/_rels/document.xml.rels`."""
    folder, _, base = part.rpartition("/")
    return f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"


def rels_ids(xml: bytes | None) -> list[str]:
    """Return the relationship ids a `.rels` entry defines."""
    if not xml:
        return []
    root = etree.fromstring(xml, PARSER)
    return [el.get("Id", "") for el in root.iter(f"{{{REL_NS}}}Relationship")]


def add_relationships(xml: bytes | None, added: list[tuple[str, str, str, bool]]) -> bytes:
    """Return a `.rels` entry with the relationships `added` appended."""
    if xml:
        root = etree.fromstring(xml, PARSER)
    else:
        root = etree.Element(f"{{{REL_NS}}}Relationships", nsmap={None: REL_NS})
    for rid, reltype, target, external in added:
        el = etree.SubElement(
            root, f"{{{REL_NS}}}Relationship", Id=rid, Type=reltype, Target=target
        )
        if external:
            el.set("TargetMode", "External")
    return _DECL + etree.tostring(root, encoding="UTF-8")


def add_defaults(xml: bytes, types: Mapping[str, str]) -> bytes:
    """Return `[Content_Types].xml` with a Default for each extension in `types` it lacks."""
    root = etree.fromstring(xml, PARSER)
    have = {el.get("Extension", "").lower() for el in root.iter(f"{{{CT_NS}}}Default")}
    missing = [ext for ext in sorted(types) if ext not in have]
    if not missing:
        return xml
    first_override = root.find(f"{{{CT_NS}}}Override")
    for ext in missing:
        el = etree.Element(f"{{{CT_NS}}}Default", Extension=ext, ContentType=types[ext])
        if first_override is not None:
            first_override.addprevious(el)
        else:
            root.append(el)
    return _DECL + etree.tostring(root, encoding="UTF-8")


_CURRENT: contextvars.ContextVar[PackageAdditions | None] = contextvars.ContextVar(
    "sc_docs_docx_additions", default=None
)


def active() -> PackageAdditions | None:
    """Return the additions of the engine's render in progress, None outside one."""
    return _CURRENT.get()


def begin(additions: PackageAdditions) -> contextvars.Token[PackageAdditions | None]:
    """Make `additions` the render in progress; pass the token to `end`."""
    return _CURRENT.set(additions)


def end(token: contextvars.Token[PackageAdditions | None]) -> None:
    _CURRENT.reset(token)
