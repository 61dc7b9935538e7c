"""`import_docx` on an official-looking agreement: every blank found, the proposals right, the
output a template that passes the lint and renders for the sample applicants."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
import yaml

from sc_docs.catalog import read_entry
from sc_docs.catalog.importing import import_docx
from sc_docs.catalog.importing.blanks import DocxBlanks
from sc_docs.catalog.lint import check_entry
from sc_docs.errors import CatalogError, OutputExistsError, UsageError
from tests.catalog.importing.official import DOCX_EXPECTED, build_docx
from tests.conftest import SAMPLES


@pytest.fixture
def official(tmp_path: Path) -> Path:
    return build_docx(tmp_path / "official.docx")


def test_every_blank_of_each_kind_is_found(official: Path) -> None:
    found = DocxBlanks(official.read_bytes()).blanks
    assert [b.kind for b in found] == [kind for kind, _ in DOCX_EXPECTED]
    assert {b.kind for b in found} == {"underscores", "bracket", "highlight", "form_field", "content_control"}


def test_proposals_are_right(official: Path, tmp_path: Path) -> None:
    result = import_docx(official, "sca", out=tmp_path / "cat")
    got = []
    for item in result.items:
        got.append(item.record_path if item.proposal.action == "map" else (None if item.proposal.action == "keep" else "unmapped"))
    assert got == [path for _, path in DOCX_EXPECTED]
    assert [m.number for m in result.unmapped] == [15]


def test_output_passes_the_lint_and_keeps_formatting(official: Path, tmp_path: Path) -> None:
    import docx

    result = import_docx(official, "sca", out=tmp_path / "cat")
    assert result.problems == [] and result.files == ["meta.yaml", "template.docx"]
    entry = read_entry(tmp_path / "cat" / "sca")
    assert check_entry(entry) == []
    meta = yaml.safe_load((entry.folder / "meta.yaml").read_text())
    assert meta["schema"] == "sca.schema.json" and meta["as_of"] == dt.date(2025, 3, 1) and meta["version"] == "official"
    d = docx.Document(str(entry.source_path))
    runs = [r for p in d.paragraphs for r in p.runs]
    name_run = next(r for r in runs if "applicant.legal_name" in r.text)
    assert name_run.text == "{{ applicant.legal_name }}" and name_run.bold  # one run, its formatting kept
    state_run = next(r for r in runs if "state_of_organization" in r.text)
    assert state_run.italic  # the form field's result formatting
    scid_run = next(r for r in runs if "applicant.scids" in r.text)
    assert scid_run.font.highlight_color is None  # the highlight only marked the blank
    text = "\n".join(p.text for p in d.paragraphs)
    assert "By: ______________________" in text  # a signature line stays for the hand
    assert "Wire reference: [UNMAPPED: Wire reference]" in text


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.stem for s in SAMPLES])
def test_output_renders_for_every_sample(official: Path, tmp_path: Path, sample: Path) -> None:
    import docx

    from sc_docs.catalog.makers import make
    from sc_docs.sheets import load_applicant

    import_docx(official, "sca", out=tmp_path / "cat")
    entry = read_entry(tmp_path / "cat" / "sca")
    record = load_applicant(sample)
    data = make(entry, record.data, dt.date(2027, 1, 4))
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    applicant = record.data["applicant"]
    assert applicant["legal_name"] in text
    assert f"Name: {applicant['signatory']['name']}" in text
    assert applicant["legal_address"]["city"] in text and applicant["scids"][0] in text
    assert "{{" not in text


def test_same_input_gives_identical_bytes(official: Path, tmp_path: Path) -> None:
    import_docx(official, "sca", out=tmp_path / "a")
    import_docx(official, "sca", out=tmp_path / "b")
    for name in ("template.docx", "meta.yaml"):
        assert (tmp_path / "a/sca" / name).read_bytes() == (tmp_path / "b/sca" / name).read_bytes()


def test_never_overwrites_without_force(official: Path, tmp_path: Path) -> None:
    import_docx(official, "sca", out=tmp_path / "cat")
    with pytest.raises(OutputExistsError):
        import_docx(official, "sca", out=tmp_path / "cat")
    import_docx(official, "sca", out=tmp_path / "cat", force=True)


def test_strict_refuses_unmapped_and_assign_decides(official: Path, tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="1 blank"):
        import_docx(official, "sca", out=tmp_path / "cat", strict=True)
    assert not (tmp_path / "cat").exists()
    result = import_docx(official, "sca", out=tmp_path / "cat", strict=True, assign={15: "keep"})
    assert result.unmapped == [] and result.problems == []
    with pytest.raises(UsageError, match="not a field of the schema"):
        import_docx(official, "sca", out=tmp_path / "x", assign={15: "applicant.wire"})


def test_a_new_key_gets_its_own_schema(official: Path, tmp_path: Path) -> None:
    result = import_docx(official, "official_sca", kind="letter", out=tmp_path / "cat", title="Official SCA")
    assert result.problems == []
    schema = (tmp_path / "cat/official_sca/official_sca.schema.json").read_text()
    assert '"effective_date"' in schema
    meta = yaml.safe_load((tmp_path / "cat/official_sca/meta.yaml").read_text())
    assert meta["title"] == "Official SCA" and meta["kind"] == "letter"
    from sc_docs.engines.docx import compile_template

    assert "{{ letter.effective_date | us_date }}" in compile_template(tmp_path / "cat/official_sca/template.docx").text_with_tags()


def test_literal_braces_of_the_official_text_stay_literal(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("Use {{ and }} as printed. Legal name: ________")
    d.save(tmp_path / "b.docx")
    result = import_docx(tmp_path / "b.docx", "sca", out=tmp_path / "cat")
    assert [m.record_path for m in result.items] == ["applicant.legal_name"]
    entry = read_entry(tmp_path / "cat/sca")
    assert result.unused_fields == ["agreement.effective_date"] and check_entry(entry) == []


def test_a_content_control_prompt_loses_its_grey(official: Path, tmp_path: Path) -> None:
    import docx

    import_docx(official, "sca", out=tmp_path / "cat")
    d = docx.Document(str(tmp_path / "cat/sca/template.docx"))
    run = next(r for p in d.paragraphs for r in p.runs if "alternate_representative.name" in r.text)
    assert run.font.color.rgb is None


def test_captions_under_a_line_and_label_cells_of_a_table(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("______________________________")
    d.add_paragraph("(Name of Scheduling Coordinator)")
    table = d.add_table(rows=3, cols=2)
    for row, (label, blank) in enumerate([("SCID(s)", "________"), ("Effective date", "________"),
                                          ("Organized under the laws of", "[State]")]):
        table.cell(row, 0).text, table.cell(row, 1).text = label, blank
    d.add_paragraph("Dated the ____ day of ________.")
    d.save(tmp_path / "t.docx")
    result = import_docx(tmp_path / "t.docx", "sca", write=False)
    assert [m.record_path for m in result.items] == [
        "applicant.legal_name", "applicant.scids", "documents.sca.effective_date", "applicant.state_of_organization", None, None,
    ]
    assert [m.number for m in result.unmapped] == [5, 6]  # a date in words: a person decides
