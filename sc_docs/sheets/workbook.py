"""The blank Excel workbook: help where the analyst types, so Excel cannot spoil what is typed.

Every text field's cell is formatted as Text before anything is typed: Excel would otherwise turn
the ZIP 02134 into the number 2134, a phone number into 9.16E+09 and a date into a serial number.
Enums and booleans get a dropdown (Excel data validation) listing exactly what the validator
accepts; the description column says the allowed values and the date form.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from sc_docs.sheets.xlsx_source import start_info_sheet

if TYPE_CHECKING:
    from sc_docs.sheets.blank import BlankRow

# A data-validation list is a comma-separated formula of at most 255 characters; longer value
# lists (the 56 state codes) are placed in a hidden worksheet and referenced by range.
_INLINE_LIMIT = 250
LISTS = "Allowed values"


def write_blank_workbook(rows: list[BlankRow]) -> bytes:
    """Return the workbook bytes for `rows` in the documented `Info sheet` layout."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    from sc_docs.sheets.blank import describe

    book = Workbook()
    ws = start_info_sheet(book)
    lists = book.create_sheet(LISTS)
    lists.sheet_state = "hidden"
    validations: dict[tuple[str, ...], DataValidation] = {}
    for row_no, row in enumerate(rows, start=2):
        ws.append((row.path, None, describe(row.schema), row.required))
        value = ws.cell(row=row_no, column=2)
        kind = row.schema.get("type", "string" if "enum" in row.schema else None)
        if kind == "string":
            value.number_format = "@"
        if row.required:
            ws.cell(row=row_no, column=1).font = Font(bold=True)
        options = _options(row.schema)
        if options is None:
            continue
        dv = validations.get(options)
        if dv is None:
            dv = DataValidation(type="list", formula1=_formula(options, lists), allow_blank=True)
            dv.error = f"Choose one of: {', '.join(options)}"[:255]
            dv.errorTitle = "Not an allowed value"
            dv.showErrorMessage = True
            validations[options] = dv
            ws.add_data_validation(dv)
        dv.add(value)
    for col, width in zip("ABCD", (52, 40, 90, 22)):
        ws.column_dimensions[col].width = width
    for line in ws.iter_rows(min_row=2):
        line[2].alignment = Alignment(wrap_text=True)
    ws.freeze_panes = "B2"
    if lists.max_row == 1 and lists["A1"].value is None:
        book.remove(lists)
    book.active = 0
    buf = io.BytesIO()
    book.save(buf)
    return _fixed_times(buf.getvalue())


def _options(schema: dict[str, object]) -> tuple[str, ...] | None:
    if "enum" in schema and isinstance(schema["enum"], list):
        return tuple(str(v) for v in schema["enum"])
    if schema.get("type") == "boolean":
        return ("true", "false")
    return None


def _formula(options: tuple[str, ...], lists: Any) -> str:
    inline = ",".join(options)
    if len(inline) <= _INLINE_LIMIT and not any('"' in o or "," in o for o in options):
        return f'"{inline}"'
    from openpyxl.utils import get_column_letter

    col = lists.max_column + 1 if lists.max_row > 1 or lists["A1"].value is not None else 1
    letter = get_column_letter(col)
    for i, option in enumerate(options, start=1):
        lists.cell(row=i, column=col, value=option)
    return f"'{LISTS}'!${letter}$1:${letter}${len(options)}"


def _fixed_times(data: bytes) -> bytes:
    """Return the workbook with fixed creation times, so the same schemas give the same bytes."""
    import re
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", body)
                body = re.sub(rb"<dc:creator>[^<]*</dc:creator>", b"<dc:creator>sc-docs</dc:creator>", body)
            entry = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3  # zipfile says 0 on Windows: the same bytes on every system
            dst.writestr(entry, body)
    return out.getvalue()
