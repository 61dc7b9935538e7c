"""`sc-docs validate` and `sc-docs sheet new` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import sc_docs
from tests.conftest import EXAMPLES, INVALID, SAMPLES


def test_valid_samples_exit_0(run) -> None:  # type: ignore[no-untyped-def]
    result = run("validate", *SAMPLES)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout == ""
    # a certification answered false is a warning, not a problem (sierra's customers hold no agreements yet)
    *warnings, last = result.stderr.strip().split("\n")
    assert last == f"{len(SAMPLES)} applicants valid"
    assert [w.split(": ")[1] for w in warnings] == ["documents.application.certifications.customers_have_agreements"]
    assert all(": warning: certification answered false:" in w for w in warnings)


def test_invalid_exit_1_with_json(run) -> None:  # type: ignore[no-untyped-def]
    result = run("validate", "--format", "json", INVALID[0], SAMPLES[0])
    assert result.exit_code == 1
    problems = json.loads(result.stdout)
    assert problems and set(problems[0]) == {"file", "line", "path", "message", "rule", "cell"}
    assert all(p["file"] == str(INVALID[0]) for p in problems)


def test_unreadable_file_exit_2(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("validate", tmp_path / "missing.yaml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip() == f"Error: {tmp_path / 'missing.yaml'}: no such file"
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [\n")
    result = run("validate", bad)
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{bad}:2: invalid YAML")


def test_stdin(run) -> None:  # type: ignore[no-untyped-def]
    result = run("validate", "-", input=SAMPLES[0].read_bytes())
    assert result.exit_code == 0


def test_together_reports_disagreeing_sheets(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a = tmp_path / "a.yaml"
    b = tmp_path / "b.yaml"
    a.write_text(SAMPLES[0].read_text())
    b.write_text("applicant:\n  legal_name: Acme Power & Light LLC\n")
    result = run("validate", "--together", a, b)
    assert result.exit_code == 1
    assert "differs between sheets of the same applicant: 'Acme Power & Light, LLC' at" in result.stdout


def test_blank_yaml_sheet_lists_every_field(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "blank.yaml"
    result = run("sheet", "new", "-o", out)
    assert result.exit_code == 0
    text = out.read_text()
    for name in ("legal_name:", "scid_choices:", "rims_project_code:", "user_access_administrator:", "# (required) Full legal name"):
        assert name in text
    # The blank sheet is a YAML a user can fill: it parses, and validation lists what is missing.
    result = run("validate", out)
    assert result.exit_code == 1


def test_blank_xlsx_filled_reads_back_like_yaml(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    out = tmp_path / "blank.xlsx"
    assert run("sheet", "new", "--xlsx", "-o", out).exit_code == 0
    record = sc_docs.load_applicant(EXAMPLES / "acme-power-and-light.yaml").data
    book = load_workbook(out)
    ws = book["Info sheet"]
    from sc_docs.sheets.record import parse_path

    filled = 0
    for row in ws.iter_rows(min_row=2):
        node = record
        try:
            for part in parse_path(row[0].value):
                node = node[part]
        except (KeyError, IndexError, TypeError):
            continue
        row[1].value = node
        filled += 1
    book.save(out)
    assert filled > 50
    loaded = sc_docs.load_applicant(out).data
    assert loaded == record


def test_help_lists_commands(run) -> None:  # type: ignore[no-untyped-def]
    result = run("--help")
    assert result.exit_code == 0
    assert "validate" in result.stdout and "sheet" in result.stdout


def test_unknown_command_suggests(run) -> None:  # type: ignore[no-untyped-def]
    result = run("validat")
    assert result.exit_code == 2
    assert "Did you mean 'validate'?" in result.stderr
