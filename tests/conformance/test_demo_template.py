"""Verification on a template built in code: loops over rows and paragraphs, optional clauses."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from sc_docs.catalog import load_catalog
from sc_docs.conformance import verify_docx
from sc_docs.engines.docx import render_docx
from tests.conformance import edits as ed
from tests.conformance.builders import DOCUMENT, SAMPLE_RECORD, build_template, write_catalog


@pytest.fixture(scope="module")
def template() -> bytes:
    return build_template()


@pytest.fixture
def catalog(tmp_path: Path, template: bytes) -> Any:
    return load_catalog(write_catalog(tmp_path, template))


def render(template: bytes, **changes: Any) -> bytes:
    rec = copy.deepcopy(SAMPLE_RECORD)
    rec["applicant"].update(changes)
    ctx = {"applicant": rec["applicant"], "agreement": rec["documents"]["demo"], "document": DOCUMENT}
    return render_docx(template, ctx)


@pytest.mark.parametrize("scids", [[], ["ACME"], ["ACME", "ACM2", "ACM3", "ACM4"]], ids=["none", "one", "four"])
def test_schedule_rows_are_fill_ins(template: bytes, catalog: Any, scids: list[str]) -> None:
    report = verify_docx(render(template, scids=scids), template_key="demo", catalog=catalog)
    assert report.conforming, [d.describe() for d in report.deviations]
    assert report.record["applicant"].get("scids", []) == scids


def test_optional_clause_present_when_called_for(template: bytes, catalog: Any) -> None:
    doc = render(template, entity_type="federal_entity")
    report = verify_docx(doc, template_key="demo", catalog=catalog)
    assert report.conforming
    assert report.record["applicant"]["entity_type"] == "federal_entity"


def test_optional_clause_kept_against_the_fill_ins(template: bytes, catalog: Any) -> None:
    # Rendered for a federal entity, then the entity type in the preamble edited by hand:
    # the federal clause no longer belongs.
    doc = ed.edit(render(template, entity_type="federal_entity"), ed.replace_text("federal entity", "power marketer"))
    report = verify_docx(doc, template_key="demo", catalog=catalog)
    assert not report.conforming
    [d] = report.deviations
    assert d.kind == "inserted" and d.found.startswith("2.3 Federal Entity.")
    assert d.fill_in == "if applicant.entity_type == 'federal_entity'"


def test_missing_fax_alternative(template: bytes, catalog: Any) -> None:
    rec = copy.deepcopy(SAMPLE_RECORD["applicant"]["primary_representative"])
    del rec["fax"]
    report = verify_docx(render(template, primary_representative=rec), template_key="demo", catalog=catalog)
    assert report.conforming
    assert "fax" not in report.record["applicant"]["primary_representative"]


def test_header_fill_in_edited(template: bytes, catalog: Any) -> None:
    doc = ed.edit(render(template), ed.replace_text("Demo Agreement", "Demo Contract"), part="word/header1.xml")
    report = verify_docx(doc, template_key="demo", catalog=catalog)
    [d] = report.deviations
    assert (d.part, d.location, d.expected, d.found) == ("header", "header", "Agreement", "Contract")
    assert d.fill_in == "document.title"


def test_footer_page_numbers_are_not_text(template: bytes, catalog: Any) -> None:
    def renumber(root: Any) -> None:
        for t in root.iter(ed.w("t")):
            if t.text == "1":
                t.text = "7"

    doc = ed.edit(render(template), renumber, part="word/footer1.xml")
    assert verify_docx(doc, template_key="demo", catalog=catalog).conforming


def test_added_schedule_row_with_text_is_a_fill_in_not_a_deviation(template: bytes, catalog: Any) -> None:
    doc = render(template, scids=["ACME", "ACM2"])

    def add_row(root: Any) -> None:
        rows = [tr for tr in root.iter(ed.w("tr")) if "ACM2" in "".join(t.text or "" for t in tr.iter(ed.w("t")))]
        twin = copy.deepcopy(rows[0])
        for t in twin.iter(ed.w("t")):
            t.text = {"2": "3", "ACM2": "ACM3"}.get(t.text, t.text)
        rows[0].addnext(twin)

    report = verify_docx(ed.edit(doc, add_row), template_key="demo", catalog=catalog)
    assert report.conforming
    assert report.record["applicant"]["scids"] == ["ACME", "ACM2", "ACM3"]


def test_schedule_numbering_must_follow(template: bytes, catalog: Any) -> None:
    doc = ed.edit(render(template, scids=["ACME", "ACM2"]), ed.replace_text("ACM2", "ACM2 and ACM9"))
    report = verify_docx(doc, template_key="demo", catalog=catalog)
    assert report.conforming  # a fill-in shown once may read anything
    doc = ed.edit(render(template), lambda root: _set_cell(root, "2", "5"))
    report = verify_docx(doc, template_key="demo", catalog=catalog)
    [d] = report.deviations
    assert (d.expected, d.found, d.location) == ("2", "5", "Schedule 1")


def _set_cell(root: Any, old: str, new: str) -> None:
    for t in root.iter(ed.w("t")):
        if t.text == old:
            t.text = new
            return
    raise AssertionError(old)
