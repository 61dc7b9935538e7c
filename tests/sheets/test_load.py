"""Loading sheets: YAML, JSON and XLSX, positions, safety limits, several sheets per applicant."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import sc_docs
from sc_docs.errors import ScDocsError, SheetError, UnreadableFileError
from sc_docs.sheets.xlsx_source import write_xlsx
from tests.conftest import SAMPLES


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_every_sample_is_valid(path: Path) -> None:
    record = sc_docs.load_applicant(path)
    assert sc_docs.validate(record) == []


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_json_and_xlsx_give_the_same_record_as_yaml(path: Path, tmp_path: Path) -> None:
    data = sc_docs.load_applicant(path).data
    j = tmp_path / "sheet.json"
    j.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    x = tmp_path / "sheet.xlsx"
    x.write_bytes(write_xlsx(data))
    assert sc_docs.load_applicant(j).data == data
    assert sc_docs.load_applicant(x).data == data


def test_yaml_positions_point_at_the_line(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text("applicant:\n  legal_name: X\n  scids:\n    - ACME\n    - BAD\n")
    rec = sc_docs.load_applicant(f)
    assert rec.locate(("applicant", "scids", 1)).line == 5
    assert rec.locate(("applicant", "legal_name")).line == 2
    assert rec.locate(("applicant", "nothing", "here")).line == 1


def test_json_positions_point_at_the_line(tmp_path: Path) -> None:
    f = tmp_path / "s.json"
    f.write_text('{\n "applicant": {\n  "legal_name": "X"\n }\n}\n')
    assert sc_docs.load_applicant(f).locate(("applicant", "legal_name")).line == 3


def test_xlsx_positions_name_the_cell(tmp_path: Path) -> None:
    f = tmp_path / "s.xlsx"
    f.write_bytes(write_xlsx({"applicant": {"legal_name": "X", "scids": ["A1"]}}))
    problems = sc_docs.validate(sc_docs.load_applicant(f))
    scid = [p for p in problems if p.path == "applicant.scids[0]"]
    assert scid and scid[0].cell == "'Info sheet'!B3"
    assert scid[0].format().startswith(f"{f}:'Info sheet'!B3: applicant.scids[0]: SCID must be")


def test_xlsx_cells_follow_the_schema_types(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = "Info sheet"
    ws.append(("Field", "Value"))
    ws.append(("applicant.legal_address.zip", 95630))
    ws.append(("application.uses_scheduling_agent", "Yes"))
    ws.append(("application.fee.amount", "7,500"))
    ws.append(("# a comment row", "ignored"))
    ws.append(("applicant.legal_address.street[0]", "1 Main St"))
    ws.append(("applicant.legal_address.street[2]", "Suite 2"))
    f = tmp_path / "w.xlsx"
    book.save(f)
    record = sc_docs.load_applicant(f)
    data = record.data
    assert data["applicant"]["legal_address"] == {"zip": "95630", "street": ["1 Main St", "Suite 2"]}
    # rows of the old layout (a top-level form section) are typed and placed as documents.<key>
    assert data["documents"]["application"] == {"uses_scheduling_agent": True, "fee": {"amount": 7500}}
    assert len(record.notices) == 1 and "old layout (application)" in record.notices[0]


def test_text_starting_with_equals_is_not_a_formula(tmp_path: Path) -> None:
    f = tmp_path / "s.xlsx"
    f.write_bytes(write_xlsx({"applicant": {"legal_name": "=HYPERLINK(\"x\")"}}))
    assert sc_docs.load_applicant(f).data["applicant"]["legal_name"] == '=HYPERLINK("x")'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("a: [1, 2\n", "invalid YAML"),
        ("applicant: !!python/object:os.system {}\n", "custom YAML tag"),
        ("applicant: !Ref x\n", "custom YAML tag"),
        ("applicant:\n  legal_name: A\n  legal_name: B\n", "appears twice"),
        ("a: .nan\n", "not a number"),
        ("a: &x {b: 1}\nc:\n  <<: *x\n", "merge keys"),
        ("- 1\n- 2\n", "top level must be a section"),
    ],
    ids=["empty", "syntax", "python-tag", "custom-tag", "duplicate", "nan", "merge", "list"],
)
def test_bad_yaml_is_a_located_sheet_error(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(text)
    with pytest.raises(SheetError, match=message):
        sc_docs.load_applicant(f)


def test_alias_bomb_is_refused_fast(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    f = tmp_path / "bomb.yaml"
    f.write_text("\n".join(lines) + "\n")
    with pytest.raises(SheetError, match="alias bomb"):
        sc_docs.load_applicant(f)


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "deep.json"
    f.write_text("[" * 5000 + "]" * 5000)
    with pytest.raises(SheetError, match="nested"):
        sc_docs.load_applicant(f)


@pytest.mark.parametrize(
    ("text", "message"),
    [('{"a": 1, "a": 2}', "appears twice"), ('{"a": NaN}', "NaN"), ('{"a": Infinity}', "Infinity"), ('{"a": ', "invalid JSON")],
    ids=["duplicate", "nan", "infinity", "truncated"],
)
def test_bad_json_is_a_sheet_error(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "s.json"
    f.write_text(text)
    with pytest.raises(SheetError, match=message):
        sc_docs.load_applicant(f)


def test_non_utf8_names_the_byte_and_line(tmp_path: Path) -> None:
    f = tmp_path / "latin1.yaml"
    f.write_bytes("applicant:\n  legal_name: Caf\u00e9\n".encode("latin-1"))
    with pytest.raises(SheetError, match=r"not UTF-8 text \(byte 0xe9 at line 2\)"):
        sc_docs.load_applicant(f)


def test_folder_given_as_file_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match="no such file"):
        sc_docs.load_applicant(tmp_path / "nope.yaml")
    with pytest.raises(UnreadableFileError, match="holds no info sheets"):
        sc_docs.load_applicant(tmp_path)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"name,legal_name\nA,B\n", "not a readable .xlsx"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "password-protected")],
    ids=["csv-renamed", "encrypted"],
)
def test_bad_workbooks(tmp_path: Path, content: bytes, message: str) -> None:
    f = tmp_path / "s.xlsx"
    f.write_bytes(content)
    with pytest.raises(SheetError, match=message):
        sc_docs.load_applicant(f)


def test_several_sheets_of_one_applicant_must_agree(tmp_path: Path) -> None:
    data = yaml.safe_load(SAMPLES[0].read_text())
    a = {"applicant": data["applicant"], "agreements": {"sca": data["documents"]["sca"]}}  # the old layout
    b = {"applicant": {**data["applicant"], "legal_name": "Acme Power & Light LLC"}, "application": data["documents"]["application"]}
    (tmp_path / "a-sca.yaml").write_text(yaml.safe_dump(a, sort_keys=False, allow_unicode=True))
    (tmp_path / "b-application.yaml").write_text(yaml.safe_dump(b, sort_keys=False, allow_unicode=True))
    record = sc_docs.load_applicant(tmp_path)
    assert set(record.data) == {"applicant", "documents"}  # both sheets use the old layout
    assert set(record.data["documents"]) == {"sca", "application"}
    assert len(record.notices) == 2
    problems = sc_docs.validate(record)
    assert [p.rule for p in problems] == ["same-applicant"]
    msg = problems[0].format()
    assert "applicant.legal_name" in msg
    assert "'Acme Power & Light, LLC' at " + str(tmp_path / "a-sca.yaml") + ":2" in msg
    assert "'Acme Power & Light LLC' at " + str(tmp_path / "b-application.yaml") + ":2" in msg


def test_loader_raises_only_sc_docs_errors_on_garbage(tmp_path: Path) -> None:
    for i, blob in enumerate([b"\x00\x01", b"PK\x03\x04garbage", b"{]", b"\xff\xfe", b"key: [\n" * 10]):
        f = tmp_path / f"g{i}.yaml"
        f.write_bytes(blob)
        with pytest.raises(ScDocsError):
            sc_docs.validate(sc_docs.load_applicant(f))
