"""Validation: every schema rule and domain rule has a passing and a failing case."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

import sc_docs
from tests.conftest import EXAMPLES, SAMPLES

BASE = yaml.safe_load((EXAMPLES / "acme-power-and-light.yaml").read_text())


def problems_after(change: Any) -> list[str]:
    data = copy.deepcopy(BASE)
    change(data)
    return [f"{p.path}: {p.message}" for p in sc_docs.validate(data)]


def setter(path: str, value: Any) -> Any:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return change


def test_base_is_valid() -> None:
    assert problems_after(lambda d: None) == []


@pytest.mark.parametrize(
    "street",
    ["PO Box 12", "P.O. Box 12", "P. O. Box 7", "p.o. box 5", "Post Office Box 9", "POST OFFICE BOX 1", "POB 44", "Box 12", "box #12", "PO BOX 3", "P.O.Box 3"],
)
def test_po_boxes_are_refused(street: str) -> None:
    assert problems_after(setter("applicant.legal_address.street.0", street)) == [
        f"applicant.legal_address.street[0]: must be a street address, not a P.O. box; got '{street}'"
    ]


@pytest.mark.parametrize("street", ["1200 J Street", "45 Boxwood Lane", "12 Box Canyon Road", "100 Pobol Street", "Suite 400", "1 Post Office Square"])
def test_real_streets_pass(street: str) -> None:
    assert problems_after(setter("applicant.legal_address.street.0", street)) == []


@pytest.mark.parametrize(
    ("scid", "ok"), [("ACME", True), ("A123", True), ("1ABC", False), ("acme", False), ("ACM", False), ("ACMEE", False), ("AC-E", False)]
)
def test_scid_form(scid: str, ok: bool) -> None:
    found = problems_after(setter("applicant.scids.0", scid))
    if ok:
        assert found == []
    else:
        assert found == [
            f"applicant.scids[0]: SCID must be a letter followed by three letters or digits, upper case, e.g. ACME; got '{scid}'"
        ]


@pytest.mark.parametrize(
    ("field", "good", "bad", "message"),
    [
        ("zip", "95630-4773", "9563", "must be a ZIP code of five digits or ZIP+4, e.g. 95630 or 95630-4773; got '9563'"),
        ("email", "a.b@c.example.org", "a.b@c", "must be an email address such as name@example.com; got 'a.b@c'"),
        ("phone", "+1 916-555-0100 ext. 7", "555-0100", "must be a US phone number such as (916) 555-0123; got '555-0100'"),
        ("fax", "(916) 555-0199", "fax me", "must be a US fax number such as (916) 555-0199; got 'fax me'"),
        ("state", "CA", "XX", "must be a two-letter US state code such as CA; got 'XX'"),
    ],
)
def test_contact_fields(field: str, good: str, bad: str, message: str) -> None:
    path = f"applicant.primary_representative.{field}"
    assert problems_after(setter(path, good)) == []
    assert problems_after(setter(path, bad)) == [f"{path}: {message}"]


@pytest.mark.parametrize(("date", "ok"), [("2027-04-01", True), ("2027-02-30", False), ("04/01/2027", False), ("2027-4-1", False)])
def test_dates(date: str, ok: bool) -> None:
    found = problems_after(setter("documents.application.proposed_commencement_date", date))
    expected = [] if ok else [f"documents.application.proposed_commencement_date: must be a date written YYYY-MM-DD, e.g. 2027-01-01; got '{date}'"]
    assert found == expected


def test_entity_type_other_needs_a_description() -> None:
    assert problems_after(setter("applicant.entity_type", "other")) == ["applicant.entity_type_other: required field is missing"]

    def both(d: dict[str, Any]) -> None:
        d["applicant"]["entity_type"] = "other"
        d["applicant"]["entity_type_other"] = "Cooperative"
    assert problems_after(both) == []
    assert problems_after(setter("applicant.entity_type", "cooperative"))[0].startswith("applicant.entity_type: must be one of municipal_utility")


def test_scheduling_agent_needs_a_name() -> None:
    assert problems_after(setter("documents.application.uses_scheduling_agent", True)) == ["documents.application.scheduling_agent_name: required field is missing"]
    assert problems_after(setter("documents.application.scheduling_agent_name", "X Corp")) == [
        "documents.application.scheduling_agent_name: a Scheduling Agent is named but uses_scheduling_agent is false"
    ]


def test_scid_choices_three_and_distinct() -> None:
    assert problems_after(setter("documents.application.scid_choices", ["ACME", "ACM2"])) == [
        "documents.application.scid_choices: must list at least 3 items; got a list of 2 items"
    ]
    assert problems_after(setter("documents.application.scid_choices", ["ACME", "ACME", "ACM2"])) == [
        "documents.application.scid_choices[1]: SCID choice 2 'ACME' repeats choice 1; the three choices must differ"
    ]


def test_effective_dates_not_before_application() -> None:
    assert problems_after(setter("documents.nca.effective_date", "2026-12-01")) == []
    assert problems_after(setter("documents.nca.effective_date", "2026-11-30")) == [
        "documents.nca.effective_date: effective date 2026-11-30 is before the application date 2026-12-01 (documents.application.application_date)"
    ]
    assert problems_after(setter("documents.application.proposed_commencement_date", "2026-01-01")) == [
        "documents.application.proposed_commencement_date: proposed commencement date 2026-01-01 is before the application date 2026-12-01"
    ]


def test_alternate_differs_from_primary() -> None:
    assert problems_after(setter("applicant.alternate_representative.email", "Dana.Whitfield@acme-pl.example.com".lower())) == [
        "applicant.alternate_representative.email: the alternate representative must be a different person from the primary; "
        "both have email 'dana.whitfield@acme-pl.example.com'"
    ]


def test_types_required_unknown_and_lengths() -> None:
    assert problems_after(setter("applicant.legal_address.zip", 95814)) == [
        'applicant.legal_address.zip: must be text; got 95814 (put it in quotes so it stays text, e.g. "95814")'
    ]
    assert problems_after(setter("documents.application.uses_scheduling_agent", "no")) == [
        "documents.application.uses_scheduling_agent: must be true or false; got 'no'"
    ]
    assert problems_after(lambda d: d["applicant"].pop("signatory")) == ["applicant.signatory: required field is missing"]
    assert problems_after(lambda d: d["applicant"].update(colour="red")) == [
        "applicant.colour: unknown field 'colour'; expected one of: legal_name, entity_type, entity_type_other, organization_form, "
        "state_of_organization, legal_address, primary_representative, alternate_representative, signatory, scids"
    ]
    found = problems_after(setter("applicant.legal_name", "A" * 1_000_000))
    assert found == ["applicant.legal_name: is too long: at most 200 characters, got 1,000,000"]
    assert problems_after(setter("applicant.legal_name", " Acme")) == [
        "applicant.legal_name: must be the full legal name without leading or trailing spaces, 2 to 200 characters; got ' Acme'"
    ]


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x0b", "\x0c", "\x1f", "\ud800"], ids=repr)
def test_control_characters_are_rejected_naming_the_field(char: str) -> None:
    found = problems_after(setter("applicant.signatory.title", f"Chief{char}Officer"))
    assert len(found) == 1
    assert found[0].startswith(f"applicant.signatory.title: contains the invisible control character U+{ord(char):04X} at position 6")


def test_tab_and_newline_are_allowed_in_text() -> None:
    assert problems_after(setter("applicant.signatory.title", "Chief\tExecutive\nOfficer")) == []


def test_problems_come_in_source_order(tmp_path: Any) -> None:
    text = (EXAMPLES / "acme-power-and-light.yaml").read_text()
    text = text.replace("scid_choices: [ACME, ACM2, APL1]", "scid_choices: [ACME, 1ABC, APL1]").replace("state_of_organization: DE", "state_of_organization: ZZ")
    f = tmp_path / "s.yaml"
    f.write_text(text)
    lines = [p.line for p in sc_docs.validate(sc_docs.load_applicant(f))]
    assert lines == sorted(lines) and len(lines) == 2


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_samples_cover_entity_types(path: Any) -> None:
    assert sc_docs.load_applicant(path).data["applicant"]["entity_type"]


def test_samples_show_every_entity_type_and_hard_characters() -> None:
    records = [sc_docs.load_applicant(p).data for p in SAMPLES]
    assert {r["applicant"]["entity_type"] for r in records} == {
        "municipal_utility", "power_marketer", "investor_owned_utility", "federal_or_state_entity", "other"
    }
    names = " ".join(r["applicant"]["legal_name"] for r in records)
    assert "&" in names and "'" in names and "í" in names
    assert any(len(r["applicant"]["legal_address"]["street"]) > 1 for r in records)
    assert any(len(r["applicant"]["scids"]) > 2 for r in records)
