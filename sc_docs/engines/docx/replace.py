"""Swap files inside the template's package at render time: pictures, media, embedded files.

docxtpl does this with `replace_pic`, `replace_media`, `replace_embedded` and `replace_zipname`,
calls on its template object; here it is one `replacements=` argument of a render, a mapping
from what to replace to the new bytes (or a path to read them from). A key is either an entry
of the package (`word/media/image1.png`, `word/embeddings/Sheet1.xlsx`) or the name, title or
description Word gave a picture (docxtpl's `replace_pic` key, usually the inserted file's name).
The picture keeps its size and place; only the bytes change.
"""

from __future__ import annotations

import difflib
import posixpath
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Final

from lxml import etree

from sc_docs.errors import TemplateError

from ._text import PARSER
from .media import REL_NS, rels_name

_PIC: Final = "http://schemas.openxmlformats.org/drawingml/2006/picture"
_A: Final = "http://schemas.openxmlformats.org/drawingml/2006/main"
_R: Final = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def picture_names(raw: Mapping[str, bytes], parts: Iterable[str]) -> dict[str, str]:
    """Return the entry each picture of `parts` shows, by its name, title and description."""
    names: dict[str, str] = {}
    for part in parts:
        xml = raw.get(part)
        if not xml or b"pic:pic" not in xml and _PIC.encode() not in xml:
            continue
        targets = _targets(raw.get(rels_name(part)), part)
        for pic in etree.fromstring(xml, PARSER).iter(f"{{{_PIC}}}pic"):
            blip = pic.find(f".//{{{_A}}}blip")
            props = pic.find(f"{{{_PIC}}}nvPicPr/{{{_PIC}}}cNvPr")
            if blip is None or props is None:
                continue
            entry = targets.get(blip.get(f"{{{_R}}}embed", ""))
            if entry is None:
                continue
            for attr in ("name", "title", "descr"):
                label = props.get(attr)
                if label:
                    names.setdefault(label, entry)
    return names


def _targets(rels: bytes | None, part: str) -> dict[str, str]:
    """Return the package entry each internal relationship of `part` points at, by id."""
    if not rels:
        return {}
    out = {}
    base = posixpath.dirname(part)
    for el in etree.fromstring(rels, PARSER).iter(f"{{{REL_NS}}}Relationship"):
        if el.get("TargetMode") == "External":
            continue
        target = el.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
        out[el.get("Id", "")] = posixpath.normpath(path)
    return out


def resolve(
    replacements: Mapping[str, bytes | str | Path],
    entries: Iterable[str],
    pictures: Mapping[str, str],
    label: str,
) -> dict[str, bytes]:
    """Return `{entry name: new bytes}` for `replacements`; an unknown key is an error."""
    known = set(entries)
    out: dict[str, bytes] = {}
    for key, value in replacements.items():
        entry = key if key in known else pictures.get(key)
        if entry is None or entry not in known:
            close = difflib.get_close_matches(key, sorted(known | set(pictures)), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise TemplateError(
                f"replacement {key!r} names no entry or picture of the template{hint}",
                template=label,
            )
        if entry.endswith((".xml", ".rels")):
            raise TemplateError(
                f"replacement {key!r}: only media and embedded files can be replaced, not the "
                "document's XML parts",
                template=label,
            )
        if isinstance(value, (bytes, bytearray)):
            out[entry] = bytes(value)
            continue
        try:
            out[entry] = Path(value).read_bytes()
        except OSError as exc:
            raise TemplateError(
                f"replacement {key!r}: cannot read {str(value)!r}: {exc.strerror or exc}",
                template=label,
            ) from None
    return out
