"""Checks of a DOCX package's wiring, for every output of the DOCX engine tests.

`check_package(data)` raises AssertionError unless:
- every relationship id a part uses (`r:id`, `r:embed`, ...) exists in that part's `.rels`;
- every internal relationship target exists in the package;
- relationship ids are unique within each `.rels`, drawing ids (`wp:docPr/@id`) within each part;
- every entry has a content type (an Override or a Default for its extension).

`checking_renders(monkeypatch)` makes every render of a test run the check (the DOCX engine's
test modules use it in an autouse fixture). `png(width, height)` returns a small valid PNG built with zlib, for picture tests.
"""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile
import zlib
from collections import Counter
from typing import Any

from lxml import etree

REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"


def _rels_name(part: str) -> str:
    folder, _, base = part.rpartition("/")
    return f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"


def check_package(data: bytes) -> None:
    """Raise AssertionError naming the first broken reference of the DOCX `data`."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = set(z.namelist())
        parts = {n: z.read(n) for n in names}
    types = etree.fromstring(parts["[Content_Types].xml"])
    defaults = {el.get("Extension").lower() for el in types.iter(f"{{{CT_NS}}}Default")}
    overrides = {el.get("PartName").lstrip("/") for el in types.iter(f"{{{CT_NS}}}Override")}
    for name in names - {"[Content_Types].xml"}:
        ext = name.rpartition(".")[2].lower()
        assert name in overrides or ext in defaults, f"{name} has no content type"
    for name in sorted(names):
        if not name.endswith(".rels"):
            continue
        rels = etree.fromstring(parts[name])
        ids = [el.get("Id") for el in rels.iter(f"{{{REL_NS}}}Relationship")]
        dupes = [i for i, n in Counter(ids).items() if n > 1]
        assert not dupes, f"{name}: duplicate relationship ids {dupes}"
        source = name.replace("_rels/", "").removesuffix(".rels")
        base = posixpath.dirname(source)
        for el in rels.iter(f"{{{REL_NS}}}Relationship"):
            if el.get("TargetMode") == "External":
                continue
            target = el.get("Target")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
            path = posixpath.normpath(path)
            assert path in names, f"{name}: {el.get('Id')} points at missing {path}"
    for name in sorted(names):
        if not name.endswith(".xml") or name == "[Content_Types].xml":
            continue
        root = etree.fromstring(parts[name])
        used = {
            value
            for el in root.iter()
            for key, value in el.attrib.items()
            if key.startswith(f"{{{R_NS}}}")
        }
        if used:
            rels_entry = _rels_name(name)
            assert rels_entry in parts, f"{name} uses {sorted(used)} but has no {rels_entry}"
            have = {
                el.get("Id")
                for el in etree.fromstring(parts[rels_entry]).iter(f"{{{REL_NS}}}Relationship")
            }
            assert used <= have, f"{name}: relationships {sorted(used - have)} do not exist"
        drawing_ids = [el.get("id") for el in root.iter(f"{{{WP_NS}}}docPr")]
        dupes = [i for i, n in Counter(drawing_ids).items() if n > 1]
        assert not dupes, f"{name}: duplicate drawing ids {dupes}"


def png(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """Return an RGB PNG of one colour, 72 dpi."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    row = b"\x00" + bytes(rgb) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"pHYs", struct.pack(">IIB", 2835, 2835, 1))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )



def checking_renders(monkeypatch: Any) -> None:
    """Make every `CompiledTemplate.render` of the test check the package it returns."""
    from sc_docs.engines.docx import CompiledTemplate

    original = CompiledTemplate.render

    def render(self: Any, *args: Any, **kwargs: Any) -> bytes:
        out = original(self, *args, **kwargs)
        check_package(out)
        return out

    monkeypatch.setattr(CompiledTemplate, "render", render)
