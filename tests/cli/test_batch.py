"""`sc-docs batch` from the command line: rosters from Windows Excel, escaped names."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import yaml

from sc_docs.sheets.record import format_path
from tests.conftest import EXAMPLES

ACME = EXAMPLES / "acme-power-and-light.yaml"


def _flat(data: object, path: tuple = ()) -> dict[str, object]:
    if isinstance(data, dict):
        return {k: v for key, val in data.items() for k, v in _flat(val, (*path, key)).items()}
    if isinstance(data, list):
        return {k: v for i, val in enumerate(data) for k, v in _flat(val, (*path, i)).items()}
    return {format_path(path): data}


def _roster_text(legal_name: str) -> str:
    row = _flat(yaml.safe_load(ACME.read_text(encoding="utf-8")))
    row["applicant.legal_name"] = legal_name
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    header = sorted(row)
    w.writerow(header)
    w.writerow(["true" if row[h] is True else "false" if row[h] is False else row[h] for h in header])
    return buf.getvalue()


def test_cp1252_roster_is_read_and_the_run_says_so(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A roster saved by Windows Excel as plain "CSV" (cp1252), as the README documents."""
    roster = tmp_path / "roster.csv"
    roster.write_bytes(_roster_text("Société Énergie du Nord, LLC").encode("cp1252"))
    result = run("batch", roster, "-o", tmp_path / "out", "-j", "1", "-q")
    assert result.exit_code == 0, result.stderr + result.stdout
    assert result.stderr.splitlines()[0] == (
        f'note: {roster} is not UTF-8; read it as Windows-1252 (cp1252). If names look wrong, save it in '
        'Excel as "CSV UTF-8 (Comma delimited)"'
    )
    report = json.loads((tmp_path / "out" / "batch-report.json").read_text(encoding="utf-8"))
    (entry,) = report["entries"]
    manifest = json.loads((tmp_path / "out" / entry["slug"] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["legal_name"] == "Société Énergie du Nord, LLC"


def test_utf8_roster_gets_no_note(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    roster = tmp_path / "roster.csv"
    roster.write_bytes(_roster_text("Société Énergie du Nord, LLC").encode("utf-8-sig"))
    result = run("batch", roster, "-o", tmp_path / "out", "-j", "1", "-q")
    assert result.exit_code == 0, result.stderr + result.stdout
    assert "note:" not in result.stderr


def test_hostile_file_names_are_escaped(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sheets = tmp_path / "in"
    sheets.mkdir()
    hostile = sheets / "evil\x1b]0;pwned\x07.yaml"
    hostile.write_text("applicant: [\n")
    result = run("batch", sheets, "-o", tmp_path / "out", "-j", "1")
    assert result.exit_code == 1
    assert "\x1b" not in result.stdout + result.stderr and "\x07" not in result.stdout + result.stderr
    assert "evil\\x1b]0;pwned\\x07.yaml" in result.stdout


def test_batch_again_keeps_the_users_files_and_says_so(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    assert run("batch", ACME, "-o", out, "-j", "1", "-q").exit_code == 0
    folder = out / "acme-power-and-light-llc"
    (folder / "notes.txt").write_text("call back Tuesday")
    result = run("batch", ACME, "-o", out, "-j", "1", "-q", "--force")
    assert result.exit_code == 0, result.stderr
    assert f"kept 1 file sc-docs did not write in {folder}: notes.txt" in result.stderr.splitlines()
    assert (folder / "notes.txt").read_text() == "call back Tuesday"
