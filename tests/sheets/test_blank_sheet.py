"""The blank sheet and the validator agree: blanks are "not given", required ones say "empty"."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import sc_docs
from sc_docs.sheets.blank import blank_rows, requirement
from tests.conftest import EXAMPLES

ACME = EXAMPLES / "acme-power-and-light.yaml"


def test_fresh_blank_yaml_lists_only_required_fields_as_empty(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "blank.yaml"
    assert run("sheet", "new", "-o", out).exit_code == 0
    result = run("validate", out)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    # Every problem is a required field left empty, at its own line; no type or pattern noise.
    assert lines and all(line.endswith(": required field is empty") for line in lines), lines
    paths = {line.split(": ")[1] for line in lines}
    assert "applicant.legal_name" in paths and "applicant.scids" in paths
    # Optional fields left blank (fax, entity_type_other) and the optional sections are "not given".
    assert not any("fax" in p or "entity_type_other" in p or p.startswith("documents") for p in paths)
    text = out.read_text().splitlines()
    first = lines[0].split(":")
    assert text[int(first[1]) - 1].strip() == "legal_name:"


def test_filled_sample_with_optional_blanks_is_valid(tmp_path: Path) -> None:
    data = yaml.safe_load(ACME.read_text())
    data["applicant"]["primary_representative"]["fax"] = None
    data["applicant"]["entity_type_other"] = "   "
    data["applicant"]["legal_address"]["street"].append("")
    data["documents"]["application"]["scheduling_agent_name"] = ""
    sheet = tmp_path / "s.yaml"
    sheet.write_text(yaml.safe_dump(data, sort_keys=False))
    record = sc_docs.load_applicant(sheet)
    assert sc_docs.validate(record) == []
    assert "fax" not in record.data["applicant"]["primary_representative"]
    assert "scheduling_agent_name" not in record.data["documents"]["application"]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d["documents"]["application"].__setitem__("scheduling_agent_name", ""), []),
        (lambda d: d["applicant"]["legal_address"].__setitem__("street", [""]),
         ["applicant.legal_address.street: required field is empty"]),
        (lambda d: d["documents"]["application"]["scid_choices"].__setitem__(1, ""),
         ["documents.application.scid_choices[1]: required field is empty"]),
        (lambda d: d["applicant"].__setitem__("legal_name", ""), ["applicant.legal_name: required field is empty"]),
        (lambda d: d["documents"]["application"].__setitem__("emergency_contact", {"name": None, "phone": ""}),
         ["documents.application.emergency_contact.name: required field is empty",
          "documents.application.emergency_contact.phone: required field is empty"]),
    ],
    ids=["agent-name", "street", "scid-choice", "legal-name", "emergency-contact"],
)
def test_blank_messages(tmp_path: Path, edit, expected: list[str]) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(ACME.read_text())
    edit(data)
    sheet = tmp_path / "s.yaml"
    sheet.write_text(yaml.safe_dump(data, sort_keys=False))
    assert [f"{p.path}: {p.message}" for p in sc_docs.validate(sc_docs.load_applicant(sheet))] == expected


def test_blank_list_item_keeps_later_items_and_their_lines(tmp_path: Path) -> None:
    sheet = tmp_path / "s.yaml"
    sheet.write_text("applicant:\n  scids:\n    - ''\n    - 'bad'\n")
    record = sc_docs.load_applicant(sheet)
    assert record.data["applicant"]["scids"] == ["bad"]
    assert record.locate(("applicant", "scids", 0)).line == 4


def test_requirement_marks_fields_required_within_optional_sections() -> None:
    assert requirement("applicant.legal_name") == "yes"
    assert requirement("applicant.primary_representative.fax") == ""
    assert requirement("documents.application.emergency_contact.name") == "if documents.application is given"
    assert requirement("documents.application.scheduling_agent_name") == ""
    assert requirement("documents.sca.effective_date") == "if documents.sca is given"


def test_blank_yaml_labels_application_fields_required(run) -> None:  # type: ignore[no-untyped-def]
    text = run("sheet", "new").stdout
    assert ("    # (required if documents.application is given) Contact for the SC Emergency Plan.\n"
            "    emergency_contact:\n") in text
    assert "    # (optional) Fax number (optional).\n    fax:\n" in text
    # Booleans start blank, not false: a blank is "not given", never a silent answer.
    assert "    uses_scheduling_agent:\n" in text


def test_blank_rows_require_every_scid_choice() -> None:
    rows = {r.path: r.required for r in blank_rows()}
    assert [rows[f"documents.application.scid_choices[{i}]"] for i in range(3)] == ["if documents.application is given"] * 3
    assert rows["applicant.scids[0]"] == "yes" and rows["applicant.scids[1]"] == ""


_BLANKS = st.sampled_from([None, "", " ", "\t", "  \n "])
_SPOTS = [
    ("applicant", "primary_representative", "fax"),
    ("applicant", "alternate_representative", "fax"),
    ("applicant", "entity_type_other"),
    ("documents", "application", "scheduling_agent_name"),
]


@settings(max_examples=40, deadline=None)
@given(spots=st.lists(st.sampled_from(_SPOTS), unique=True), blank=_BLANKS, extra_lines=st.integers(0, 1))
def test_blank_optional_fields_change_nothing(spots: list[tuple[str, ...]], blank: object, extra_lines: int) -> None:
    """Any blank optional field, of any blank spelling, loads as if it were absent."""
    import copy

    from sc_docs.sheets.blanks import prune

    base = yaml.safe_load(ACME.read_text())
    data = copy.deepcopy(base)
    for spot in spots:
        node = data
        for part in spot[:-1]:
            node = node[part]
        if spot[-1] not in node:
            node[spot[-1]] = blank
    data["applicant"]["legal_address"]["street"] += [blank] * extra_lines
    pruned, _, _ = prune(data, {})
    expected, _, _ = prune(copy.deepcopy(base), {})
    assert pruned == expected
    assert sc_docs.validate(pruned) == []
