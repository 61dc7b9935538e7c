"""The invalid samples print exactly these messages (text a regulatory analyst can act on)."""

from __future__ import annotations

import pytest

from tests.conftest import EXAMPLES, INVALID

EXPECTED = {
    "bad-contact-details.yaml": [
        "35: applicant.alternate_representative.email: must be an email address such as name@example.com; got 'luis.ortega(at)acme-pl'",
        "36: applicant.alternate_representative.phone: must be a US phone number such as (916) 555-0123; got '555-0143'",
    ],
    "bad-scid.yaml": [
        "44: documents.application.scid_choices[1]: SCID must be a letter followed by three letters or digits, upper case, e.g. ACME; got '1ABC'"
    ],
    "effective-before-application.yaml": [
        "74: documents.sca.effective_date: effective date 2026-11-01 is before the application date 2026-12-01 (documents.application.application_date)"
    ],
    "missing-signatory.yaml": ["4: applicant.signatory: required field is missing"],
    "other-without-description.yaml": ["4: applicant.entity_type_other: required field is missing"],
    "po-box-address.yaml": ["11: applicant.legal_address.street[0]: must be a street address, not a P.O. box; got 'P.O. Box 1200'"],
    "repeated-scid-choice.yaml": [
        "44: documents.application.scid_choices[2]: SCID choice 3 'ACME' repeats choice 1; the three choices must differ"
    ],
    "same-representative.yaml": [
        "28: applicant.alternate_representative.name: the alternate representative must be a different person from the primary; both have name 'Dana Whitfield'"
    ],
    "unknown-field.yaml": ["5: applicant.legl_name: unknown field 'legl_name'; did you mean 'legal_name'?"],
    "unquoted-zip.yaml": [
        '34: applicant.alternate_representative.zip: must be text; got 95814 (put it in quotes so it stays text, e.g. "95814")',
        "45: documents.application.proposed_commencement_date: must be a date written YYYY-MM-DD, e.g. 2027-01-01; got '2027-02-30'",
    ],
}


def test_every_invalid_sample_has_expectations() -> None:
    assert sorted(p.name for p in INVALID) == sorted(EXPECTED)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_sample_messages(run, path) -> None:  # type: ignore[no-untyped-def]
    rel = path.relative_to(EXAMPLES.parent.parent)
    import os

    cwd = os.getcwd()
    os.chdir(EXAMPLES.parent.parent)
    try:
        result = run("validate", str(rel))
    finally:
        os.chdir(cwd)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [f"{rel}:{line}" for line in EXPECTED[path.name]]
