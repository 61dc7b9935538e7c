"""Refill a workbook template the way openpyxl would write it, without loading openpyxl.

Why: importing openpyxl costs more CPU than the rest of a one-sheet packet's spreadsheet, and
loading and saving the template costs as much again, for what is, per packet, a few dozen text
cells. What openpyxl writes for a template is fixed but for the worksheets' cells, the document
title and its dates; so a template is *compiled* once (with openpyxl): its parts as openpyxl saves
them, each worksheet split into the XML before its rows, its rows and cells, and the XML after.
A fill then writes the given cells into that structure as openpyxl's writer does.

A compiled template is trusted only after it proved itself: at compile time every cell the cell
map can write is filled by openpyxl and by this module, with awkward text (markup characters,
outer spaces, non-ASCII), and the two files must be identical byte for byte; otherwise the
template always goes through openpyxl. A fill takes this path only for plain text values (no
formula, no control character, no boolean); anything else, and any run with the disk cache off,
goes through openpyxl too. Compiled templates are kept in the signed disk cache
(`sc_docs.signedcache`), keyed by the template, its cell map, the properties written into it,
this module and openpyxl's version.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import importlib.util
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT = 1
TITLE_MARK = "sc-docs-title-7d1c5e"
CREATED_MARK = dt.datetime(1901, 2, 3, 4, 5, 6)
_CREATED_TEXT = "1901-02-03T04:05:06Z"
# Text openpyxl writes as an inline string exactly as given (escaped): no control characters
# (openpyxl refuses some, lxml escapes CR), no surrogates or non-characters, at most 32,767.
_PLAIN = re.compile("[^\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]{1,32767}")
_ROW = re.compile(r'<row r="(\d+)"([^>]*?)(?:/>|>(.*?)</row>)', re.S)
_CELL = re.compile(r'<c r="([A-Z]{1,3})(\d+)"([^>]*?)(?:/>|>.*?</c>)', re.S)
_STYLE = re.compile(r' s="(\d+)"')
_REF = re.compile(r"([A-Z]{1,3})([1-9][0-9]*)")
_DIMENSION = re.compile(r'<dimension ref="[^"]*"/>')
_SHEET_DATA = re.compile(r"<sheetData>(.*)</sheetData>|<sheetData/>", re.S)


def column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def escape(text: str) -> str:
    """Escape the markup characters of `text` (document properties are written in UTF-8)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_ascii(text: str) -> str:
    """Escape `text` as openpyxl's worksheet writer does: markup characters, and anything not
    ASCII as a character reference (it writes worksheets in ASCII)."""
    return escape(text).encode("ascii", "xmlcharrefreplace").decode("ascii")


@dataclass
class Sheet:
    """One worksheet as openpyxl writes it: XML around the rows, the rows, the cells' extent."""

    part: str
    head: str
    tail: str
    #: row number -> (attributes after r="N", the row's text as written, {column: cell XML})
    rows: dict[int, tuple[str, str, dict[int, str]]]
    bounds: tuple[int, int, int, int] | None  # min row, min column, max row, max column

    def render(self, cells: Mapping[str, str]) -> str:
        rows = {r: (attrs, text, dict(found)) for r, (attrs, text, found) in self.rows.items()}
        bounds = self.bounds
        for ref, value in cells.items():
            m = _REF.fullmatch(ref)
            if m is None:  # the cell map's own check refuses these first
                raise ValueError(f"{ref!r} is not a cell reference")
            col, row = column_number(m.group(1)), int(m.group(2))
            attrs, text, found = rows.setdefault(row, ("", "", {}))
            style = _STYLE.search(found.get(col, ""))
            space = ' xml:space="preserve"' if value != value.strip() else ""
            found[col] = (f'<c r="{ref}"{style.group(0) if style else ""} t="inlineStr"><is><t{space}>'
                          f"{escape_ascii(value)}</t></is></c>")
            rows[row] = (attrs, "", found)  # changed: written again from its cells
            bounds = (row, col, row, col) if bounds is None else (
                min(bounds[0], row), min(bounds[1], col), max(bounds[2], row), max(bounds[3], col))
        body = "".join(
            text or f'<row r="{r}"{attrs}>{"".join(found[c] for c in sorted(found))}</row>'
            for r, (attrs, text, found) in sorted(rows.items())
        )
        ref = "A1:A1" if bounds is None else (
            f"{column_letters(bounds[1])}{bounds[0]}:{column_letters(bounds[3])}{bounds[2]}")
        head = _DIMENSION.sub(f'<dimension ref="{ref}"/>', self.head, count=1)
        return f"{head}<sheetData>{body}</sheetData>{self.tail}"


@dataclass
class CompiledWorkbook:
    """A workbook template as openpyxl saves it, ready to take text cells."""

    parts: list[tuple[str, bytes]]
    core: str
    sheets: dict[str, Sheet]  # worksheet title -> sheet

    def can_fill(self, values: Mapping[str, Mapping[str, Any]], title: str, when: dt.datetime) -> bool:
        """Whether `values` are all plain text for known worksheets (else openpyxl must write them)."""
        if when.microsecond or not 1000 <= when.year <= 9999 or not _PLAIN.fullmatch(title) or title != title.strip():
            return False  # outer spaces in the title make openpyxl mark it xml:space="preserve"
        return all(
            name in self.sheets and all(isinstance(v, str) and _PLAIN.fullmatch(v) and not v.startswith("=")
                                        for v in cells.values())
            for name, cells in values.items()
        )

    def fill(self, values: Mapping[str, Mapping[str, str]], title: str, when: dt.datetime) -> list[tuple[str, bytes]]:
        """Return the parts of the filled workbook, in openpyxl's order."""
        changed = {self.sheets[name].part: self.sheets[name].render(cells).encode("utf-8")
                   for name, cells in values.items()}
        created = when.replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M:%SZ")
        changed["docProps/core.xml"] = (
            self.core.replace(TITLE_MARK, escape(title)).replace(_CREATED_TEXT, created).encode("utf-8"))
        return [(name, changed.get(name, data)) for name, data in self.parts]

    def export(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "parts": [[name, base64.b64encode(data).decode("ascii")] for name, data in self.parts],
            "core": self.core,
            "sheets": {
                title: {"part": s.part, "head": s.head, "tail": s.tail, "bounds": s.bounds,
                        "rows": [[r, attrs, text, [[c, x] for c, x in found.items()]] for r, (attrs, text, found) in s.rows.items()]}
                for title, s in self.sheets.items()
            },
        }

    @classmethod
    def restore(cls, payload: Mapping[str, Any]) -> CompiledWorkbook | None:
        """Return the compiled workbook `export` wrote, or None if `payload` is not one."""
        try:
            if payload["format"] != FORMAT:
                return None
            parts = [(str(n), base64.b64decode(d, validate=True)) for n, d in payload["parts"]]
            sheets = {}
            for title, s in payload["sheets"].items():
                bounds = s["bounds"]
                sheets[str(title)] = Sheet(
                    str(s["part"]), str(s["head"]), str(s["tail"]),
                    {int(r): (str(a), str(t), {int(c): str(x) for c, x in found}) for r, a, t, found in s["rows"]},
                    None if bounds is None else (int(bounds[0]), int(bounds[1]), int(bounds[2]), int(bounds[3])),
                )
            core = payload["core"]
            if not isinstance(core, str) or {s.part for s in sheets.values()} - {n for n, _ in parts}:
                return None
            return cls(parts, core, sheets)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None


def parse_sheet(part: str, xml: str, bounds: tuple[int, int, int, int] | None) -> Sheet | None:
    """Split worksheet XML as openpyxl wrote it; None when it is not in the expected shape."""
    data = _SHEET_DATA.search(xml)
    if data is None or len(_DIMENSION.findall(xml[: data.start()])) != 1:
        return None
    rows: dict[int, tuple[str, str, dict[int, str]]] = {}
    body = data.group(1) or ""
    pos = 0
    for m in _ROW.finditer(body):
        if m.start() != pos:
            return None
        pos = m.end()
        cells, cpos = {}, 0
        inner = m.group(3) or ""
        for c in _CELL.finditer(inner):
            if c.start() != cpos or int(c.group(2)) != int(m.group(1)):
                return None
            cpos = c.end()
            cells[column_number(c.group(1))] = c.group(0)
        if cpos != len(inner):
            return None
        rows[int(m.group(1))] = (m.group(2), m.group(0), cells)
    if pos != len(body):
        return None
    return Sheet(part, xml[: data.start()], xml[data.end():], rows, bounds)


def compile_workbook(
    template: bytes, stamp: Callable[[Any, str, dt.datetime], None], finish: Callable[[list[tuple[str, bytes]], dt.datetime], bytes],
    probes: Mapping[str, Iterable[str]],
) -> CompiledWorkbook | None:
    """Compile `template` with openpyxl; None when this module cannot reproduce what openpyxl writes.

    `stamp(book, title, when)` writes the document properties as a fill does, `finish(parts, when)`
    makes the file of the parts; `probes` names, per worksheet, every cell a fill may write.
    """
    import io
    import zipfile

    import openpyxl
    from openpyxl import LXML

    if not LXML:  # the other writer escapes and spaces text differently: not reproduced here
        return None

    def saved(values: Mapping[str, Mapping[str, str]], title: str, when: dt.datetime) -> tuple[list[tuple[str, bytes]], Any]:
        book = openpyxl.load_workbook(io.BytesIO(template))
        for name, cells in values.items():
            for ref, value in cells.items():
                book[name][ref] = value
        stamp(book, title, when)
        out = io.BytesIO()
        book.save(out)
        with zipfile.ZipFile(io.BytesIO(out.getvalue())) as z:
            return [(i.filename, z.read(i.filename)) for i in z.infolist()], book

    parts, book = saved({}, TITLE_MARK, CREATED_MARK)
    names = dict(parts)
    sheets = {}
    for index, ws in enumerate(book.worksheets):
        part = f"xl/worksheets/sheet{index + 1}.xml"
        cells = list(ws._cells)  # openpyxl's own extent (calculate_dimension reads the same)
        bounds = (min(r for r, _ in cells), min(c for _, c in cells), max(r for r, _ in cells), max(c for _, c in cells)) if cells else None
        sheet = parse_sheet(part, names.get(part, b"").decode("utf-8"), bounds)
        if sheet is None:
            return None
        sheets[ws.title] = sheet
    core = names.get("docProps/core.xml", b"").decode("utf-8")
    if core.count(TITLE_MARK) != 1 or core.count(_CREATED_TEXT) != 1:
        return None
    compiled = CompiledWorkbook(parts, core, sheets)
    # The proof: awkward text in every cell a fill may write, openpyxl's bytes against ours.
    words = ["A & B <c> d", " spaced ", "Ünïcode – “quotes” ' \"", "tab\there", "line\nbreak", "x]]>y"]
    probe = {name: {ref: f"{words[i % len(words)]}{i}" for i, ref in enumerate(refs)} for name, refs in probes.items()}
    probe = {name: cells for name, cells in probe.items() if name in sheets}
    when = dt.datetime(2031, 7, 4, 0, 0, 0, tzinfo=dt.timezone.utc)
    title = "Probe & <Title> Ünïcode – Ltd."
    for values in ({}, probe):
        expected, _ = saved(values, title, when)
        if not compiled.can_fill(values, title, when) or finish(compiled.fill(values, title, when), when) != finish(expected, when):
            return None
    return compiled


def cache_key(template: bytes, cell_map: bytes, props: Mapping[str, str]) -> str:
    """The disk-cache key of a compiled template: its inputs, this module and openpyxl's version."""
    digest = hashlib.sha256(b"sc-docs workbook\0")
    for blob in (template, cell_map, repr(sorted(props.items())).encode(), _writer_identity()):
        digest.update(hashlib.sha256(blob).digest())
    return digest.hexdigest()


@functools.cache
def _writer_identity() -> bytes:
    """This module's source and openpyxl's identity: what decides how a fill is written."""
    try:
        source = Path(__file__).read_bytes()
    except OSError:
        source = b"unreadable"
    return source + b"\0" + _openpyxl_identity()


def _openpyxl_identity() -> bytes:
    """openpyxl's version (its `_constants.py`) and writer choice, without importing it."""
    spec = importlib.util.find_spec("openpyxl")
    origin = spec.origin if spec is not None else None
    try:
        version = Path(origin).with_name("_constants.py").read_bytes() if origin else b"none"
    except OSError:
        version = b"unknown"
    lxml = importlib.util.find_spec("lxml") is not None
    return version + f"|{os.environ.get('OPENPYXL_LXML', 'True')}|{lxml}".encode()
