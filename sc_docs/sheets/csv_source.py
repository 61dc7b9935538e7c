"""CSV rosters: one applicant per row, one column per field path.

Row 1 holds field paths exactly as in the workbook layout (`applicant.legal_name`,
`applicant.scids[0]`, `documents.msa_sc.resources[1].resource_id`, ...); every later row is one
applicant. An empty cell means "not given". Cells are read by the type the schema expects (ZIP
codes stay text, `yes`/`no` become booleans). Columns whose header is empty or starts with `#` are
ignored. UTF-8, with or without a BOM; bytes that are not UTF-8 are read as Windows-1252 (what
Excel on Windows saves as plain "CSV"), and `decode_roster` says so.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from sc_docs.catalog.layout import NOTICE, upgrade_path
from sc_docs.errors import SheetError
from sc_docs.sheets.loader import MAX_BYTES
from sc_docs.sheets.record import ApplicantRecord, Location, Path_, parse_path
from sc_docs.sheets.schema import subschema
from sc_docs.sheets.xlsx_source import _coerce, _insert, _listify


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
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        raise SheetError("the roster is empty", file=file, line=1) from None
    except csv.Error as exc:
        raise SheetError(f"invalid CSV: {exc}", file=file, line=1) from None
    columns: list[tuple[int, Path_] | None] = []
    old_layout: list[str] = []  # headers of the old record layout, read as documents.<key>
    for i, name in enumerate(header):
        name = name.strip()
        if not name or name.startswith("#"):
            columns.append(None)
            continue
        try:
            path = parse_path(name)
            columns.append((i, upgrade_path(path)))
            if upgrade_path(path) != path:
                old_layout.append(name)
        except ValueError:
            raise SheetError(f"column {i + 1} header {name!r} is not a field path such as applicant.legal_name", file=file, line=1) from None
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # One unreadable row fails that applicant only; the reader resumes at the next line.
            yield f"{file}:{reader.line_num}", SheetError(f"invalid CSV: {exc}", file=file, line=reader.line_num)
            if reader.line_num == line:
                return  # no progress: nothing more can be read
            line = reader.line_num
            continue
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        label = f"{file}:{line}"
        root: dict[str, Any] = {}
        positions: dict[Path_, Location] = {}
        for col in columns:
            if col is None or col[0] >= len(row) or row[col[0]] == "":
                continue
            idx, path = col
            positions[path] = Location(file, line, f"row {line} column {header[idx].strip()}")
            _insert(root, path, _coerce(row[idx], subschema(path)))
        out_pos: dict[Path_, Location] = {(): Location(file, line)}
        data = _listify(root, (), positions, out_pos)
        notices = [f"{label}: " + NOTICE.format(old="column headers " + ", ".join(old_layout))] if old_layout else []
        yield label, ApplicantRecord(data=data, sources=[label], positions=out_pos, notices=notices)
