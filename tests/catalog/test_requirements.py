"""`pro_forma/requirements.yaml` names documents by catalog key: every one must exist."""

from __future__ import annotations

from sc_docs.catalog import load_catalog
from sc_docs.tracker import load_requirements


def test_every_document_a_requirement_names_is_a_catalog_entry() -> None:
    catalog = load_catalog()
    named = {key for req in load_requirements().requirements for key in req.satisfied_by.documents}
    assert named, "the requirements name no documents"
    assert sorted(k for k in named if k not in catalog) == []


def test_the_certification_forms_of_issue_13_satisfy_requirements() -> None:
    named = {key for req in load_requirements().requirements for key in req.satisfied_by.documents}
    assert {"master_checklist", "contact_list", "affiliate_disclosure", "officer_certification", "emergency_plan",
            "payment_info", "financial_security", "unsecured_credit"} <= named
    keys = [req.key for req in load_requirements().requirements]
    assert {"application_sunset", "officer_certification_initial", "officer_certification", "eft_test",
            "training_registration"} <= set(keys)
