"""Which parts of a DOCX package hold text a template may tag, by their content types.

Also the two read-only package helpers built on it: `docx_text` (what a document says) and
`leftover_tags` (which parts still hold tag syntax after a render).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from lxml import etree

from sc_docs.errors import TemplateError

from ._text import PARSER, package_text
from ._zip import Package

_CT_NS: Final = "http://schemas.openxmlformats.org/package/2006/content-types"
_WML: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml."
_MAIN_TYPES: Final = {
    _WML + "document.main+xml",
    _WML + "template.main+xml",
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
}
_KINDS: Final = {
    _WML + "header+xml": "header",
    _WML + "footer+xml": "footer",
    _WML + "footnotes+xml": "footnotes",
    _WML + "endnotes+xml": "endnotes",
}
_KIND_ORDER: Final = {"document": 0, "header": 1, "footer": 2, "footnotes": 3, "endnotes": 4}
_LEFTOVER: Final = re.compile(r"\{\{|\{%|%\}|\}\}")


def classify(parts: Mapping[str, bytes], label: str) -> list[tuple[str, str]]:
    """Return `(part, kind)` for the parts that may hold tags, the main document first."""
    types = parts.get("[Content_Types].xml")
    if types is None:
        raise TemplateError("not a DOCX: [Content_Types].xml is missing", template=label)
    try:
        root = etree.fromstring(types, PARSER)
    except etree.XMLSyntaxError as exc:
        raise TemplateError(
            f"[Content_Types].xml is not well-formed: {exc}", template=label
        ) from None
    defaults = {
        el.get("Extension", "").lower(): el.get("ContentType")
        for el in root.iter(f"{{{_CT_NS}}}Default")
    }
    overrides = {
        el.get("PartName", "").lstrip("/"): el.get("ContentType")
        for el in root.iter(f"{{{_CT_NS}}}Override")
    }
    found: list[tuple[str, str]] = []
    for name in parts:
        ctype = overrides.get(name) or defaults.get(name.rpartition(".")[2].lower())
        if ctype in _MAIN_TYPES:
            found.append((name, "document"))
        elif ctype in _KINDS:
            found.append((name, _KINDS[ctype]))
    if not any(kind == "document" for _, kind in found):
        raise TemplateError("not a Word document: no main document part", template=label)
    return sorted(found, key=lambda nk: (_KIND_ORDER[nk[1]], nk[0]))


def docx_text(data: bytes) -> str:
    """Return the plain text of a DOCX: body, then headers, footers, footnotes, endnotes."""
    package = Package(data, "<docx>")
    kinds = classify(package.parts, "<docx>")
    return package_text(((n, k, package.parts[n]) for n, k in kinds), labels=False)


def leftover_tags(data: bytes) -> list[str]:
    """Return the parts of a rendered DOCX whose XML still holds `{{`, `{%`, `%}` or `}}`."""
    package = Package(data, "<docx>")
    return sorted(
        n
        for n, raw in package.parts.items()
        if n.endswith(".xml") and _LEFTOVER.search(raw.decode("utf-8", "replace"))
    )
