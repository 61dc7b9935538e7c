"""Info sheets as Excel workbooks: one row per field, so analysts can fill them without YAML.

Layout of the worksheet `Info sheet` (row 1 is a header):
  A `Field`: the field path as in the schema, list items by index (`applicant.scids[0]`,
    `documents.msa_sc.resources[1].resource_id`); rows whose A cell is empty or starts with `#`
    are ignored;
  B `Value`: the value; an empty cell means "not given";
  C `Description`, D `Required`: help text written by `sc-docs sheet new --xlsx`, ignored on reading.
Cells are read by the type the schema expects: a number typed into a text field (a ZIP code) becomes
text, an Excel date becomes YYYY-MM-DD, `yes`/`no` become booleans.
"""

from __future__ import annotations

import io
import re
from typing import Any

from sc_docs.errors import SheetError
from sc_docs.sheets.problems import Problem
from sc_docs.sheets.cells import coerce_cell, insert_at, listify
from sc_docs.sheets.record import Location, Path_, format_path, parse_path
from sc_docs.catalog.layout import upgrade_path
from sc_docs.sheets.schema import Field, subschema
from sc_docs.sheets.yaml_source import MAX_TEXT

SHEET = "Info sheet"
HEADER = ("Field", "Value", "Description", "Required")

# A workbook is a zip: bound what reading it may expand to before openpyxl inflates anything.
MAX_EXPANDED = 100 * 1024 * 1024
MAX_ENTRIES = 1_000
MAX_RATIO = 200

# Excel stores characters XML cannot hold as `_xHHHH_` (ECMA-376 ST_Xstring); openpyxl leaves
# them escaped. Decoded, a pasted control character reaches the validator, which names the field.
_XSTRING = re.compile(r"_x([0-9A-Fa-f]{4})_")


_XSTRING_START = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")


_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _escape(text: str) -> str:
    """Write `text` as Excel does: literal `_x0041_` text kept, control characters as `_xHHHH_`."""
    text = _XSTRING_START.sub("_x005F_", text)
    return _UNWRITABLE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def _unescape(text: str) -> str:
    return _XSTRING.sub(lambda m: chr(int(m.group(1), 16)), text)


def _check_zip(data: bytes, file: str) -> None:
    """Refuse workbooks whose zip would expand too far (a zip bomb) before reading them."""
    import zipfile
    import zlib

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, NotImplementedError, EOFError) as exc:
        raise SheetError(f"not a readable .xlsx workbook ({type(exc).__name__}); is it a CSV or another file renamed?", file=file) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ENTRIES:
            raise SheetError(f"the workbook holds {len(infos):,} parts, more than {MAX_ENTRIES:,}; it is not an info sheet", file=file)
        total = sum(i.file_size for i in infos)
        if total > MAX_EXPANDED or total > MAX_RATIO * max(len(data), 1) + 10 * 1024 * 1024:
            raise SheetError(f"the workbook would expand to {total:,} bytes (a zip bomb?); it is not an info sheet", file=file)
        # The sizes above are only what the headers claim. Inflate each part in bounded chunks
        # (zipfile stops at the claimed size and checks the CRC): a part that lies is refused
        # here, before openpyxl inflates it in one call.
        for info in infos:
            try:
                with zf.open(info) as fh:
                    while fh.read(1 << 20):
                        pass
            except (zipfile.BadZipFile, zlib.error, OSError, ValueError, NotImplementedError, RuntimeError, EOFError) as exc:
                raise SheetError(f"the workbook is damaged: part {info.filename} cannot be read ({exc})", file=file) from None


def parse_xlsx(data: bytes, file: str) -> tuple[Any, dict[Path_, Location]]:
    """Return the record in workbook bytes `data` and the cell of every value."""
    record, positions, _ = read_xlsx(data, file)
    return record, positions


def read_xlsx(data: bytes, file: str) -> tuple[Any, dict[Path_, Location], list[Problem]]:
    """Return the record in workbook bytes `data`, the cell of every value, and notes on cells.

    Rows whose value is empty are kept as null (blank, "not given") so the validator can point at
    the row of a required field left empty. The notes say where Excel spoiled a value (a ZIP code
    stored as a number lost its leading zero).
    """
    import zipfile
    import zlib

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if not data:
        raise SheetError("the file is empty", file=file)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise SheetError(
            "this is an encrypted (password-protected) or legacy .xls workbook; "
            "remove the password and save it as .xlsx", file=file)
    _check_zip(data, file)
    # What openpyxl raises on a damaged or hostile package (its XML parsers' errors are SyntaxErrors).
    unreadable = (zipfile.BadZipFile, zlib.error, InvalidFileException, KeyError, OSError, ValueError, NotImplementedError,
                  EOFError, SyntaxError, TypeError, AttributeError, IndexError)

    def refuse(exc: BaseException) -> SheetError:
        return SheetError(f"not a readable .xlsx workbook ({type(exc).__name__}); is it a CSV or another file renamed?", file=file)

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except unreadable as exc:
        raise refuse(exc) from None
    try:
        return _read_book(book, file)
    except unreadable as exc:
        raise refuse(exc) from None
    finally:
        book.close()


def _read_book(book: Any, file: str) -> tuple[Any, dict[Path_, Location], list[Problem]]:
    """Read the rows of the worksheet `Info sheet` into a record and the cell of each value."""
    if SHEET not in book.sheetnames:
        raise SheetError(f"the workbook has no worksheet named '{SHEET}' (it has: {', '.join(book.sheetnames)})", file=file)
    ws = book[SHEET]
    if hasattr(ws, "reset_dimensions"):
        # Read-only worksheets stop at the size the file declares; a stale <dimension> (written
        # by many tools other than Excel) would drop the rows past it without a word.
        ws.reset_dimensions()
    root: dict[str, Any] = {}
    positions: dict[Path_, Location] = {}
    notes: list[Problem] = []
    text_size = 0
    for row_no, row in enumerate(ws.iter_rows(min_row=2, max_col=2, values_only=True), start=2):
        if len(row) < 1:
            continue
        name, value = (row + (None, None))[:2]
        if name is None or (isinstance(name, str) and (not name.strip() or name.strip().startswith("#"))):
            continue
        if value == "":
            value = None
        if isinstance(value, str):
            # Cells may share one string: bound the text they add up to, as aliases are in YAML.
            text_size += len(value)
            if text_size > MAX_TEXT:
                raise SheetError(f"cell B{row_no}: the sheet expands to more than {MAX_TEXT:,} characters of text", file=file)
            value = _unescape(value)
        try:
            path = parse_path(str(name).strip())
        except ValueError:
            raise SheetError(f"cell A{row_no}: {str(name)!r} is not a field path such as applicant.legal_name", file=file) from None
        if path in positions:
            raise SheetError(f"cell A{row_no}: field {name} is given twice (first at {positions[path].cell})", file=file)
        cell = f"'{SHEET}'!B{row_no}"
        positions[path] = Location(file, None, cell)
        schema = subschema(upgrade_path(path))  # old-layout rows: typed as their new place
        coerced = coerce_cell(value, schema)
        lost = _lost_zero(value, coerced, schema)
        if lost:
            notes.append(Problem(file, None, format_path(path), (
                f"Excel stored {coerced} as a number and dropped its leading zero (was it {lost}?); "
                "format the cell as Text and type it again"), "leading-zero-lost", cell))
        try:
            insert_at(root, path, coerced)
        except (TypeError, AttributeError):
            raise SheetError(f"cell A{row_no}: field path {name} conflicts with another row", file=file) from None
    if not positions:
        raise SheetError(f"the worksheet '{SHEET}' holds no values", file=file)
    out_pos: dict[Path_, Location] = {(): Location(file, None, f"'{SHEET}'!A1")}
    record = listify(root, (), positions, out_pos)
    return record, out_pos, notes


def _lost_zero(raw: Any, text: Any, schema: dict[str, Any] | None) -> str | None:
    """Return the zero-padded text a numeric cell probably held, when only that fits the field."""
    pattern = (schema or {}).get("pattern")
    if not isinstance(pattern, str) or isinstance(raw, bool) or not isinstance(raw, (int, float)) or not isinstance(text, str):
        return None
    if not text.isdigit() or re.search(pattern, text):
        return None
    for width in range(len(text) + 1, len(text) + 4):
        if re.search(pattern, text.zfill(width)):
            return text.zfill(width)
    return None


def _rows(data: Any, path: Path_ = ()) -> list[tuple[str, Any]]:
    if isinstance(data, dict):
        return [r for k, v in data.items() for r in _rows(v, (*path, k))]
    if isinstance(data, list):
        return [r for i, v in enumerate(data) for r in _rows(v, (*path, i))]
    return [(format_path(path), data)]


def start_info_sheet(book: Any) -> Any:
    """Return `book`'s first worksheet named and headed as the documented `Info sheet` layout."""
    from openpyxl.styles import Font, PatternFill

    ws = book.active
    ws.title = SHEET
    ws.append(HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
    return ws


def write_xlsx(record: dict[str, Any] | None, fields: list[Field] | None = None) -> bytes:
    """Return a workbook in the documented layout holding `record`, or blank rows for `fields`."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    book = Workbook()
    ws = start_info_sheet(book)
    if record is not None:
        for name, value in _rows(record):
            schema = subschema(parse_path(name)) or {}
            ws.append((name, None, schema.get("description", ""), ""))
            cell = ws.cell(row=ws.max_row, column=2)
            cell.value = _escape(value) if isinstance(value, str) else value
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, even when the text starts with '='
    for f in fields or []:
        ws.append((f.path, None, f.description, "yes" if f.required else ""))
    for col, width in zip("ABCD", (52, 40, 90, 10)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True)
    ws.freeze_panes = "B2"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
