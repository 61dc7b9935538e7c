"""The compiled workbook writes what openpyxl writes, byte for byte, or steps aside for it."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sc_docs.catalog import load_catalog, workbook, xlsxfill
from sc_docs.catalog.contract import output_properties
from tests.conftest import SAMPLES

WHEN = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)
ENTRY = load_catalog().get("contact_list")
WITH_WORKBOOK = [p for p in SAMPLES if "contact_list" in (yaml.safe_load(p.read_text(encoding="utf-8")).get("documents") or {})]


def by_openpyxl(record: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> bytes:
    with monkeypatch.context() as m:
        m.setenv("SC_DOCS_NO_CACHE", "1")  # no disk cache: openpyxl fills
        return workbook.fill_workbook(ENTRY, record, WHEN)


def compiled_only(record: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> bytes:
    def refuse(*args: Any) -> bytes:
        raise AssertionError("openpyxl was asked to fill a workbook the compiled template can write")

    with monkeypatch.context() as m:
        m.setattr(workbook, "_fill_with_openpyxl", refuse)
        return workbook.fill_workbook(ENTRY, record, WHEN)


def record_of(sample: Path) -> dict[str, Any]:
    from sc_docs.sheets import load_applicant

    return load_applicant(sample).data


@pytest.mark.parametrize("sample", WITH_WORKBOOK, ids=[p.stem for p in WITH_WORKBOOK])
def test_every_sample_workbook_is_openpyxls_bytes(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    record = record_of(sample)
    assert compiled_only(record, monkeypatch) == by_openpyxl(record, monkeypatch)


text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r\ufffe\uffff"), min_size=1, max_size=40)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(text, max_size=12), legal=text, flag=st.sampled_from([None, True, False]))
def test_any_text_gives_openpyxls_bytes(names: list[str], legal: str, flag: bool | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the text (markup, spaces, control characters, formulas), the file is openpyxl's."""
    record = copy.deepcopy(record_of(WITH_WORKBOOK[0]))
    record["applicant"]["legal_name"] = legal
    contact = record["documents"]["contact_list"]["contacts"][0]
    contacts = []
    for i, name in enumerate(names):
        row = {**contact, "name": name, "title": name[::-1], "email": f"{i}@x.example"}
        if flag is None:
            row.pop("available_24x7", None)
        else:
            row["available_24x7"] = flag
        contacts.append(row)
    record["documents"]["contact_list"]["contacts"] = contacts
    assert outcome(lambda: workbook.fill_workbook(ENTRY, record, WHEN)) == outcome(lambda: by_openpyxl(record, monkeypatch))


def outcome(make: Any) -> bytes | str:
    """The file, or the kind of error (openpyxl refuses some characters)."""
    try:
        return make()
    except Exception as exc:  # noqa: BLE001 - both paths must fail alike
        return type(exc).__name__


def test_plain_text_never_loads_openpyxl_and_the_rest_does(monkeypatch: pytest.MonkeyPatch) -> None:
    record = record_of(WITH_WORKBOOK[0])
    compiled_only(record, monkeypatch)  # would raise if openpyxl were asked
    formula = copy.deepcopy(record)
    formula["documents"]["contact_list"]["contacts"][0]["name"] = "=1+1"
    with pytest.raises(AssertionError, match="openpyxl was asked"):
        compiled_only(formula, monkeypatch)


def test_a_template_the_module_cannot_reproduce_is_left_to_openpyxl(monkeypatch: pytest.MonkeyPatch) -> None:
    sheets = workbook.load_cell_map(ENTRY.file("cells"))
    probes = {s.name: [r.pdf_field for r in s.cells] for s in sheets}
    props = output_properties(ENTRY)

    def stamp(book: Any, title: str, when: dt.datetime) -> None:
        workbook._stamp(book, title, when, props)

    template = ENTRY.source_path.read_bytes()
    assert xlsxfill.compile_workbook(template, stamp, workbook._zip_parts, probes) is not None
    monkeypatch.setattr(xlsxfill, "escape_ascii", xlsxfill.escape)  # a writer that forgot openpyxl's ASCII
    assert xlsxfill.compile_workbook(template, stamp, workbook._zip_parts, probes) is None


@pytest.mark.parametrize(
    "payload",
    [{"format": xlsxfill.FORMAT, "usable": False}, {"format": 99}, {"format": 1, "parts": [["a", "not base64!"]], "core": "", "sheets": {}},
     {"format": 1, "parts": [], "core": "", "sheets": {"S": {"part": "missing.xml", "head": "", "tail": "", "bounds": None, "rows": []}}}, {}],
    ids=["unusable", "other-format", "bad-base64", "part-missing", "empty"],
)
def test_a_payload_that_is_not_a_compiled_workbook_is_refused(payload: dict[str, Any]) -> None:
    assert xlsxfill.CompiledWorkbook.restore(payload) is None


def test_a_compiled_workbook_survives_the_disk_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SC_DOCS_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(workbook, "_COMPILED", {})
    record = record_of(WITH_WORKBOOK[0])
    first = workbook.fill_workbook(ENTRY, record, WHEN)  # compiles and stores
    monkeypatch.setattr(workbook, "_COMPILED", {})
    monkeypatch.setattr(xlsxfill, "compile_workbook", lambda *a: pytest.fail("compiled again despite the cache"))
    assert compiled_only(record, monkeypatch) == first
