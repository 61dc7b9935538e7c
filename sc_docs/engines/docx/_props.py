"""Document properties written at render time: core (`docProps/core.xml`) and custom
(`docProps/custom.xml`). Values come from the caller, never from the clock, so output stays
reproducible; custom properties identify a returned document (template key, version, SHA-256).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from lxml import etree

from sc_docs.errors import TemplateError

from ._text import PARSER

CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"

CORE_TYPE = "application/vnd.openxmlformats-package.core-properties+xml"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CORE_REL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"

#: Accepted `core_properties` keys and their element in core.xml, in schema order.
CORE_FIELDS: dict[str, tuple[str, str]] = {
    "category": (CP, "category"),
    "content_status": (CP, "contentStatus"),
    "created": (DCTERMS, "created"),
    "creator": (DC, "creator"),
    "description": (DC, "description"),
    "identifier": (DC, "identifier"),
    "keywords": (CP, "keywords"),
    "language": (DC, "language"),
    "last_modified_by": (CP, "lastModifiedBy"),
    "last_printed": (CP, "lastPrinted"),
    "modified": (DCTERMS, "modified"),
    "revision": (CP, "revision"),
    "subject": (DC, "subject"),
    "title": (DC, "title"),
    "version": (CP, "version"),
}
_DATES = {"created", "modified", "last_printed"}
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'


def _text(key: str, value: Any) -> str:
    if key in _DATES:
        if isinstance(value, str):
            try:
                value = dt.datetime.fromisoformat(value)
            except ValueError:
                raise TemplateError(
                    f"core property {key!r}: not an ISO date-time: {value!r}"
                ) from None
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(dt.UTC).replace(tzinfo=None)
            return value.replace(microsecond=0).isoformat() + "Z"
        if isinstance(value, dt.date):
            return f"{value.isoformat()}T00:00:00Z"
        raise TemplateError(
            f"core property {key!r}: expected a date-time, got {type(value).__name__}"
        )
    text = str(value)
    if _ILLEGAL.search(text):
        raise TemplateError(f"property {key!r} contains characters XML cannot hold")
    return text


def core_xml(existing: bytes | None, values: Mapping[str, Any]) -> bytes:
    """Return core.xml with `values` set (other properties of `existing` kept)."""
    unknown = set(values) - set(CORE_FIELDS)
    if unknown:
        raise TemplateError(
            f"unknown core properties {sorted(unknown)}; known: {', '.join(CORE_FIELDS)}"
        )
    return _core_with_texts(existing, {key: _text(key, value) for key, value in values.items()})


def _core_with_texts(existing: bytes | None, texts: Mapping[str, str]) -> bytes:
    """Return core.xml with each field's already-converted text set."""
    if existing:
        root = etree.fromstring(existing, PARSER)
    else:
        root = etree.Element(
            f"{{{CP}}}coreProperties",
            nsmap={
                "cp": CP,
                "dc": DC,
                "dcterms": DCTERMS,
                "dcmitype": "http://purl.org/dc/dcmitype/",
                "xsi": XSI,
            },
        )
    for key, text in texts.items():
        ns, local = CORE_FIELDS[key]
        tag = f"{{{ns}}}{local}"
        el = root.find(tag)
        if el is None:
            el = etree.SubElement(root, tag)
        el.text = text
        if ns == DCTERMS:
            el.set(f"{{{XSI}}}type", "dcterms:W3CDTF")
    return _DECL + etree.tostring(root, encoding="UTF-8")


def custom_xml(existing: bytes | None, values: Mapping[str, str]) -> bytes:
    """Return custom.xml with string properties `values` set (others of `existing` kept)."""
    if existing:
        root = etree.fromstring(existing, PARSER)
    else:
        root = etree.Element(f"{{{CUSTOM}}}Properties", nsmap={None: CUSTOM, "vt": VT})
    by_name = {p.get("name"): p for p in root.findall(f"{{{CUSTOM}}}property")}
    pids = [int(p.get("pid", "1")) for p in by_name.values() if (p.get("pid") or "").isdigit()]
    next_pid = max(pids + [1]) + 1
    for name, value in values.items():
        if not isinstance(value, str):
            raise TemplateError(
                f"custom property {name!r} must be a string, got {type(value).__name__}"
            )
        _text(name, name)
        prop = by_name.get(name)
        if prop is None:
            prop = etree.SubElement(
                root, f"{{{CUSTOM}}}property", fmtid=_FMTID, pid=str(next_pid), name=name
            )
            next_pid += 1
        for child in list(prop):
            prop.remove(child)
        etree.SubElement(prop, f"{{{VT}}}lpwstr").text = _text(name, value)
    return _DECL + etree.tostring(root, encoding="UTF-8")


def add_override(content_types: bytes, part: str, content_type: str) -> bytes:
    """Return [Content_Types].xml with an Override for `part` (unchanged if present)."""
    root = etree.fromstring(content_types, PARSER)
    for el in root.findall(f"{{{CT}}}Override"):
        if el.get("PartName") == "/" + part:
            return content_types
    etree.SubElement(root, f"{{{CT}}}Override", PartName="/" + part, ContentType=content_type)
    return _DECL + etree.tostring(root, encoding="UTF-8")


def add_package_rel(rels: bytes | None, target: str, reltype: str) -> bytes:
    """Return _rels/.rels with a relationship of `reltype` to `target` (unchanged if present)."""
    if rels:
        root = etree.fromstring(rels, PARSER)
    else:
        root = etree.Element(f"{{{PKG_REL}}}Relationships", nsmap={None: PKG_REL})
    ids = set()
    for el in root.findall(f"{{{PKG_REL}}}Relationship"):
        if el.get("Type") == reltype:
            return rels or b""
        ids.add(el.get("Id"))
    n = 1
    while f"rId{n}" in ids:
        n += 1
    etree.SubElement(root, f"{{{PKG_REL}}}Relationship", Id=f"rId{n}", Type=reltype, Target=target)
    return _DECL + etree.tostring(root, encoding="UTF-8")


_MARK = re.compile("\ue000(\\d+)\ue001")


def _escape_text(text: str) -> str:
    """Escape element text exactly as lxml serialises it (so a skeleton matches `core_xml`)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


class CoreWriter:
    """`core_xml` for one template's core.xml, without an XML round trip per render.

    The first render with a given set of keys serialises the part once with numbered markers
    where the values go; later renders join the pieces with the escaped values. Why: a packet
    renders the same template thousands of times and only the title and dates change.
    """

    def __init__(self, existing: bytes | None) -> None:
        self.existing = existing
        self._skeletons: dict[tuple[str, ...], list[str] | None] = {}

    def xml(self, values: Mapping[str, Any]) -> bytes:
        """Return core.xml with `values` set, byte-identical to `core_xml(existing, values)`."""
        keys = tuple(values)
        pieces = self._skeletons.get(keys, [])
        if pieces == [] and len(self._skeletons) < 32:  # a caller passes a few key sets at most
            pieces = self._skeletons[keys] = self._skeleton(keys)
        if not pieces:
            return core_xml(self.existing, values)
        out = [pieces[0]]
        for i, key in enumerate(keys):
            out.append(_escape_text(_text(key, values[key])))
            out.append(pieces[i + 1])
        return "".join(out).encode("utf-8")

    def _skeleton(self, keys: tuple[str, ...]) -> list[str] | None:
        if self.existing and (b"\xee\x80\x80" in self.existing or b"\xee\x80\x81" in self.existing):
            return None  # the part already holds our marker characters: no shortcut
        unknown = set(keys) - set(CORE_FIELDS)
        if unknown or len(set(CORE_FIELDS[k] for k in keys)) != len(keys):
            return None  # the slow path reports unknown keys
        marked = {k: f"\ue000{i}\ue001" for i, k in enumerate(keys)}
        try:
            text = _core_with_texts(self.existing, marked).decode("utf-8")
        except (TemplateError, etree.LxmlError, UnicodeDecodeError):
            return None
        parts = _MARK.split(text)
        # split gives text, index, text, index, ...: the markers must come out in key order
        if parts[1::2] != [str(i) for i in range(len(keys))]:
            return None
        return parts[0::2]
