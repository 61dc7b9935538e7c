"""`sc-docs verify`: exit codes, text and JSON output."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conformance import edits as ed
from tests.conformance.conftest import ACME, rendered


def _write(tmp_path: Path, data: bytes, name: str = "returned.docx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_conforming_draft_exits_0(run, tmp_path: Path) -> None:
    doc = _write(tmp_path, rendered(ACME, "sca"))
    result = run("verify", doc)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "CONFORMING: only the fill-ins differ from the pro forma" in result.stdout
    assert "Scheduling Coordinator Agreement (sca" in result.stdout


def test_edited_draft_exits_1_and_names_the_place(run, tmp_path: Path) -> None:
    data = ed.edit(rendered(ACME, "sca"), ed.replace_text("the CAISO Tariff governs to the extent", "this Agreement governs to the extent"))
    result = run("verify", _write(tmp_path, data))
    assert result.exit_code == 1
    assert "NOT CONFORMING: 1 deviation from the pro forma" in result.stdout
    assert 'Article I, Section 1.2, document paragraph' in result.stdout
    assert '"the CAISO Tariff" -> "this Agreement"' in result.stdout


def test_json_output(run, tmp_path: Path) -> None:
    data = ed.edit(rendered(ACME, "sca"), ed.track_delete("captions and headings are for convenience", "only "))
    result = run("verify", _write(tmp_path, data), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["conforming"] is False
    [dev] = report["deviations"]
    assert (dev["kind"], dev["tracked"], dev["section"]) == ("deleted", True, "1.2")
    assert report["record"]["applicant"]["legal_name"] == "Acme Power & Light, LLC"


def test_sheet_differences_exit_1(run, tmp_path: Path) -> None:
    data = ed.edit(rendered(ACME, "sca"), ed.replace_text("Margaret A. Chen", "Margaret Chen"))
    result = run("verify", _write(tmp_path, data), "--sheet", ACME)
    assert result.exit_code == 1
    assert "CONFORMING" in result.stdout
    assert 'applicant.signatory.name: sheet "Margaret A. Chen", document "Margaret Chen"' in result.stdout
    same = run("verify", _write(tmp_path, rendered(ACME, "sca"), "draft.docx"), "--sheet", ACME)
    assert same.exit_code == 0 and "Fill-ins match" in same.stdout


def test_stripped_properties_say_so(run, tmp_path: Path) -> None:
    data = ed.strip_custom_properties(rendered(ACME, "nca"))
    result = run("verify", _write(tmp_path, data))
    assert result.exit_code == 0
    assert "the most similar template (similarity" in result.stdout
    assert "identified by text similarity" in result.stdout


def test_strict_reports_formatting(run, tmp_path: Path) -> None:
    doc = _write(tmp_path, ed.edit(rendered(ACME, "sca"), ed.change_fonts))
    assert run("verify", doc).exit_code == 0
    strict = run("verify", doc, "--strict")
    assert strict.exit_code == 1 and "formatting changed" in strict.stdout


def test_fill_ins_listed(run, tmp_path: Path) -> None:
    result = run("verify", _write(tmp_path, rendered(ACME, "sca")), "--fill-ins")
    assert 'applicant.legal_name = "Acme Power & Light, LLC"' in result.stdout
    assert "agreement.effective_date = \"2027-04-01\"  (inverted: 'the 1st day of April, 2027')" in result.stdout


def test_stdin(run) -> None:
    result = run("verify", "-", input=rendered(ACME, "sca"))
    assert result.exit_code == 0


def test_not_a_docx_exits_2(run, tmp_path: Path) -> None:
    bad = tmp_path / "notes.docx"
    bad.write_text("not a word document")
    result = run("verify", bad)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {bad}: not a DOCX (zip) file")


def test_missing_file_exits_2(run, tmp_path: Path) -> None:
    absent = tmp_path / "absent.docx"
    result = run("verify", absent)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {absent}: no such file\n"


def test_unknown_template_key_exits_2_with_suggestion(run, tmp_path: Path) -> None:
    result = run("verify", _write(tmp_path, rendered(ACME, "sca")), "--template", "scaa")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "Error: Invalid value for '--template': no document 'scaa' in the catalog. Did you mean 'sca'?"


def test_template_that_is_not_a_docx_exits_2(run, tmp_path: Path) -> None:
    result = run("verify", _write(tmp_path, rendered(ACME, "sca")), "--template", "application")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "Error: Invalid value for '--template': 'application' is a form, not an agreement or a letter"
