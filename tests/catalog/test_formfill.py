"""The bundled application form: every sample applicant fills it, and the field map lints clean."""

from __future__ import annotations

import importlib.util
import io
import re
from pathlib import Path

import pytest
import yaml

from sc_docs.catalog import load_catalog
from sc_docs.engines.pdf import open_form
from sc_docs.errors import CatalogError, FormError
from sc_docs.catalog.formfill import (
    check_entry_map,
    check_field_map,
    fill_form,
    form_values,
    load_field_map,
    lookup_root,
    parse_field_map,
)
from sc_docs.catalog.lint import path_schema
from tests.conftest import SAMPLES
from tests.engines import pdf_builders as build

ROOT = Path(__file__).resolve().parent.parent.parent
FOLDER = ROOT / "pro_forma" / "application"


@pytest.fixture(scope="module")
def entry():
    return load_catalog().get("application")


@pytest.fixture(scope="module")
def form(entry):
    return open_form(entry.source_path)


@pytest.fixture(scope="module")
def mapping(entry):
    return load_field_map(entry.folder / str(entry.meta.fields))


def _record(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _values(entry, record: dict, mapping) -> dict:
    return form_values(lookup_root(entry, record), mapping)


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_every_sample_fills_and_reads_back(sample: Path, entry, form, mapping) -> None:
    record = _record(sample)
    values = _values(entry, record, mapping)
    out = fill_form(entry, record)
    build.assert_reads_back(out, form, values)
    got = build.pypdf_values(out)
    assert got["section1.legal_name"] == record["applicant"]["legal_name"]
    assert [got[f"section1.scid_{i}"] for i in (1, 2, 3)] == record["documents"]["application"]["scid_choices"]


def test_transforms(entry, mapping) -> None:
    record = _record(next(p for p in SAMPLES if "rio-verde" in p.name))
    values = _values(entry, record, mapping)
    assert values["section1.street"] == "Municipal Center, Room 210\n455 Avenida de la Peña"
    assert values["section1.commencement_date"] == "07/01/2027"
    assert values["section1.entity_type"] == "municipal"
    assert values["section1.scheduling_agent"] == "yes"
    assert values["section2.authorized_to_represent"] is True
    assert values["contacts.primary.city_state_zip"] == "Río Verde, CA 92201"
    assert values["fee.amount"] == "7,500.00"
    assert values["contacts.alternate.fax"] == "(760) 555-0119"
    assert "contacts.primary.fax" not in values  # optional and absent


def test_a_missing_required_value_names_path_and_field(entry, mapping) -> None:
    record = _record(SAMPLES[0])
    del record["documents"]["application"]["fee"]
    with pytest.raises(FormError, match=r"documents.application.fee.amount: missing in the record \(needed for form field fee.amount\)"):
        _values(entry, record, mapping)


def test_map_paths_may_start_at_the_contract_context(entry) -> None:
    record = _record(SAMPLES[0])
    rules = parse_field_map({"a": "form.application_date", "b": "document.version", "c": "documents.application.application_date"})
    values = form_values(lookup_root(entry, record), rules)
    assert values == {"a": "2026-12-01", "b": entry.meta.version, "c": "2026-12-01"}


def test_bundled_field_map_lints_clean(entry) -> None:
    assert check_entry_map(entry) == []


def test_lint_finds_every_kind_of_mismatch(entry, form) -> None:
    bad = {
        "section1.legal_nam": "applicant.legal_name",
        "section1.city": "applicant.legal_address.town",
        "section2.authorized_to_represent": "applicant.legal_name",
        "section1.entity_type": "applicant.entity_type",
        "section1.scheduling_agent": "form.uses_scheduling_agent",
        "section1.scid_1": "applicant.legal_name",
    }
    problems = check_field_map(form, bad, lambda parts: path_schema(entry, parts))
    text = "\n".join(problems)
    assert "section1.legal_nam: no such field in the PDF (did you mean 'section1.legal_name'?)" in text
    assert "section1.city: record path applicant.legal_address.town is not in the schema" in text
    assert "section2.authorized_to_represent: applicant.legal_name: a checkbox needs a true/false value" in text
    assert "municipal_utility" in text and "not offered by the radio field" in text
    assert "a true/false value needs a checkbox or a `map`" in text
    assert "values up to 200 characters do not fit MaxLen 4" in text
    assert "signature.date: form field is not mapped to any record path" in text


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"f": {"path": "a.b", "joins": ", "}}, "unknown transform 'joins' (did you mean 'join'?)"),
        ({"f": {"path": "a", "format": "{0.__class__}"}}, "format fields must be {} or {name}"),
        ({"f": "a..b"}, "bad record path 'a..b'"),
        ({"f": {"join": ", "}}, "give a record path"),
        (["a"], "must map PDF field names"),
    ],
    ids=["unknown-transform", "unsafe-format", "bad-path", "no-path", "not-a-mapping"],
)
def test_malformed_field_maps_are_catalog_errors(spec, message: str) -> None:
    with pytest.raises(CatalogError, match=re.escape(message)):
        parse_field_map(spec)


def test_flattened_application_shows_the_values() -> None:
    from pypdf import PdfReader

    record = _record(SAMPLES[0])
    reader = PdfReader(io.BytesIO(fill_form(load_catalog().get("application"), record, flatten=True)))
    assert reader.get_fields() is None
    assert record["applicant"]["legal_name"] in reader.pages[0].extract_text()


def test_form_pdf_is_what_form_yaml_builds() -> None:
    from pypdf import PdfReader

    spec = importlib.util.spec_from_file_location("build_form", ROOT / "tools" / "build_form.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = module.build()
    assert built == module.build()  # deterministic
    committed = (FOLDER / "form.pdf").read_bytes()
    assert open_form(built).fields() == open_form(committed).fields(), "run python tools/build_form.py"
    if PdfReader(io.BytesIO(committed)).metadata.get("/Creator") == module.builder():
        assert built == committed, "run python tools/build_form.py"


def test_bundled_form_has_fields_of_every_kind(form) -> None:
    infos = {i.name: i for i in form.fields()}
    kinds = {i.type for i in infos.values()}
    assert {"text", "checkbox", "radio", "choice"} <= kinds
    assert infos["section1.scid_1"].max_length == 4
    assert infos["section1.street"].multiline
    assert "CA" in infos["section1.state"].options
    assert infos["section1.state_of_incorporation"].type == "text"  # any jurisdiction, not only US states
    assert infos["section1.entity_type"].options == ["municipal", "marketer", "iou", "government", "other"]
    assert {i.page for i in infos.values()} == {1, 2, 3}


def test_warm_prepares_every_bundled_document() -> None:
    from sc_docs.catalog.makers import warm

    warm(load_catalog())  # a worker calls this at start-up; it must not need a record
    assert fill_form(load_catalog().get("application"), _record(SAMPLES[0]))
