"""A state of organization outside the US (a British Columbia corporation) is valid and prints as given."""

from __future__ import annotations

import copy
import io
from pathlib import Path

import pytest

import sc_docs
from sc_docs.engines.docx import docx_text
from sc_docs.packet import build_packet

ACME = Path(__file__).resolve().parents[2] / "info_sheets" / "examples" / "acme-power-and-light.yaml"


def _with_state(value: str) -> sc_docs.sheets.ApplicantRecord:  # type: ignore[name-defined]
    record = sc_docs.load_applicant(ACME)
    record = copy.deepcopy(record)
    record.data["applicant"]["state_of_organization"] = value
    return record


def test_a_british_columbia_corporation_makes_its_packet() -> None:
    from pypdf import PdfReader

    packet = build_packet(_with_state("British Columbia"))
    by_key = {doc.key: packet.files[doc.file] for doc in packet.manifest.documents}
    assert "organized under the laws of British Columbia" in " ".join(docx_text(by_key["sca"]).split())
    fields = PdfReader(io.BytesIO(by_key["application"])).get_fields() or {}
    assert any(f.get("/V") == "British Columbia" for f in fields.values())


@pytest.mark.parametrize("value", ["ZZ", "ca", " British Columbia"], ids=["unknown-code", "lower-case-code", "leading-space"])
def test_a_state_that_is_neither_a_us_code_nor_a_name_is_refused(value: str) -> None:
    problems = sc_docs.validate(_with_state(value))
    assert [p.format().split(": ", 1)[1] for p in problems] == [
        "applicant.state_of_organization: must be a US state code such as CA, or the name of a jurisdiction "
        f"outside the US such as British Columbia; got {value!r}"
    ]
