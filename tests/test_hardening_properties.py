"""Properties for any input: any legal text renders verbatim; the loader raises only sc-docs errors.

The first half puts arbitrary XML-legal Unicode into every free-text field of a record that has
every agreement, renders every agreement (`sc_docs.packet.render_agreement`) and checks each
document opens in python-docx and holds each value exactly. The application form half runs once
`sc_docs.catalog.formfill.fill_application` exists. The second half feeds arbitrary bytes and arbitrary
structured data (as YAML and JSON) to the loader and validator.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from sc_docs.errors import ScDocsError
from tests.checks import assert_docx_ok, assert_pdf_ok
from tests.conftest import EXAMPLES

FULL = yaml.safe_load((EXAMPLES / "pacific-crest-gas-and-electric.yaml").read_text(encoding="utf-8"))
DATE = dt.date(2027, 5, 1)

# Data path -> the agreements whose templates print it. Checked against the templates below.
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "applicant.legal_name": ("sca", "msa_sc", "nca", "msa_isome"),
    "applicant.legal_address.street.0": ("sca", "msa_sc", "nca", "msa_isome"),
    "applicant.legal_address.city": ("sca", "msa_sc", "nca", "msa_isome"),
    "applicant.primary_representative.name": ("sca", "msa_sc", "nca", "msa_isome"),
    "applicant.primary_representative.title": ("sca", "msa_sc", "nca", "msa_isome"),
    "applicant.primary_representative.company": ("sca", "msa_sc", "nca", "msa_isome"),
    "applicant.primary_representative.city": ("sca", "msa_sc", "nca", "msa_isome"),
    "applicant.primary_representative.street.0": ("sca", "msa_sc", "nca", "msa_isome"),
    "applicant.alternate_representative.name": ("sca", "msa_sc", "nca", "msa_isome"),
    "applicant.alternate_representative.title": ("sca", "msa_sc", "nca", "msa_isome"),
    "applicant.alternate_representative.company": ("sca", "msa_sc", "nca", "msa_isome"),
    "applicant.signatory.name": ("sca", "msa_sc", "nca", "msa_isome"),
    "applicant.signatory.title": ("sca", "msa_sc", "nca", "msa_isome"),
    "documents.msa_sc.resources.0.resource_name": ("msa_sc",),
    "documents.msa_isome.resources.2.resource_name": ("msa_isome",),
    "documents.msa_isome.scheduling_coordinator_name": ("msa_isome",),
    "documents.nca.user_access_administrator.name": ("nca",),
    "documents.nca.user_access_administrator.company": ("nca",),
}


def variable_of(path: str) -> str:
    """`documents.msa_sc.resources.0.resource_name` -> `agreement.resources[].resource_name`."""
    parts = path.split(".")
    if parts[0] == "documents":
        parts = ["agreement", *parts[2:]]
    return re.sub(r"\.\d+(?=\.|$)", "[]", ".".join(parts))


def put(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def legal_text(min_size: int = 1, max_size: int = 40) -> st.SearchStrategy[str]:
    """Unicode text XML 1.0 can hold, without the CR/LF/tab the engine turns into breaks."""
    chars = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
    # Text of only spaces is a blank, "not given" on load, so it is not a value to print.
    return st.text(chars, min_size=min_size, max_size=max_size).filter(lambda t: t.strip() != "")


def test_field_table_matches_the_templates() -> None:
    """Each listed field is a variable of exactly the agreements said to print it."""
    from sc_docs.catalog import load_catalog
    from sc_docs.engines.docx import compile_template

    used = {e.key: compile_template(e.source_path).variables() for e in load_catalog().agreements()}
    for path, keys in TEXT_FIELDS.items():
        var = variable_of(path)
        printing = {k for k, names in used.items() if var in names or var.removesuffix("[]") in names}
        assert printing >= set(keys), path


def render_all(data: dict[str, Any]) -> dict[str, bytes]:
    from sc_docs.catalog import load_catalog
    from sc_docs.catalog.makers import make

    return {e.key: make(e, data, DATE) for e in load_catalog().agreements() if e.key in data["documents"]}


HARD = "Zoë & <O'Brien> \"Ünïcødé\" ⚡ עברית العربية 東京 👩🏽‍💻 e\u0301 {{ x }} {% if %} ]]> &amp; \u200b\u00a0"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({path: legal_text() for path in TEXT_FIELDS}))
@example({path: HARD for path in TEXT_FIELDS})
@example({path: f" {i} leading and trailing spaces  " for i, path in enumerate(TEXT_FIELDS)})
def test_any_legal_text_in_every_field_renders_exactly(values: dict[str, str]) -> None:
    data = copy.deepcopy(FULL)
    for path, value in values.items():
        put(data, path, value)
    docs = render_all(data)
    texts = {key: assert_docx_ok(blob) for key, blob in docs.items()}
    missing = [(path, key) for path, value in values.items() for key in TEXT_FIELDS[path] if value not in texts[key]]
    assert not missing, missing


@pytest.mark.libreoffice
def test_hard_text_survives_libreoffice(tmp_path: Path) -> None:
    """One sample (conversion is slow): the hardest text in every field converts to a readable PDF."""
    from tests.checks import has_soffice

    if not has_soffice():
        pytest.skip("LibreOffice (soffice) is not installed")
    data = copy.deepcopy(FULL)
    for path in TEXT_FIELDS:
        put(data, path, HARD)
    docs = render_all(data)
    assert_docx_ok(docs["sca"], convert=True)


FORM_TEXT_FIELDS = [path for path in TEXT_FIELDS if path.startswith("applicant.")]


@settings(max_examples=25, deadline=None)
@given(st.fixed_dictionaries({path: legal_text(max_size=30) for path in FORM_TEXT_FIELDS}))
@example({path: HARD[:30] for path in FORM_TEXT_FIELDS})
def test_any_legal_text_fills_the_application_form(values: dict[str, str]) -> None:
    """Every text field of the filled form reads back exactly what the field map put there."""
    from pypdf import PdfReader

    from sc_docs.catalog import load_catalog
    from sc_docs.catalog.formfill import fill_form, form_values, load_field_map, lookup_root

    data = copy.deepcopy(FULL)
    for path, value in values.items():
        put(data, path, value)
    from sc_docs.engines.pdf import MissingGlyphError

    entry = next(e for e in load_catalog() if e.meta.kind == "form" and e.key in data["documents"])
    try:
        pdf = fill_form(entry, data)
    except MissingGlyphError as exc:  # no installed font draws it: named, never drawn as an empty box
        assert exc.chars and all(ch in "".join(values.values()) for ch in exc.chars)
        return
    assert_pdf_ok(pdf)
    expected = form_values(lookup_root(entry, data), load_field_map(entry.file("fields")))
    fields = PdfReader(io.BytesIO(pdf)).get_fields() or {}
    wrong = {name: (fields[name].get("/V"), want) for name, want in expected.items()
             if isinstance(want, str) and name in fields and fields[name].get("/FT") == "/Tx" and fields[name].get("/V") != want}
    assert not wrong, wrong
    shown = " ".join(str(f.get("/V")) for f in fields.values())
    assert all(value in shown for value in values.values())


# -- the loader raises only sc-docs errors --------------------------------------------------------

SUFFIXES = [".yaml", ".json", ".xlsx", ".yml"]


def load_and_validate(path: Path) -> None:
    import sc_docs

    try:
        record = sc_docs.load_applicant(path)
        sc_docs.validate(record)
    except ScDocsError as exc:
        assert exc.format_message()  # the message itself must be buildable


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2_000), suffix=st.sampled_from(SUFFIXES))
def test_arbitrary_bytes_raise_only_sc_docs_errors(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"sheet{suffix}"
    path.write_bytes(data)
    load_and_validate(path)


scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30) | st.sampled_from(["ACME", "2027-01-01", "95814", "P.O. Box 1", "yes", "~", "<<", "*a", "&a"])
)
keys = st.text(max_size=12) | st.sampled_from(["applicant", "legal_name", "agreements", "sca", "application", "scids", "street"])
structured = st.recursive(
    scalars, lambda children: st.lists(children, max_size=5) | st.dictionaries(keys, children, max_size=5), max_leaves=40
)


def as_json(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode("utf-8", "surrogatepass")


def as_yaml(value: Any) -> bytes:
    return yaml.safe_dump(value, allow_unicode=True).encode("utf-8", "surrogatepass")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=structured, fmt=st.sampled_from(["json", "yaml"]), wrap=st.booleans())
def test_arbitrary_structured_data_raises_only_sc_docs_errors(tmp_path: Path, value: Any, fmt: str, wrap: bool) -> None:
    if wrap:  # put it where the schema looks, to get past "required field is missing"
        base = copy.deepcopy(FULL)
        base["applicant"]["signatory"] = value
        value = base
    path = tmp_path / f"sheet.{fmt}"
    path.write_bytes(as_json(value) if fmt == "json" else as_yaml(value))
    load_and_validate(path)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=structured)
def test_arbitrary_structured_data_in_a_workbook_raises_only_sc_docs_errors(tmp_path: Path, value: Any) -> None:
    from sc_docs.sheets.xlsx_source import write_xlsx

    base = copy.deepcopy(FULL)
    base["applicant"]["signatory"] = value
    if any(isinstance(v, float) and not math.isfinite(v) for v in _leaves(value)):
        return  # a workbook cell cannot hold NaN or infinity
    try:
        blob = write_xlsx(base)
    except ValueError:  # a key that is no field path has no row in the workbook layout
        assume(False)
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(blob)
    load_and_validate(path)


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]
