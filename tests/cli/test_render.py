"""`sc-docs render` and `sc-docs templates` from the command line, and the template lint."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from docx import Document

from sc_docs.catalog import document_sections, load_catalog, read_entry
from sc_docs.engines.docx import docx_text
from sc_docs.catalog.lint import check_entry
from tests.conftest import EXAMPLES, SAMPLES

ACME = EXAMPLES / "acme-power-and-light.yaml"
HAS_SOFFICE = shutil.which("soffice") is not None


def test_templates_list_json(run) -> None:  # type: ignore[no-untyped-def]
    result = run("templates", "list", "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    keys = {r["key"] for r in rows}
    assert {"sca", "msa_sc", "nca", "msa_isome"} <= keys
    sca = next(r for r in rows if r["key"] == "sca")
    assert sca["tariff_appendix"] == "B.1" and sca["as_of"] == "2013-06-12" and len(sca["sha256"]) == 64


def test_templates_show_prints_tags(run) -> None:  # type: ignore[no-untyped-def]
    result = run("templates", "show", "sca")
    assert result.exit_code == 0
    assert "{{ applicant.legal_name }}" in result.stdout and "ARTICLE" in result.stdout
    result = run("templates", "show", "sac")
    assert result.exit_code == 2  # an unknown key is a usage error, as the README says
    assert result.stderr.strip().splitlines()[-1] == "Error: Invalid value for 'KEY': no document 'sac' in the catalog. Did you mean 'sca'?"


def test_every_bundled_template_passes_the_lint(run) -> None:  # type: ignore[no-untyped-def]
    result = run("templates", "check")
    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""


def _copy_entry(tmp_path: Path, key: str = "sca") -> Path:
    folder = tmp_path / key
    shutil.copytree(load_catalog().get(key).folder, folder)
    return folder


def _replace_in_template(folder: Path, old: str, new: str) -> None:
    doc = Document(str(folder / "template.docx"))
    for p in doc.paragraphs:
        for r in p.runs:
            if old in r.text:
                r.text = r.text.replace(old, new)
                doc.save(str(folder / "template.docx"))
                return
    raise AssertionError(f"{old!r} not found")


def test_lint_catches_unknown_variables_and_unused_required_fields(tmp_path: Path) -> None:
    folder = _copy_entry(tmp_path)
    _replace_in_template(folder, "{{ applicant.legal_name }}", "{{ applicant.legl_name }}")
    problems = check_entry(read_entry(folder))
    assert problems == ["applicant.legl_name: not a field of the applicant section"]
    folder = _copy_entry(tmp_path / "b")
    doc = Document(str(folder / "template.docx"))
    for p in doc.paragraphs:
        for r in p.runs:
            r.text = r.text.replace("agreement.effective_date", "applicant.legal_name")
    doc.save(str(folder / "template.docx"))
    problems = check_entry(read_entry(folder))
    assert problems == [
        "agreement.effective_date: required by sca.schema.json but not used by the template (use it or list it in unused_fields)"
    ]


@pytest.mark.parametrize("sheet", SAMPLES, ids=lambda p: p.stem)
def test_render_every_agreement_of_every_sample(run, sheet: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import yaml

    data = yaml.safe_load(sheet.read_text())
    catalog = load_catalog()
    keys = [k for k in document_sections(data) if catalog.get(k).meta.kind == "agreement"]
    assert keys
    for key in keys:
        out = tmp_path / f"{key}.docx"
        result = run("render", key, sheet, "-o", out)
        assert result.exit_code == 0, result.stderr
        text = docx_text(out.read_bytes())
        assert data["applicant"]["legal_name"] in text  # as typed
        Document(str(out))


def test_render_refuses_an_invalid_sheet_and_writes_nothing(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "x.docx"
    result = run("render", "sca", EXAMPLES / "invalid" / "po-box-address.yaml", "-o", out)
    assert result.exit_code == 1
    assert "applicant.legal_address.street[0]: must be a street address, not a P.O. box" in result.stderr
    assert not out.exists()


def test_render_to_stdout(run) -> None:  # type: ignore[no-untyped-def]
    result = run("render", "sca", ACME, "-o", "-")
    assert result.exit_code == 0 and result.stdout_bytes[:2] == b"PK"


@pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) is not installed; CI installs libreoffice-writer-nogui")
@pytest.mark.parametrize("key", ["sca", "msa_sc", "nca"])
def test_render_pdf_with_libreoffice(run, tmp_path: Path, key: str) -> None:  # type: ignore[no-untyped-def]
    from io import BytesIO

    from pypdf import PdfReader

    out = tmp_path / f"{key}.docx"
    result = run("render", key, ACME, "-o", out, "--pdf")
    assert result.exit_code == 0, result.stderr
    reader = PdfReader(BytesIO(out.with_suffix(".pdf").read_bytes()))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert len(reader.pages) >= 3
    assert "Acme Power & Light, LLC" in text
    assert "{{" not in text and "{%" not in text
    assert "Page 1 of" in text
