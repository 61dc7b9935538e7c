"""Property: a record the schema accepts survives YAML -> XLSX -> record unchanged."""

from __future__ import annotations

import copy
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sc_docs
from sc_docs.sheets.loader import parse_sheet
from sc_docs.sheets.xlsx_source import write_xlsx
from tests.conftest import SAMPLES

BASES = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in SAMPLES]

# Text a user can type: any printable Unicode (accents, CJK, emoji, quotes, &, <), no controls.
free_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\ufffe\uffff"),
    min_size=1, max_size=40,
).map(lambda s: s.strip()).filter(lambda s: len(s) >= 2)

FREE_FIELDS = [
    ("applicant", "legal_name"),
    ("applicant", "organization_form"),
    ("applicant", "signatory", "name"),
    ("applicant", "signatory", "title"),
    ("applicant", "primary_representative", "company"),
    ("applicant", "legal_address", "city"),
]


def _set(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(draw(st.sampled_from(BASES)))
    for path in FREE_FIELDS:
        _set(data, path, draw(free_text))
    _set(data, ("applicant", "legal_address", "zip"), draw(st.from_regex(r"\A\d{5}(-\d{4})?\Z")))
    _set(data, ("applicant", "scids"), draw(st.lists(st.from_regex(r"\A[A-Z][A-Z0-9]{3}\Z"), min_size=1, max_size=5, unique=True)))
    application = data.get("documents", {}).get("application")
    if application is not None:
        application["fee"]["amount"] = draw(st.integers(0, 1_000_000) | st.floats(0, 1_000_000, allow_nan=False).map(lambda f: round(f, 2)))
        application["uses_scheduling_agent"] = draw(st.booleans())
        if application["uses_scheduling_agent"]:
            application["scheduling_agent_name"] = draw(free_text)
        else:
            application.pop("scheduling_agent_name", None)
    return data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records())
def test_yaml_to_xlsx_to_record_is_lossless(record: dict[str, Any]) -> None:
    assert sc_docs.validate(record) == []
    text = yaml.safe_dump(record, allow_unicode=True, sort_keys=False)
    from_yaml, _ = parse_sheet(text.encode("utf-8"), "r.yaml")
    assert from_yaml == record
    from_xlsx, _ = parse_sheet(write_xlsx(from_yaml), "r.xlsx")
    assert from_xlsx == record
