"""The edit form is generated from the schema, and a posted form gives back the record it shows."""

from __future__ import annotations

import re

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sc_docs.web import form as forms
from tests.conftest import SAMPLES


def _pairs(widgets: list[forms.Widget]) -> list[tuple[str, str]]:
    """The name/value pairs a browser would post for `widgets` as rendered."""
    out: list[tuple[str, str]] = []
    for w in widgets:
        if w.kind == "field":
            out.append((w.name, w.value))
        else:
            out.extend(_pairs(w.children))
    return out


def _normal(data):  # type: ignore[no-untyped-def]
    return yaml.safe_load(yaml.safe_dump(data))


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_a_sample_survives_the_form_unchanged(sample) -> None:
    data = yaml.safe_load(sample.read_text(encoding="utf-8"))
    back = forms.to_record(_pairs(forms.build(data)))
    assert back == _normal(data)


def test_every_schema_section_gets_a_fieldset_and_lists_get_rows() -> None:
    from sc_docs.sheets.schema import ROOT, load_schemas

    top = load_schemas()[ROOT]["properties"]
    sections = forms.build({}, fresh=True)
    assert [w.name for w in sections] == list(top)
    applicant = next(w for w in sections if w.name == "applicant")
    names = {c.name: c for c in applicant.children}
    assert names["applicant.entity_type"].input == "select"
    assert names["applicant.scids"].kind == "list" and names["applicant.scids"].children[0].name == "applicant.scids[0]"
    assert names["applicant.scids"].template.name == "applicant.scids[__I0__]"
    assert "Secretary of State" in names["applicant.legal_name"].help


def test_dates_are_date_inputs_and_booleans_selects() -> None:
    sections = {w.name: w for w in forms.build({}, fresh=True)}
    documents = {c.name: c for c in sections["documents"].children}
    application = {c.name: c for c in documents["documents.application"].children}
    assert application["documents.application.application_date"].input == "date"
    assert application["documents.application.uses_scheduling_agent"].input == "select"
    assert [v for v, _ in application["documents.application.uses_scheduling_agent"].options] == ["", "true", "false"]


def test_a_value_the_widget_cannot_hold_is_kept_as_text() -> None:
    data = {"applicant": {"entity_type": "space_agency"}, "documents": {"application": {"application_date": "next week"}}}
    sections = {w.name: w for w in forms.build(data)}
    entity = next(c for c in sections["applicant"].children if c.name == "applicant.entity_type")
    assert ("space_agency", "space_agency (not allowed)") in entity.options and entity.value == "space_agency"
    application = next(c for c in sections["documents"].children if c.name == "documents.application")
    date = next(c for c in application.children if c.name == "documents.application.application_date")
    assert date.input == "text" and date.value == "next week"


def test_posted_values_are_typed_by_the_schema() -> None:
    pairs = [("schema_version", "1"), ("documents.application.fee.amount", "7500"),
             ("documents.application.uses_scheduling_agent", "false"),
             ("applicant.legal_address.zip", "01234"), ("documents.application.fee.amount_typo", "1"), ("_version", "x"),
             ("applicant.scids[0]", "ACME"), ("applicant.scids[2]", "ACM3"), ("applicant.scids[__I0__]", "TEMPL")]
    data = forms.to_record(pairs)
    application = data["documents"]["application"]
    assert data["schema_version"] == 1 and application["fee"]["amount"] == 7500
    assert application["uses_scheduling_agent"] is False
    assert data["applicant"]["legal_address"]["zip"] == "01234"
    assert data["applicant"]["scids"] == ["ACME", "ACM3"]  # a removed row leaves no gap
    assert "amount_typo" not in application["fee"]


def test_text_that_does_not_fit_the_type_is_kept_for_the_validator() -> None:
    data = forms.to_record([("documents.application.fee.amount", "seven thousand")])
    assert data["documents"]["application"]["fee"]["amount"] == "seven thousand"


def test_fields_the_form_cannot_show_are_kept_on_save() -> None:
    old = {"applicant": {"legal_name": "A", "nickname": "kept"}, "x_custom": {"a": 1}}
    new = forms.to_record([("applicant.legal_name", "B")])
    merged = forms.keep_unknown(old, new)
    assert merged == {"applicant": {"legal_name": "B", "nickname": "kept"}, "x_custom": {"a": 1}}
    assert forms.unknown_paths(old) == ["applicant.nickname", "x_custom"]


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["legal_name", "organization_form", "state_of_organization"]),
                       st.text(min_size=1, max_size=30).filter(lambda s: "\x00" not in s), min_size=1))
def test_typed_text_is_never_lost(facts) -> None:  # type: ignore[no-untyped-def]
    data = {"applicant": facts}
    assert forms.to_record(_pairs(forms.build(data))) == data


def test_no_section_is_named_in_the_form_code() -> None:
    """The form follows the schema: the record layout may move without touching it."""
    from pathlib import Path

    source = Path(forms.__file__).read_text(encoding="utf-8")
    code = re.sub(r'"""[\s\S]*?"""', "", source)
    for name in ("agreements", "applicant", "application", "documents", "sca", "msa_sc"):
        assert f'"{name}"' not in code
