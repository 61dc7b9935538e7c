"""CSV rosters: one applicant per row, one column per field path.

Row 1 holds field paths exactly as in the workbook layout (`applicant.legal_name`,
`applicant.scids[0]`, `documents.msa_sc.resources[1].resource_id`, ...); every later row is one
applicant. An empty cell means "not given". Cells are read by the type the schema expects (ZIP
codes stay text, `yes`/`no` become booleans). Columns whose header is empty or starts with `#` are
ignored. UTF-8, with or without a BOM; bytes that are not UTF-8 are read as Windows-1252 (what
Excel on Windows saves as plain "CSV"), and `decode_roster` says so.

A roster never loses rows: a row that cannot be read (a cell opening a quote it never closes)
fails alone, at its own line, and reading resumes on the next line.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import Any

from sc_docs.catalog.layout import NOTICE, upgrade_path
from sc_docs.errors import ScDocsError, SheetError
from sc_docs.sheets.cells import coerce_cell, insert_at, listify
from sc_docs.sheets.loader import MAX_BYTES, record_from
from sc_docs.sheets.problems import Problem
from sc_docs.sheets.record import ApplicantRecord, Location, Path_, parse_path
from sc_docs.sheets.schema import subschema

_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _lines(text: str) -> list[str]:
    """Split `text` into physical lines, ends kept, on the line breaks the csv module knows."""
    return _LINES.findall(text)


CP1252_NOTICE = ("is not UTF-8; read it as Windows-1252 (cp1252). If names look wrong, save it in "
                 "Excel as \"CSV UTF-8 (Comma delimited)\"")


def decode_roster(data: bytes) -> tuple[str, str | None]:
    """Return the text of roster bytes and a notice to show when they were not UTF-8 (else None).

    Windows-1252 leaves five byte values undefined; those become U+FFFD, so no row vanishes.
    """
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), CP1252_NOTICE


def iter_roster(text: str, file: str) -> Iterator[tuple[str, ApplicantRecord | SheetError]]:
    """Yield `(label, record)` per row, or `(label, SheetError)` for a row that cannot be read."""
    # The file is already capped in size (loader.MAX_BYTES); a long cell is then the validator's
    # "too long" for its field, not a parse error that would end the roster.
    if csv.field_size_limit() < MAX_BYTES:
        csv.field_size_limit(MAX_BYTES)
    lines = _lines(text.lstrip("\ufeff"))
    rows = _rows(lines, file)
    try:
        _, header = next(rows)
    except StopIteration:
        raise SheetError("the roster is empty", file=file, line=1) from None
    if isinstance(header, SheetError):
        raise header
    columns, old_layout = _columns(header, file)
    for line, row in rows:
        label = f"{file}:{line}"
        if isinstance(row, SheetError):
            yield label, row
            continue
        if not any(cell.strip() for cell in row):
            continue
        record = _record(row, columns, header, file, line)
        if old_layout:
            record.notices.append(f"{label}: " + NOTICE.format(old="column headers " + ", ".join(old_layout)))
        yield label, record


def _rows(lines: list[str], file: str) -> Iterator[tuple[int, list[str] | SheetError]]:
    """Yield `(first line, cells)` per record; a record that swallows later lines fails alone.

    A quoted cell may hold line breaks, so one record can span several lines. When such a record
    does not come out with the header's number of cells, the quote was a stray one (`"12 Main St`
    never closed): that row is reported at its first line and reading restarts on the next.
    """
    start = 0
    width: int | None = None
    while start < len(lines):
        reader = csv.reader(lines[i] for i in range(start, len(lines)))
        consumed = 0
        while True:
            first = start + consumed
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield first + 1, SheetError(f"invalid CSV: {exc}", file=file, line=first + 1)
                start = first + 1
                break
            spanned = reader.line_num - consumed
            consumed = reader.line_num
            if spanned > 1 and width is not None and len(row) != width:
                yield first + 1, SheetError(
                    "a cell opens a quote (\") that is not closed on this line; this row is skipped "
                    "and the next line is read as the next row", file=file, line=first + 1)
                start = first + 1
                break
            if width is None:
                width = len(row)
            yield first + 1, row
        else:  # pragma: no cover - the loop only ends by return or break
            return


def _columns(header: list[str], file: str) -> tuple[list[tuple[int, Path_] | None], list[str]]:
    """Return each column's field path (None: ignored) and the headers of the old record layout."""
    columns: list[tuple[int, Path_] | None] = []
    old_layout: list[str] = []  # headers of the old record layout, read as documents.<key>
    for i, name in enumerate(header):
        name = name.strip()
        if not name or name.startswith("#"):
            columns.append(None)
            continue
        try:
            path = parse_path(name)
        except ValueError:
            raise SheetError(f"column {i + 1} header {name!r} is not a field path such as applicant.legal_name", file=file, line=1) from None
        columns.append((i, upgrade_path(path)))
        if upgrade_path(path) != path:
            old_layout.append(name)
    return columns, old_layout


def _record(row: list[str], columns: list[tuple[int, Path_] | None], header: list[str], file: str, line: int) -> ApplicantRecord:
    root: dict[str, Any] = {}
    positions: dict[Path_, Location] = {}
    for col in columns:
        if col is None or col[0] >= len(row):
            continue
        idx, path = col
        positions[path] = Location(file, line, f"row {line} column {header[idx].strip()}")
        cell = row[idx]
        # An empty cell is kept as a blank so a required field left empty is named at its cell.
        insert_at(root, path, None if cell == "" else coerce_cell(cell, subschema(path)))
    out_pos: dict[Path_, Location] = {(): Location(file, line)}
    data = listify(root, (), positions, out_pos)
    return record_from(data, f"{file}:{line}", out_pos)


def check_roster(text: str, file: str) -> tuple[list[Problem], int]:
    """Validate every row of a roster as its own applicant; return the problems and an exit code."""
    from sc_docs.sheets.validate import validate_record

    problems: list[Problem] = []
    rows = 0
    try:
        for label, item in iter_roster(text, file):
            rows += 1
            if isinstance(item, ScDocsError):
                problems.append(Problem(file, item.line, "", item.message, "syntax"))
            else:
                problems.extend(validate_record(item))
    except ScDocsError as exc:
        return [Problem(file, getattr(exc, "line", None), "", exc.message, "syntax")], exc.exit_code
    if rows == 0:
        return [Problem(file, 1, "", "the roster holds no applicant rows", "syntax")], 1
    return problems, 1 if problems else 0


def read_roster(path: str) -> tuple[list[Problem], int]:
    """Read and validate the roster at `path` row by row; an unreadable file is exit code 2."""
    from sc_docs.sheets.loader import read_bytes

    try:
        text, _ = decode_roster(read_bytes(path))
    except ScDocsError as exc:
        return [Problem(exc.file or path, getattr(exc, "line", None), "", exc.message,
                        "unreadable" if exc.exit_code == 2 else "syntax")], exc.exit_code
    return check_roster(text, path)
