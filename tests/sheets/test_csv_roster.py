"""CSV rosters never lose rows: a broken row fails alone at its true line; parsing is linear."""

from __future__ import annotations

from pathlib import Path

from sc_docs.errors import SheetError
from sc_docs.sheets.csv_source import iter_roster

HEADER = "applicant.legal_name,applicant.legal_address.street[0],applicant.legal_address.city\n"
ROSTER = HEADER + (
    "Alpha LLC,1 A St,Folsom\n"
    'Beta LLC,"12 Main St,Folsom\n'
    'Gamma LLC,"3 C St\nSuite 4",Folsom\n'
    "Delta LLC,4 D St,Folsom\n"
    "Eps LLC,5 E St,Folsom\n"
    "Zeta LLC,6 F St,Folsom\n"
)


def test_stray_quote_fails_only_its_row_at_its_true_line() -> None:
    rows = list(iter_roster(ROSTER, "r.csv"))
    assert [label for label, _ in rows] == ["r.csv:2", "r.csv:3", "r.csv:4", "r.csv:6", "r.csv:7", "r.csv:8"]
    broken = rows[1][1]
    assert isinstance(broken, SheetError)
    assert str(broken) == ('r.csv:3: a cell opens a quote (") that is not closed on this line; this row is '
                           "skipped and the next line is read as the next row")
    names = [r.data["applicant"]["legal_name"] for _, r in rows if not isinstance(r, SheetError)]
    assert names == ["Alpha LLC", "Gamma LLC", "Delta LLC", "Eps LLC", "Zeta LLC"]
    # A quoted cell that really spans lines is still one cell.
    assert rows[2][1].data["applicant"]["legal_address"]["street"] == ["3 C St\nSuite 4"]  # type: ignore[union-attr]


def test_validate_roster_row_by_row(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    result = run("validate", roster)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert (f'{roster}:3: a cell opens a quote (") that is not closed on this line; this row is skipped '
            "and the next line is read as the next row") in lines
    assert {line.split(":")[1] for line in lines} == {"2", "3", "4", "6", "7", "8"}
    assert f"{roster}:8: applicant.entity_type: required field is missing" in lines


def test_valid_roster_validates(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import csv
    import io

    import yaml

    from sc_docs.sheets.xlsx_source import _rows
    from tests.conftest import SAMPLES

    flat = [dict(_rows(yaml.safe_load(s.read_text()))) for s in SAMPLES]
    header = sorted({k for row in flat for k in row})
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    for row in flat:
        writer.writerow(["true" if row.get(h) is True else "false" if row.get(h) is False else row.get(h, "") for h in header])
    roster = tmp_path / "ok.csv"
    roster.write_text(buf.getvalue())
    result = run("validate", roster)
    assert (result.exit_code, result.stdout) == (0, "")


def test_empty_cell_of_required_field_is_named_at_its_cell(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    roster = tmp_path / "roster.csv"
    roster.write_text(HEADER + ",1 A St,Folsom\n")
    lines = run("validate", roster).stdout.splitlines()
    assert f"{roster}:row 2 column applicant.legal_name: applicant.legal_name: required field is empty" in lines


def test_many_list_columns_parse_in_one_pass() -> None:
    """16,000 list columns: positions are moved in one walk, never rescanned per item."""
    from sc_docs.sheets.record import Location
    from sc_docs.sheets.cells import listify

    class Counting(dict):  # type: ignore[type-arg]
        reads = 0

        def __contains__(self, key: object) -> bool:
            Counting.reads += 1
            return super().__contains__(key)

        def items(self):  # type: ignore[no-untyped-def]
            raise AssertionError("positions scanned whole")

    n = 16_000
    positions = Counting({("applicant", "scids", i): Location("big.csv", 2, f"c{i}") for i in range(n)})
    out_pos: dict = {}  # type: ignore[type-arg]
    data = listify({"applicant": {"scids": {i: f"A{i:03d}" for i in range(n)}}}, (), positions, out_pos)
    assert len(data["applicant"]["scids"]) == n
    assert Counting.reads <= n + 3
    assert out_pos[("applicant", "scids", n - 1)].cell == f"c{n - 1}"


def test_wide_roster_reads_every_list_column() -> None:
    n = 16_000
    text = ",".join(["applicant.legal_name"] + [f"applicant.scids[{i}]" for i in range(n)]) + "\n"
    text += ",".join(["Acme LLC"] + [f"A{i % 1000:03d}" for i in range(n)]) + "\n"
    ((_, record),) = list(iter_roster(text, "big.csv"))
    assert not isinstance(record, SheetError)
    assert len(record.data["applicant"]["scids"]) == n
    assert record.locate(("applicant", "scids", n - 1)).cell == f"row 2 column applicant.scids[{n - 1}]"
