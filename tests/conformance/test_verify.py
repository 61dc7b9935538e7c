"""verify_docx / extract_fill_ins on the bundled agreements: conforming drafts, edits caught."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from sc_docs.conformance import extract_fill_ins, verify_docx
from sc_docs.errors import UnreadableFileError
from tests.conformance import edits as ed
from tests.conformance.conftest import ACME, PAIR_IDS, PAIRS, record, rendered


def _get(root: Any, dotted: str) -> Any:
    from sc_docs import fieldpath

    return fieldpath.get(root, dotted, KeyError)


@pytest.mark.parametrize(("sample", "key"), PAIRS, ids=PAIR_IDS)
def test_every_rendered_sample_conforms(sample: str, key: str) -> None:
    report = verify_docx(rendered(sample, key))
    assert report.conforming, [d.describe() for d in report.deviations]
    assert report.deviations == []
    assert report.template.key == key and report.template.by == "properties"
    json.dumps(report.to_json())  # JSON-serialisable as is


@pytest.mark.parametrize(("sample", "key"), PAIRS, ids=PAIR_IDS)
def test_extraction_round_trips(sample: str, key: str) -> None:
    rec = record(sample)
    source = {"applicant": rec["applicant"], "agreement": rec["documents"][key]}
    report = verify_docx(rendered(sample, key))
    checked = 0
    for fill in report.fill_ins:
        want = _get(source, fill.path)
        if hasattr(want, "isoformat"):
            want = want.isoformat()
        if fill.source == "displayed":
            continue  # shown only through a filter that cannot be undone
        assert want is not KeyError, f"{fill.path} read back but not in the record"
        if fill.source == "guessed" and isinstance(want, list):
            # a list shown joined by ", " whose items hold ", " cannot be split back for sure:
            # it must at least display the same
            assert ", ".join(fill.value) == ", ".join(want), fill.path
        else:
            assert fill.value == want, fill.path
        checked += 1
    assert checked >= 10
    # the reverse: every fact the template uses is read back, the agreement section whole
    got = extract_fill_ins(rendered(sample, key))
    assert set(got) == {"applicant", "documents"}
    assert got["documents"][key] == json.loads(json.dumps(rec["documents"][key], default=str))
    from sc_docs.catalog import load_catalog
    from sc_docs.engines.docx import compile_template

    used = {v.split(".")[1].split("[")[0] for v in compile_template(load_catalog().get(key).source_path).variables()
            if v.startswith("applicant.")}
    want = json.loads(json.dumps(rec["applicant"], default=str))
    assert set(got["applicant"]) == {k for k in want if k in used}
    for name, value in got["applicant"].items():
        if name == "legal_address":  # its street lines are shown joined: see above
            assert {k: v for k, v in value.items() if k != "street"} == {k: v for k, v in want[name].items() if k != "street"}
        else:
            assert value == want[name], name


def test_extraction_reads_loops_and_dates(acme_sca: bytes) -> None:
    rec = record(ACME)
    got = extract_fill_ins(acme_sca)
    assert got["applicant"]["scids"] == rec["applicant"]["scids"]
    assert got["applicant"]["primary_representative"]["street"] == rec["applicant"]["primary_representative"]["street"]
    assert got["documents"]["sca"]["effective_date"] == "2027-04-01"
    report = verify_docx(acme_sca)
    date = next(f for f in report.fill_ins if f.path == "agreement.effective_date")
    assert (date.source, date.displayed) == ("inverted", "the 1st day of April, 2027")


# -- edits --------------------------------------------------------------------------------


def _one(report: Any) -> Any:
    assert not report.conforming
    assert len(report.deviations) == 1, [d.describe() for d in report.deviations]
    return report.deviations[0]


def test_changed_word_in_an_article(acme_sca: bytes) -> None:
    doc = ed.edit(acme_sca, ed.replace_text("the CAISO Tariff governs to the extent", "this Agreement governs to the extent"))
    d = _one(verify_docx(doc))
    assert (d.kind, d.tracked, d.article, d.section) == ("changed", False, "Article I", "1.2")
    assert (d.expected, d.found) == ("the CAISO Tariff", "this Agreement")
    assert d.before.endswith("conflicts with a provision of the CAISO Tariff,")
    assert d.after.startswith("governs to the extent")
    assert d.paragraph is not None and d.part == "document"


def test_added_sentence(acme_sca: bytes) -> None:
    doc = ed.edit(acme_sca, ed.append_run("captions and headings are for convenience", " The Scheduling Coordinator waives all claims."))
    d = _one(verify_docx(doc))
    assert (d.kind, d.article, d.section) == ("inserted", "Article I", "1.2")
    assert d.found == "The Scheduling Coordinator waives all claims."
    assert d.before.endswith("do not affect the meaning of this Agreement.")


def test_deleted_section(acme_sca: bytes) -> None:
    doc = ed.edit(acme_sca, ed.delete_section("2.2.1", "2.2.2"))
    d = _one(verify_docx(doc))
    assert (d.kind, d.article, d.section) == ("deleted", "Article II", "2.2.1")
    assert d.expected.startswith("2.2.1 Termination by the CAISO")
    assert d.after.startswith("2.2.2")


def test_fill_in_changed_in_one_of_its_places(acme_sca: bytes) -> None:
    doc = ed.edit(acme_sca, ed.replace_text("Acme Power & Light, LLC", "Acme Power and Light LLC"))
    d = _one(verify_docx(doc))
    assert d.kind == "changed" and d.fill_in == "applicant.legal_name"
    assert d.location == "Preamble"
    assert (d.expected, d.found) == ("& Light,", "and Light")
    assert d.before.endswith("and Acme Power") and d.after.startswith("LLC, a limited liability company")


def test_fill_in_changed_everywhere_is_a_fill_in(acme_sca: bytes) -> None:
    doc = ed.edit(acme_sca, ed.replace_text("Margaret A. Chen", "Margaret Chen"))
    report = verify_docx(doc, sheet=ACME)
    assert report.conforming
    diffs = {s.path: (s.sheet, s.document) for s in report.sheet_differences}
    assert diffs == {"applicant.signatory.name": ("Margaret A. Chen", "Margaret Chen")}
    assert report.matches_sheet is False


def test_sheet_matches_its_own_draft(acme_sca: bytes) -> None:
    report = verify_docx(acme_sca, sheet=ACME)
    assert report.sheet_differences == [] and report.matches_sheet is True


def test_tracked_deletion(acme_sca: bytes) -> None:
    doc = ed.edit(acme_sca, ed.track_delete("captions and headings are for convenience", "only "))
    d = _one(verify_docx(doc))
    assert (d.kind, d.tracked, d.expected, d.author) == ("deleted", True, "only", "Reviewer")
    assert (d.article, d.section) == ("Article I", "1.2")
    assert d.before.endswith("are for convenience") and d.after.startswith("and do not affect")


def test_tracked_insertion(acme_sca: bytes) -> None:
    doc = ed.edit(acme_sca, ed.append_run("captions and headings are for convenience", " Also this.", tracked=True))
    d = _one(verify_docx(doc))
    assert (d.kind, d.tracked, d.found, d.author) == ("inserted", True, "Also this.", "Reviewer")
    assert (d.article, d.section) == ("Article I", "1.2")


def test_comments_are_listed_not_deviations(acme_sca: bytes) -> None:
    doc = ed.add_comment(acme_sca, "This Agreement takes effect on")
    report = verify_docx(doc)
    assert report.conforming
    [c] = report.comments
    assert (c.author, c.text, c.location) == ("Counsel", "Please confirm this date.", "Article II, Section 2.1")
    assert c.anchor.startswith("This Agreement takes effect on the 1st day of April, 2027")


def test_word_processor_noise_is_not_a_change(acme_sca: bytes) -> None:
    doc = ed.edit(acme_sca, ed.scramble_runs)
    assert verify_docx(doc).conforming


def test_formatting_counts_only_when_strict(acme_sca: bytes) -> None:
    doc = ed.edit(acme_sca, ed.change_fonts)
    assert verify_docx(doc).conforming
    strict = verify_docx(doc, strict=True)
    assert not strict.conforming
    assert {d.kind for d in strict.deviations} == {"formatting"}
    assert verify_docx(acme_sca, strict=True).conforming


@pytest.mark.parametrize(("sample", "key"), PAIRS, ids=PAIR_IDS)
def test_stripped_properties_identified_by_similarity(sample: str, key: str) -> None:
    doc = ed.strip_custom_properties(rendered(sample, key))
    report = verify_docx(doc)
    assert report.template.key == key
    assert report.template.by == "similarity" and report.template.similarity is not None
    assert any("similarity" in n for n in report.notes)
    assert report.conforming


def test_template_option_overrides(acme_sca: bytes) -> None:
    report = verify_docx(acme_sca, template_key="nca")
    assert report.template.by == "option" and report.template.key == "nca"
    assert not report.conforming


@pytest.mark.libreoffice
def test_libreoffice_resave_still_conforms(acme_sca: bytes) -> None:
    from sc_docs.engines.convert import docx_to_docx_via_libreoffice, soffice_available

    if not soffice_available():
        pytest.skip("LibreOffice (soffice) is not installed")
    resaved = docx_to_docx_via_libreoffice(acme_sca)
    assert resaved != acme_sca
    report = verify_docx(resaved)
    assert report.conforming, [d.describe() for d in report.deviations]
    assert report.template.by == "properties"
    assert extract_fill_ins(resaved) == extract_fill_ins(acme_sca)
    # LibreOffice writes the default paragraph style out; that is not a formatting change
    assert verify_docx(resaved, strict=True).conforming
    edited = docx_to_docx_via_libreoffice(ed.edit(acme_sca, ed.track_delete("captions and headings are for convenience", "only ")))
    d = _one(verify_docx(edited))
    assert (d.kind, d.tracked, d.expected, d.section) == ("deleted", True, "only", "1.2")


@pytest.mark.parametrize(
    "data",
    [b"", b"plain text, not a zip", ed.pack({"hello.txt": b"hi"}), ed.pack({"[Content_Types].xml": b"<broken"})],
    ids=["empty", "text", "zip-without-docx", "broken-xml"],
)
def test_unreadable_files(data: bytes) -> None:
    with pytest.raises(UnreadableFileError) as info:
        verify_docx(data)
    assert info.value.exit_code == 2


def test_word_changed_among_fill_ins(acme_sca: bytes) -> None:
    doc = ed.edit(acme_sca, ed.replace_text("organized under the laws of", "formed under the laws of"))
    report = verify_docx(doc)
    d = _one(report)
    assert (d.kind, d.expected, d.found, d.location) == ("changed", "organized", "formed", "Preamble")
    # the fill-ins of the edited paragraph are still read
    rec = record(ACME)["applicant"]
    got = report.record["applicant"]
    assert got["organization_form"] == rec["organization_form"]
    assert got["legal_address"] == rec["legal_address"]
    assert got["state_of_organization"] == rec["state_of_organization"]


def _with_properties(data: bytes, **values: str) -> bytes:
    files = ed.parts(data)
    xml = files["docProps/custom.xml"].decode()
    for name, value in values.items():
        xml = re.sub(rf'(name="{re.escape(name)}"[^>]*>\s*<vt:lpwstr>)[^<]*', rf"\g<1>{value}", xml)
    files["docProps/custom.xml"] = xml.encode()
    return ed.pack(files)


def test_properties_naming_an_unknown_template(acme_sca: bytes) -> None:
    report = verify_docx(_with_properties(acme_sca, **{"sc_docs.template_key": "zzz"}))
    assert report.template.by == "similarity" and report.template.key == "sca"
    assert any("'zzz', which the catalog lacks" in n for n in report.notes)
    assert report.conforming


def test_properties_of_another_template_version(acme_sca: bytes) -> None:
    report = verify_docx(_with_properties(acme_sca, **{"sc_docs.template_sha256": "0" * 64, "sc_docs.template_version": "0.9"}))
    assert report.template.by == "properties"
    assert any("made from template version 0.9" in n for n in report.notes)
    assert report.template.properties["sc_docs.template_version"] == "0.9"


def test_template_option_against_the_properties_is_noted(acme_sca: bytes) -> None:
    report = verify_docx(acme_sca, template_key="msa_sc")
    assert any("names template 'sca'; compared with 'msa_sc' as asked" in n for n in report.notes)


def test_unrelated_document_is_not_conforming() -> None:
    import io

    from docx import Document

    doc = Document()
    doc.add_paragraph("Minutes of the lunch committee.")
    buf = io.BytesIO()
    doc.save(buf)
    report = verify_docx(buf.getvalue())
    assert not report.conforming
    assert report.template.by == "similarity" and report.template.similarity is not None
    assert any("no bundled template resembles this document" in n for n in report.notes)


def test_sheet_without_the_agreement_section() -> None:
    sierra = next(s for s, _ in PAIRS if "sierra" in s)
    report = verify_docx(rendered(ACME, "nca"), sheet=sierra)
    assert any("the sheet has no 'nca' section" in n for n in report.notes)
    paths = {d.path for d in report.sheet_differences}
    assert "applicant.legal_name" in paths and not any(p.startswith("agreement.") for p in paths)


def test_oversized_alignment_is_refused(acme_sca: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    from sc_docs.conformance import align
    from sc_docs.errors import ScDocsError

    monkeypatch.setattr(align, "MAX_CELLS", 1000)
    with pytest.raises(ScDocsError, match="too large to verify"):
        verify_docx(acme_sca)
