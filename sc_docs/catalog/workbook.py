"""Fill a catalog entry of kind `workbook`: an XLSX template, cell by cell, through its cell map.

`cells.yaml` maps worksheet names to what goes where, with the field-map rules of forms (a path
plus join/date/map/format/optional):

    Contacts:
      cells:                       # one value per cell
        B2: applicant.legal_name
        B3: {path: document.as_of, date: "%m/%d/%Y"}
      rows:                        # a list of the record, one row per item from `first_row`
        - path: workbook.contacts
          first_row: 6
          max_rows: 60             # the template's room; more items is an error, not a silent cut
          columns: {A: role, B: name, C: {path: phone}}

Column paths start at the list item. The output is deterministic: fixed document times, fixed
zip entry times, and the template's identity in custom document properties.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sc_docs import fieldpath, zipwrite
from sc_docs.catalog import xlsxfill
from sc_docs.catalog.formfill import FieldRule, apply_rule, parse_field_map
from sc_docs.catalog.xlsxfill import CompiledWorkbook
from sc_docs.errors import CatalogError, FormError

if TYPE_CHECKING:
    from sc_docs.catalog import Entry

_CELL = re.compile(r"^[A-Z]{1,3}[1-9][0-9]{0,6}$")
_COLUMN = re.compile(r"^[A-Z]{1,3}$")
_MISSING = object()


@dataclass(frozen=True)
class RowBlock:
    """A list of the record written one item per row."""

    path: str
    parts: tuple[str | int, ...]
    first_row: int
    max_rows: int
    columns: list[FieldRule]


@dataclass(frozen=True)
class SheetMap:
    """What one worksheet receives."""

    name: str
    cells: list[FieldRule]
    rows: list[RowBlock]


def parse_cell_map(data: Any, *, source: str = "cells.yaml") -> list[SheetMap]:
    """Return the sheets of a cell map (`cells.yaml` content); raise `CatalogError` if malformed."""
    if not isinstance(data, Mapping) or not data:
        raise CatalogError(f"{source}: must map worksheet names to `cells` and `rows`")
    sheets = []
    for name, spec in data.items():
        where = f"{source}: {name}"
        if not isinstance(spec, Mapping) or set(spec) - {"cells", "rows"}:
            raise CatalogError(f"{where}: give `cells` and/or `rows`")
        cells = parse_field_map(spec.get("cells") or {}, source=where)
        for rule in cells:
            if not _CELL.match(rule.pdf_field):
                raise CatalogError(f"{where}: {rule.pdf_field!r} is not a cell reference such as B2")
        rows = [_parse_rows(block, f"{where}: rows[{i}]") for i, block in enumerate(spec.get("rows") or [])]
        sheets.append(SheetMap(str(name), cells, rows))
    return sheets


def _parse_rows(block: Any, where: str) -> RowBlock:
    if not isinstance(block, Mapping) or not isinstance(block.get("path"), str):
        raise CatalogError(f"{where}: give `path`, `first_row`, `max_rows` and `columns`")
    first, most = block.get("first_row"), block.get("max_rows")
    if not isinstance(first, int) or first < 1 or not isinstance(most, int) or most < 1:
        raise CatalogError(f"{where}: `first_row` and `max_rows` must be whole numbers from 1")
    columns = parse_field_map(block.get("columns") or {}, source=where)
    if not columns:
        raise CatalogError(f"{where}: `columns` maps column letters to paths inside each item")
    for rule in columns:
        if not _COLUMN.match(rule.pdf_field):
            raise CatalogError(f"{where}: {rule.pdf_field!r} is not a column letter such as C")
    try:
        parts = fieldpath.parse(block["path"])
    except ValueError:
        raise CatalogError(f"{where}: bad record path {block['path']!r}") from None
    return RowBlock(block["path"], parts, first, most, columns)


@lru_cache(maxsize=16)
def _load(path: str, mtime: float) -> list[SheetMap]:
    import yaml

    from sc_docs import yamlfile

    try:
        data = yamlfile.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"{path}: cannot read the cell map: {exc}") from None
    return parse_cell_map(data, source=path)


def load_cell_map(path: Path) -> list[SheetMap]:
    """Return the parsed cell map at `path` (cached while the file is unchanged)."""
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read the cell map: {exc.strerror or exc}") from None
    return _load(str(path), mtime)


def cell_values(root: Mapping[str, Any], sheets: list[SheetMap]) -> dict[str, dict[str, Any]]:
    """Return {worksheet: {cell: value}} for `root` under the cell map; missing values raise `FormError`."""
    out: dict[str, dict[str, Any]] = {}
    missing: list[str] = []
    for sheet in sheets:
        values = out.setdefault(sheet.name, {})
        for rule in sheet.cells:
            _put(values, rule.pdf_field, rule, fieldpath.get(root, rule.parts, _MISSING), missing)
        for block in sheet.rows:
            items = fieldpath.get(root, block.parts, _MISSING)
            if items is _MISSING or items is None:
                items = []
            if not isinstance(items, list):
                raise FormError(f"{block.path}: must be a list to fill rows of sheet {sheet.name}")
            if len(items) > block.max_rows:
                raise FormError(f"{block.path}: {len(items)} items, but sheet {sheet.name} has room for {block.max_rows}")
            for i, item in enumerate(items):
                for rule in block.columns:
                    cell = f"{rule.pdf_field}{block.first_row + i}"
                    _put(values, cell, rule, fieldpath.get(item, rule.parts, _MISSING), missing, f"{block.path}[{i}].")
    if missing:
        raise FormError("; ".join(missing))
    return out


def _put(values: dict[str, Any], cell: str, rule: FieldRule, value: Any, missing: list[str], prefix: str = "") -> None:
    if value is _MISSING or value is None:
        if not rule.optional:
            missing.append(f"{prefix}{rule.path}: missing in the record (needed for cell {cell})")
        return
    values[cell] = apply_rule(rule, value)


@lru_cache(maxsize=16)
def _template_bytes(path: str, mtime: float) -> bytes:
    return Path(path).read_bytes()


def fill_workbook(entry: Entry, record: Mapping[str, Any], when: dt.datetime) -> bytes:
    """Return `entry`'s XLSX template filled from `record`, stamped `when`.

    Text cells go into the compiled template (`xlsxfill`: what openpyxl would write, without
    loading it); anything it cannot prove it writes as openpyxl does goes through openpyxl.
    """
    from sc_docs.catalog.contract import output_properties
    from sc_docs.catalog.formfill import lookup_root

    cells_path = entry.file("cells")
    sheets = load_cell_map(cells_path)
    values = cell_values(lookup_root(entry, record), sheets)
    path = entry.source_path
    try:
        data = _template_bytes(str(path), path.stat().st_mtime)
    except OSError as exc:
        raise CatalogError(f"cannot read the workbook template: {exc}", file=str(path)) from None
    props = output_properties(entry)
    title = f"{entry.meta.title} - {(record.get('applicant') or {}).get('legal_name', '')}"
    compiled = _compiled(data, cells_path, sheets, props)
    if compiled is not None and compiled.can_fill(values, title, when):
        return _zip_parts(compiled.fill(values, title, when), when)
    return _fill_with_openpyxl(entry, data, values, title, when, props)


def _fill_with_openpyxl(entry: Entry, data: bytes, values: Mapping[str, Mapping[str, Any]], title: str,
                        when: dt.datetime, props: dict[str, str]) -> bytes:
    import openpyxl

    path = entry.source_path
    try:
        book = openpyxl.load_workbook(io.BytesIO(data))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise CatalogError(f"cannot read the workbook template: {exc}", file=str(path)) from None
    for name, cells in values.items():
        if name not in book.sheetnames:
            raise CatalogError(f"{entry.key}: the template has no worksheet {name!r}", file=str(path))
        ws = book[name]
        for cell, value in cells.items():
            ws[cell] = value
    _stamp(book, title, when, props)
    out = io.BytesIO()
    book.save(out)
    return _fixed_zip(out.getvalue(), when)


#: The signed cache's tag of compiled workbooks (their key names the template, map, writer and openpyxl).
TAG = "workbook"
#: Compiled workbook templates of this process, by cache key (None: openpyxl writes that one).
_COMPILED: dict[str, CompiledWorkbook | None] = {}


def _compiled(template: bytes, cells_path: Path, sheets: list[SheetMap], props: dict[str, str]) -> CompiledWorkbook | None:
    """Return the compiled template (from this process, the disk cache, or compiled now), or None.

    With the disk cache off, compiling (three openpyxl saves) would cost more than the one fill
    it serves, so openpyxl fills directly.
    """
    from sc_docs import signedcache

    if not signedcache.enabled():
        return None
    try:
        key = xlsxfill.cache_key(template, cells_path.read_bytes(), props)
    except OSError:
        return None
    if key in _COMPILED:
        return _COMPILED[key]
    payload = signedcache.load(key, TAG)
    if payload is not None:
        compiled = CompiledWorkbook.restore(payload)
    else:
        probes = {
            sheet.name: [rule.pdf_field for rule in sheet.cells] + [
                f"{rule.pdf_field}{block.first_row + i}"
                for block in sheet.rows for i in range(block.max_rows) for rule in block.columns
            ]
            for sheet in sheets
        }
        try:
            compiled = xlsxfill.compile_workbook(
                template, lambda book, title, when: _stamp(book, title, when, props), _zip_parts, probes)
        except Exception:  # noqa: BLE001 - a template openpyxl cannot read: its fill reports why
            compiled = None
        # A template that failed its proof is remembered too, so it is not compiled again.
        signedcache.store(key, TAG, compiled.export() if compiled is not None else {"format": xlsxfill.FORMAT, "usable": False})
    _COMPILED[key] = compiled
    return compiled


def _stamp(book: Any, title: str, when: dt.datetime, props: dict[str, str]) -> None:
    from openpyxl.packaging.custom import StringProperty

    naive = when.replace(tzinfo=None)
    book.properties.title = title
    book.properties.creator = "sc-docs"
    book.properties.lastModifiedBy = "sc-docs"
    book.properties.created = naive
    book.properties.modified = naive
    for name in [p.name for p in book.custom_doc_props.props]:
        if name in props:
            del book.custom_doc_props[name]
    for name, value in props.items():
        book.custom_doc_props.append(StringProperty(name=name, value=value))


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _fixed_zip(data: bytes, when: dt.datetime) -> bytes:
    """Return the zip `data` with fixed entry times and modification time, in its own order."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        return _zip_parts([(info.filename, src.read(info.filename)) for info in src.infolist()], when)


def _zip_parts(parts: list[tuple[str, bytes]], when: dt.datetime) -> bytes:
    """Return the zip of `parts` with fixed entry times and modification time, in the order given.

    openpyxl stamps `modified` with the clock as it saves, whatever the workbook says.
    """
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    entries = []
    for name, content in parts:
        if name == "docProps/core.xml":
            content = _MODIFIED.sub(lambda m: m.group(1) + stamp + m.group(2), content)
        entries.append(zipwrite.deflated(name, content, 6, made_by=zipwrite.UNIX_MADE_BY, external_attr=zipwrite.FILE_MODE))
    return zipwrite.pack(entries)
