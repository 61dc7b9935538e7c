"""The blank workbook: dropdowns, text cells, help text; errors point at the field's row."""

from __future__ import annotations

from pathlib import Path

import pytest

openpyxl = pytest.importorskip("openpyxl")


def _blank(run, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    out = tmp_path / "blank.xlsx"
    assert run("sheet", "new", "--xlsx", "-o", out).exit_code == 0
    return out


def _rows(book) -> dict[str, int]:  # type: ignore[no-untyped-def]
    ws = book["Info sheet"]
    return {row[0].value: row[0].row for row in ws.iter_rows(min_row=2)}


def test_dropdowns_text_cells_and_help(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book = openpyxl.load_workbook(_blank(run, tmp_path))
    ws = book["Info sheet"]
    rows = _rows(book)
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    joined = " ".join(lists)

    def dropdown(path: str) -> str:
        cell = f"B{rows[path]}"
        for ref, formula in lists.items():
            if cell in ref.split():
                return formula
        raise AssertionError(f"no dropdown on {path} ({cell}) in {joined}")

    assert dropdown("applicant.entity_type") == '"municipal_utility,power_marketer,investor_owned_utility,federal_or_state_entity,other"'
    assert dropdown("documents.application.uses_scheduling_agent") == '"true,false"'
    assert dropdown("documents.application.fee.payment_method") == '"wire,ach,check"'
    assert dropdown("applicant.legal_address.state").startswith('"AL,AK,')
    for path in ("applicant.legal_address.zip", "applicant.primary_representative.phone", "applicant.scids[0]",
                 "documents.application.application_date"):
        assert ws[f"B{rows[path]}"].number_format == "@", path
    assert ws[f"C{rows['documents.application.application_date']}"].value.endswith("Date as YYYY-MM-DD, e.g. 2027-01-15.")
    assert "One of: wire, ach, check" in ws[f"C{rows['documents.application.fee.payment_method']}"].value
    assert ws[f"D{rows['applicant.legal_name']}"].value == "yes"
    assert ws[f"D{rows['documents.application.emergency_contact.name']}"].value == "if documents.application is given"
    assert ws[f"D{rows['applicant.primary_representative.fax']}"].value in (None, "")


def test_blank_workbook_is_deterministic(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = _blank(run, tmp_path).read_bytes()
    (tmp_path / "blank.xlsx").unlink()
    assert _blank(run, tmp_path).read_bytes() == first


def test_required_errors_point_at_the_field_row(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _blank(run, tmp_path)
    book = openpyxl.load_workbook(path)
    ws = book["Info sheet"]
    rows = _rows(book)
    ws[f"B{rows['documents.application.application_date']}"] = "2027-01-04"
    book.save(path)
    result = run("validate", path)
    assert result.exit_code == 1
    row = rows["documents.application.emergency_contact.name"]
    assert f"{path}:'Info sheet'!B{row}: documents.application.emergency_contact.name: required field is empty" in result.stdout.splitlines()
    assert f"{path}:'Info sheet'!B{rows['applicant.legal_name']}: applicant.legal_name: required field is empty" in result.stdout.splitlines()
    assert "!A1:" not in result.stdout


def test_zip_typed_as_number_says_the_leading_zero_was_lost(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _blank(run, tmp_path)
    book = openpyxl.load_workbook(path)
    ws = book["Info sheet"]
    row = _rows(book)["applicant.legal_address.zip"]
    cell = ws[f"B{row}"]
    cell.value = 2134
    cell.number_format = "General"
    book.save(path)
    lines = run("validate", path).stdout.splitlines()
    assert (f"{path}:'Info sheet'!B{row}: applicant.legal_address.zip: Excel stored 2134 as a number and dropped its "
            "leading zero (was it 02134?); format the cell as Text and type it again") in lines
    assert sum("legal_address.zip" in line for line in lines) == 1
