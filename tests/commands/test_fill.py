"""`sc-docs fields` and `sc-docs fill` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.engines import pdf_builders as build


@pytest.fixture
def form(tmp_path: Path) -> Path:
    path = tmp_path / "form.pdf"
    path.write_bytes(build.reportlab_form())
    return path


def test_fields_text_lists_names_types_and_options(run, form: Path) -> None:
    result = run("fields", form)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["name", "text", "p1"]
    assert any(line.startswith("kind") and "options: llc, corp, coop" in line for line in lines)
    assert any(line.startswith("scid") and "max 4" in line for line in lines)


def test_fields_json_is_the_field_info_list(run, form: Path) -> None:
    result = run("fields", form, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data[3] == {
        "name": "agree", "type": "checkbox", "value": False, "options": ["Yes"], "page": 1,
        "max_length": None, "multiline": False, "readonly": False, "orphan": False,
    }


def test_fill_from_yaml_writes_the_pdf(run, form: Path, tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("name: Renée Dvořák\nagree: true\nkind: corp\nstate: NV\nscid: ACME\n", encoding="utf-8")
    out = tmp_path / "out" / "filled.pdf"
    out.parent.mkdir()  # a missing output folder is refused, not created
    result = run("fill", form, values, "-o", out)
    assert result.exit_code == 0, result.stderr
    got = build.pypdf_values(out.read_bytes())
    expected = {"name": "Renée Dvořák", "agree": "/Yes", "kind": "/corp", "state": "NV", "scid": "ACME"}
    assert {k: got[k] for k in expected} == expected
    assert not list(out.parent.glob(".*.tmp"))


def test_fill_from_json_on_stdin_to_stdout_flattened(run, form: Path) -> None:
    result = run("fill", form, "-", "-o", "-", "--flatten", input=json.dumps({"name": "Stdin Value"}))
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.startswith(b"%PDF")
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(result.stdout_bytes))
    assert reader.get_fields() is None and "Stdin Value" in reader.pages[0].extract_text()


def test_nested_values_become_dotted_names(run, tmp_path: Path) -> None:
    form = tmp_path / "hier.pdf"
    form.write_bytes(build.hierarchical_form())
    values = tmp_path / "v.yaml"
    values.write_text("contacts:\n  primary:\n    name: Ann\n    email: ann@example.com\n", encoding="utf-8")
    result = run("fill", form, values, "-o", tmp_path / "o.pdf")
    assert result.exit_code == 0, result.stderr
    got = build.pypdf_values((tmp_path / "o.pdf").read_bytes())
    assert got["contacts.primary.name"] == "Ann" and got["contacts.primary.email"] == "ann@example.com"


def test_bad_values_exit_1_and_write_nothing(run, form: Path, tmp_path: Path) -> None:
    values = tmp_path / "v.json"
    values.write_text(json.dumps({"nmae": "x", "scid": "TOOLONG"}), encoding="utf-8")
    out = tmp_path / "filled.pdf"
    result = run("fill", form, values, "-o", out)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {form}: unknown field 'nmae' (did you mean 'name'?)")
    assert "scid: takes at most 4 characters, got 7" in result.stderr
    assert not out.exists()


def test_values_must_be_a_mapping_of_scalars(run, form: Path, tmp_path: Path) -> None:
    values = tmp_path / "v.yaml"
    values.write_text("- just\n- a list\n", encoding="utf-8")
    result = run("fill", form, values, "-o", tmp_path / "o.pdf")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {values}: the values must be a mapping of field names to values\n"
    values.write_text("name: [a, b]\n", encoding="utf-8")
    result = run("fill", form, values, "-o", tmp_path / "o.pdf")
    assert result.stderr == f"Error: {values}: name: a value must be text or true/false, not list\n"


def test_values_beyond_the_size_limit_are_refused(run, form: Path, tmp_path: Path, monkeypatch) -> None:
    from sc_docs.cli import fill as fill_module

    monkeypatch.setattr(fill_module, "MAX_VALUES_BYTES", 100)
    values = tmp_path / "v.yaml"
    values.write_text("name: " + "x" * 200 + "\n", encoding="utf-8")
    result = run("fill", form, values, "-o", tmp_path / "o.pdf")
    assert result.exit_code == 2
    assert result.stderr == f"Error: {values}: is larger than 100 bytes, the limit for values\n"


def test_a_folder_is_not_a_form(run, tmp_path: Path) -> None:
    result = run("fields", tmp_path)
    assert result.exit_code == 2 and "is a directory" in result.stderr
    from sc_docs.engines.pdf import UnreadableFormError, open_form

    with pytest.raises(UnreadableFormError, match="is a folder, not a PDF form"):
        open_form(tmp_path)


def test_unreadable_form_exits_2(run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf")
    result = run("fields", bad)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {bad}: not a PDF file (no %PDF header)\n"


def test_fill_from_an_applicant_sheet(run, tmp_path: Path) -> None:
    from tests.conftest import SAMPLES

    out = tmp_path / "application.pdf"
    result = run("fill", "--applicant", SAMPLES[0], "-o", out)
    assert result.exit_code == 0, result.stderr
    record = yaml.safe_load(SAMPLES[0].read_text(encoding="utf-8"))
    assert build.pypdf_values(out.read_bytes())["section1.legal_name"] == record["applicant"]["legal_name"]


def test_an_invalid_applicant_sheet_exits_1(run, tmp_path: Path) -> None:
    from tests.conftest import INVALID

    out = tmp_path / "application.pdf"
    result = run("fill", "--applicant", INVALID[0], "-o", out)
    assert result.exit_code == 1
    assert not out.exists()


def test_form_and_applicant_together_is_a_usage_error(run, form: Path, tmp_path: Path) -> None:
    result = run("fill", form, "v.json", "--applicant", "x.yaml", "-o", tmp_path / "o.pdf")
    assert result.exit_code == 2
    assert result.stderr == "Error: give FORM and VALUES, or --applicant SHEET, not both\n"
    result = run("fill", form, "-o", tmp_path / "o.pdf")
    assert result.exit_code == 2 and "give FORM and VALUES" in result.stderr


def test_commands_have_help(run) -> None:
    for command in ("fields", "fill"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.stdout


def test_yaml_values_keep_the_text_written(run, form: Path, tmp_path: Path) -> None:
    values = tmp_path / "v.yaml"
    values.write_text("name: 01234\nscid: '0777'\nnotes: 12:30:00\nagree: true\n", encoding="utf-8")
    result = run("fill", form, values, "-o", tmp_path / "o.pdf")
    assert result.exit_code == 0, result.stderr
    got = build.pypdf_values((tmp_path / "o.pdf").read_bytes())
    assert (got["name"], got["scid"], got["notes"], got["agree"]) == ("01234", "0777", "12:30:00", "/Yes")
    values.write_text("agree: yes\n", encoding="utf-8")
    result = run("fill", form, values, "-o", tmp_path / "o2.pdf")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {form}: agree: a checkbox takes true or false, not 'yes'\n"


def test_fill_reports_the_addendum_and_removed_scripts(run, tmp_path: Path) -> None:
    from tests.engines.pdf import corpus

    form = tmp_path / "form.pdf"
    data, _ = corpus.legibility()
    form.write_bytes(data)
    values = tmp_path / "v.json"
    values.write_text(json.dumps({"company": "x " * 200}), encoding="utf-8")
    result = run("fill", form, values, "-o", tmp_path / "o.pdf")
    assert result.exit_code == 0, result.stderr
    assert "Note: company does not fit its box at 6 pt; its 400 characters are on the addendum page as item 1" \
        in result.stderr
    scripted = tmp_path / "scripted.pdf"
    scripted.write_bytes(corpus.scripts()[0])
    values.write_text(json.dumps({"name": "Acme"}), encoding="utf-8")
    result = run("fill", scripted, values, "-o", tmp_path / "s.pdf")
    assert "Note: removed 3 script(s) or automatic action(s) (--keep-scripts keeps them)" in result.stderr
    assert b"app.alert" not in (tmp_path / "s.pdf").read_bytes()[len(scripted.read_bytes()):]
    result = run("fill", scripted, values, "-o", tmp_path / "k.pdf", "--keep-scripts")
    assert result.exit_code == 0 and "removed" not in result.stderr


def test_read_only_fields_are_refused_by_name(run, tmp_path: Path) -> None:
    from tests.engines.pdf import corpus

    form = tmp_path / "form.pdf"
    form.write_bytes(corpus.readonly()[0])
    values = tmp_path / "v.json"
    values.write_text(json.dumps({"barcode": "X"}), encoding="utf-8")
    result = run("fill", form, values, "-o", tmp_path / "o.pdf")
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {form}: barcode: is read-only (the form fills it itself); "
                             "pass --include-readonly to fill it anyway\n")
    assert run("fill", form, values, "-o", tmp_path / "o.pdf", "--include-readonly").exit_code == 0


def test_fields_escapes_control_characters(run, tmp_path: Path) -> None:
    from tests.engines.pdf import corpus

    b = corpus.FormBuilder()
    b.text("evil\x1b]0;pwned\x07", (50, 700, 300, 720), V=corpus._s("line one\nline two\x1b[31m"))
    form = tmp_path / "form.pdf"
    form.write_bytes(b.bytes())
    result = run("fields", form)
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert result.stdout.count("\n") == 1
    assert "evil\\x1b]0;pwned\\x07" in result.stdout and "line one\\x0aline two\\x1b[31m" in result.stdout
    b = corpus.FormBuilder()
    b.text("c1\x9b31m\u202e", (50, 700, 300, 720))
    form.write_bytes(b.bytes())
    result = run("fields", form, "--format", "json")
    assert "\x9b" not in result.stdout and "\u202e" not in result.stdout
    assert json.loads(result.stdout)[0]["name"] == "c1\x9b31m\u202e"


def test_fields_flags_orphans_and_fields_on_no_page(run, tmp_path: Path) -> None:
    from tests.engines.pdf import corpus

    form = tmp_path / "form.pdf"
    form.write_bytes(corpus.orphan_widgets()[0])
    lines = run("fields", form).stdout.splitlines()
    assert lines == [
        "listed  text       p?    no widget on any page: a value would not show",
        "orphan  text       p1    orphan (not in the form's field list)",
    ]
