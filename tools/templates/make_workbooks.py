"""Write the XLSX templates of the catalog's `workbook` documents.

    python tools/templates/make_workbooks.py

The Company Contact List in the shape of CAISO's Excel template (an sc-docs draft of its
columns): a header block for the company, then one row per contact. The cell map
(`pro_forma/contact_list/cells.yaml`) says which cell gets which record value.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent / "pro_forma"
ROWS = 60  # room for contacts; the cell map's max_rows
FIXED = datetime(2026, 11, 29)


def contact_list() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    book = Workbook()
    ws = book.active
    ws.title = "Contacts"
    bold = Font(bold=True)
    ws["A1"] = "COMPANY CONTACT LIST"
    ws["A1"].font = Font(bold=True, size=14)
    for row, label in enumerate(["Company legal name", "SCIDs", "Street address", "City, State ZIP", "As of"], start=3):
        ws.cell(row=row, column=1, value=label).font = bold
    headers = ["Role", "Name", "Title", "Telephone", "Email", "24x7"]
    thin = Side(style="thin")
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(row=8, column=col, value=text)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
        cell.border = Border(bottom=thin)
        cell.alignment = Alignment(horizontal="left")
    for col, width in zip("ABCDEF", [28, 26, 30, 18, 34, 8]):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A9"
    ws["A70"] = "Roles: primary and alternate representative, 24x7 real-time desk, settlements, credit, emergency, UAA, officers."
    book.properties.creator = "sc-docs"
    book.properties.title = "Company Contact List (sc-docs draft)"
    book.properties.created = book.properties.modified = FIXED
    buf = io.BytesIO()
    book.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, (2026, 11, 29, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 3  # as on Unix, whichever system rebuilds it
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def main() -> None:
    path = ROOT / "contact_list" / "template.xlsx"
    path.write_bytes(contact_list())
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
