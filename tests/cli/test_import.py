"""`sc-docs templates import` and `sc-docs forms map`: exit codes, the proposal list, errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.catalog.importing.official import build_docx, build_pdf


def test_templates_import_writes_and_lints(run: Callable, tmp_path: Path) -> None:
    src = build_docx(tmp_path / "official.docx")
    r = run("templates", "import", src, "--key", "sca", "-o", tmp_path / "cat")
    assert r.exit_code == 0, r.stderr
    assert "applicant.legal_name" in r.stdout and "UNMAPPED" in r.stdout
    assert "1 blank(s) not mapped: 15; decide each (--assign N=PATH, or edit the files)" in r.stderr
    assert r.stderr.strip().endswith("sca: ok (templates check)")
    assert (tmp_path / "cat/sca/template.docx").is_file()
    again = run("templates", "import", src, "--key", "sca", "-o", tmp_path / "cat")
    assert again.exit_code == 2
    assert again.stderr.strip() == f"Error: {tmp_path / 'cat' / 'sca'}: already exists; pass --force to replace its files"
    assert run("templates", "import", src, "--key", "sca", "-o", tmp_path / "cat", "--force", "--assign", "15=keep").exit_code == 0


def test_templates_import_json_dry_run(run: Callable, tmp_path: Path) -> None:
    src = build_docx(tmp_path / "official.docx")
    r = run("templates", "import", src, "--key", "sca", "-o", tmp_path / "cat", "--dry-run", "--format", "json")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert data["files"] == [] and data["unmapped"] == [15]
    assert data["blanks"][0]["path"] == "applicant.legal_name" and data["blanks"][0]["kind"] == "bracket"
    assert not (tmp_path / "cat").exists()


def test_templates_import_errors(run: Callable, tmp_path: Path) -> None:
    bad = tmp_path / "notes.docx"
    bad.write_text("plain text")
    r = run("templates", "import", bad, "--key", "sca", "-o", tmp_path / "cat")
    assert r.exit_code == 2
    assert r.stderr.strip().startswith(f"Error: {bad}: not a Word document (.docx):")
    r = run("templates", "import", bad, "--key", "Bad-Key")
    assert r.exit_code == 2
    assert r.stderr.strip() == "Error: --key 'Bad-Key': a key is lower-case letters, digits and _, starting with a letter"
    src = build_docx(tmp_path / "official.docx")
    r = run("templates", "import", src, "--key", "sca", "-o", tmp_path / "c", "--strict")
    assert r.exit_code == 1
    assert r.stderr.strip() == "Error: 1 blank(s) could not be mapped; nothing written (map them with --assign N=PATH)"
    r = run("templates", "import", src, "--key", "sca", "-o", tmp_path / "c", "--assign", "x")
    assert r.exit_code == 2 and "is not N=PATH" in r.stderr


def test_forms_map(run: Callable, tmp_path: Path) -> None:
    src = build_pdf(tmp_path / "official.pdf")
    r = run("forms", "map", src, "--key", "application", "-o", tmp_path / "cat")
    assert r.exit_code == 1  # the unmapped field fails the lint until a person maps it
    assert "1 field(s) not mapped: 11" in r.stderr
    assert "application: misc: form field is not mapped to any record path" in r.stderr
    r = run("forms", "map", src, "--key", "application", "-o", tmp_path / "cat", "--force",
            "--assign", "11=documents.application.scheduling_agent_name")
    assert r.exit_code == 0, r.stderr
    assert r.stderr.strip().endswith("application: ok (templates check)")
    r = run("forms", "map", tmp_path / "missing.pdf", "--key", "application")
    assert r.exit_code == 2 and r.stderr.startswith("Error: ")


def test_a_key_of_another_kind_is_refused(run: Callable, tmp_path: Path) -> None:
    r = run("templates", "import", build_docx(tmp_path / "o.docx"), "--key", "application", "-o", tmp_path / "c")
    assert r.exit_code == 2
    assert r.stderr.strip() == "Error: application is a form, not a Word document; a fillable PDF is brought in with `sc-docs forms map`"
    r = run("forms", "map", build_pdf(tmp_path / "o.pdf"), "--key", "sca", "-o", tmp_path / "c")
    assert r.exit_code == 2
    assert r.stderr.strip() == "Error: sca is an agreement, not a form; a Word document is brought in with `sc-docs templates import`"


def test_the_input_is_never_written_onto(run: Callable, tmp_path: Path) -> None:
    folder = tmp_path / "cat" / "sca"
    folder.mkdir(parents=True)
    src = build_docx(folder / "template.docx")
    before = src.read_bytes()
    r = run("templates", "import", src, "--key", "sca", "-o", tmp_path / "cat", "--force")
    assert r.exit_code == 2
    assert r.stderr.strip() == f"Error: {src}: is the document being imported; import it from a copy, or choose another -o"
    assert src.read_bytes() == before
