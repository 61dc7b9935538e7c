"""The B.6 agreement: CAISO's title for it and the Schedule 3 its information request sheet asks for.

CAISO calls it the "Meter Service Agreement for CAISO Metered Entities" (MSACAISOME); the sheet
asks for Schedule 2 (the metered facilities) and Schedule 3 (each meter's data details).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sc_docs
from sc_docs.catalog import load_catalog
from sc_docs.catalog.makers import make
from sc_docs.engines.docx import docx_text
from tests.conftest import EXAMPLES, SAMPLES

KEY = "msa_isome"
PCGE = EXAMPLES / "pacific-crest-gas-and-electric.yaml"
DATE = dt.date(2027, 1, 1)
WITH_SECTION = [s for s in SAMPLES if KEY in sc_docs.load_applicant(s).data["documents"]]


def _render(data: dict[str, Any]) -> bytes:
    return make(load_catalog().get(KEY), data, DATE)


def _schedule_3(text: str) -> str:
    """The text from the SCHEDULE 3 heading to the end of the document."""
    assert text.count("SCHEDULE 3") == 1
    return text[text.index("SCHEDULE 3") :]


def test_the_catalog_and_the_template_use_caisos_title() -> None:
    entry = load_catalog().get(KEY)
    assert entry.meta.title == "Meter Service Agreement for CAISO Metered Entities"
    assert entry.meta.tariff_appendix == "B.6"
    text = docx_text(_render(sc_docs.load_applicant(PCGE).data))
    assert "METER SERVICE AGREEMENT FOR CAISO METERED ENTITIES" in text
    # every mention of the party is the CAISO Metered Entity, none the older "ISO Metered Entity"
    assert re.search(r"(?<!CA)ISO Metered Entit", text) is None
    assert "CAISO Metered Entity" in text


def test_a_sample_has_the_section() -> None:
    assert PCGE in WITH_SECTION


@pytest.mark.parametrize("sheet", WITH_SECTION, ids=[s.stem for s in WITH_SECTION])
def test_schedule_3_lists_every_meter_of_the_sample(sheet: Path) -> None:
    from docx import Document

    data = sc_docs.load_applicant(sheet).data
    content = _render(data)
    Document(io.BytesIO(content))  # opens in python-docx
    text = docx_text(content)
    assert "SCHEDULE 2" in text and "METERED FACILITIES" in text
    schedule = _schedule_3(text)
    assert "METER DATA" in schedule
    section = data["documents"][KEY]
    assert f"RIMS Project Code: {section['rims_project_code']}" in schedule
    for meter in section["meter_points"]:
        for fact in (meter["resource_id"], meter["meter_id"], meter["meter_point"], meter["voltage"]):
            assert fact in schedule, fact
    for tag in ("{{", "}}", "{%", "%}"):
        assert tag not in text


@pytest.mark.parametrize("sheet", WITH_SECTION, ids=[s.stem for s in WITH_SECTION])
def test_schedule_3_and_schedule_2_name_the_same_meters(sheet: Path) -> None:
    section = sc_docs.load_applicant(sheet).data["documents"][KEY]
    listed = {(r["resource_id"], r["meter_type"]) for r in section["resources"]}
    described = [(m["resource_id"], m["meter_type"]) for m in section["meter_points"]]
    assert sorted(described) == sorted(listed)
    assert len(set(m["meter_id"] for m in section["meter_points"])) == len(section["meter_points"])


def test_a_rendered_sample_verifies_as_conforming(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "msa_isome.docx"
    rendered = run("render", KEY, PCGE, "-o", out)
    assert rendered.exit_code == 0, rendered.stdout + rendered.stderr
    verified = run("verify", out)
    assert verified.exit_code == 0
    assert "CONFORMING" in verified.stdout and "NON-CONFORMING" not in verified.stdout


def _schedule_3_rows(content: bytes) -> list[list[str]]:
    from docx import Document

    doc = Document(io.BytesIO(content))
    table = next(t for t in doc.tables if [c.text for c in t.rows[0].cells][3:4] == ["Meter ID"])
    return [[c.text for c in r.cells] for r in table.rows[1:]]


def test_schedule_3_shows_each_meters_role() -> None:
    rows = _schedule_3_rows(_render(sc_docs.load_applicant(PCGE).data))
    assert [r[2] for r in rows] == ["Primary", "Backup", "Primary"]


def _problems(mutate) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    data = copy.deepcopy(sc_docs.load_applicant(PCGE).data)
    mutate(data["documents"][KEY])
    return [(p.path, p.message) for p in sc_docs.validate(data)]


def test_the_sample_is_valid() -> None:
    assert _problems(lambda s: None) == []


@pytest.mark.parametrize(
    ("mutate", "path", "words"),
    [
        (lambda s: s.pop("meter_points"), "documents.msa_isome.meter_points", "required field is missing"),
        (lambda s: s.update(meter_points=[]), "documents.msa_isome.meter_points", "at least 1 item"),
        (lambda s: s["meter_points"][1].update(meter_id="M 01!"), "documents.msa_isome.meter_points[1].meter_id", "meter ID"),
        (lambda s: s["meter_points"][0].update(voltage="115kV"), "documents.msa_isome.meter_points[0].voltage", "must be a voltage such as 115 kV"),
        (lambda s: s["meter_points"][2].update(meter_type="spare"), "documents.msa_isome.meter_points[2].meter_type", "primary or backup"),
        (lambda s: s["meter_points"][0].pop("meter_point"), "documents.msa_isome.meter_points[0].meter_point", "required field is missing"),
        (lambda s: s["meter_points"][0].update(serial="x"), "documents.msa_isome.meter_points[0].serial", "unknown field 'serial'"),
    ],
    ids=["missing", "empty", "bad-meter-id", "bad-voltage", "bad-type", "no-point", "unknown-field"],
)
def test_bad_schedule_3_data_is_refused_with_its_path(mutate, path: str, words: str) -> None:  # type: ignore[no-untyped-def]
    problems = _problems(mutate)
    assert problems, "the change should make the record invalid"
    assert any(p == path and words in m for p, m in problems), problems


def test_cli_validate_names_the_missing_schedule(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    text = PCGE.read_text(encoding="utf-8")
    start = text.index("    meter_points:")
    end = text.index("\n  affiliate_disclosure:")
    sheet = tmp_path / "no-schedule-3.yaml"
    sheet.write_text(text[:start] + text[end + 1 :], encoding="utf-8")
    result = run("validate", sheet)
    line = text.splitlines().index("  msa_isome:") + 1  # the section the missing field belongs to
    assert result.exit_code == 1
    assert f"{sheet}:{line}: documents.msa_isome.meter_points: required field is missing" in result.stdout.splitlines()


_meter_id = st.from_regex(r"[A-Z][A-Z0-9-]{0,11}", fullmatch=True)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ids=st.lists(_meter_id, min_size=1, max_size=6, unique=True), kv=st.integers(1, 1000))
def test_schedule_3_has_one_row_per_meter_in_order(ids: list[str], kv: int) -> None:
    data = copy.deepcopy(sc_docs.load_applicant(PCGE).data)
    data["documents"][KEY]["meter_points"] = [
        {"resource_id": "PCGE_1_COAST1", "meter_type": "primary", "meter_id": m, "meter_point": f"Bus {i}", "voltage": f"{kv} kV"}
        for i, m in enumerate(ids)
    ]
    rows = _schedule_3_rows(_render(data))
    assert [r[3] for r in rows] == ids
    assert [r[0] for r in rows] == [str(i + 1) for i in range(len(ids))]
    assert all(r[5] == f"{kv} kV" for r in rows)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_the_libreoffice_pdf_has_schedule_3_on_its_own_page() -> None:
    from pypdf import PdfReader

    from sc_docs.engines.convert import docx_to_pdf

    data = sc_docs.load_applicant(PCGE).data
    pdf = PdfReader(io.BytesIO(docx_to_pdf(_render(data))))
    pages = [" ".join((page.extract_text() or "").split()) for page in pdf.pages]
    last = pages[-1]
    assert "SCHEDULE 3" in last and "METER DATA" in last
    assert "SCHEDULE 3" not in " ".join(pages[:-1])
    for meter in data["documents"][KEY]["meter_points"]:
        assert meter["resource_id"] in last
