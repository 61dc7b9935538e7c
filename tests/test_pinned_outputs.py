"""The samples' rendered agreements and filled forms, pinned by SHA-256.

Refactors must keep every output byte-identical. A change that alters a document on purpose (new
template text, a new form layout) updates the pins here in the same commit and says why.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import sc_docs
from sc_docs.packet import build_packet

EXAMPLES = Path(__file__).resolve().parent.parent / "info_sheets" / "examples"

PINNED: dict[tuple[str, str], str] = {
    ("acme-power-and-light.yaml", "application"): "636b31bd6b5c499cb54420e8c6bebeabd71bdf80f92bcac5cef7cdc01d51e50c",
    ("acme-power-and-light.yaml", "msa_sc"): "b751d1d73b86accaf6a994e1bcbe20c62de6381ba1e1359616fcff88c6a7f4a1",
    ("acme-power-and-light.yaml", "nca"): "560008a76f13273f6b0bb9ff2cbbf93853017f000a937870da96f219b7a81fa7",
    ("acme-power-and-light.yaml", "sca"): "3e7c7d5235b4ff3e0350c98f607e320ac77b1a2c4114e6d8a121176ec11ec05d",
    ("ciudad-de-rio-verde.yaml", "application"): "76ea8d45b314f9d88efec1908238b22bbc3055fa76144d43e0926e62b2725422",
    ("ciudad-de-rio-verde.yaml", "msa_sc"): "29358e7245ef274f026a0e808fe1771864f282b95c8e3b46430b384c093d4a17",
    ("ciudad-de-rio-verde.yaml", "sca"): "820741a9057fc4f80b1f5f3b4f2abac404d4b3d16faa25aa1b7726993ef035de",
    ("obrien-community-energy.yaml", "application"): "9a14d61c47ed4091a09d0b390f1a64007e45008d3a2353968b4394d78f316c4e",
    ("obrien-community-energy.yaml", "nca"): "f27c27ce3e3d6764b2c39241ec80559da566f182bdcef4d72e1159aa356a6175",
    ("obrien-community-energy.yaml", "sca"): "1404ee41c4f315fe14672698917526918520b37d6ec730fd3abc03c5ec0d9b5a",
    ("pacific-crest-gas-and-electric.yaml", "application"): "a6f1f9803e6e5f76a15d8f6fc080ecc8281ebe7d3cfae65cd27b0830b73c6fbe",
    ("pacific-crest-gas-and-electric.yaml", "msa_isome"): "f7ffd16265e9ae509d4bf041f87636b06f4c541f2d7beabd47cce52fdb06173d",
    ("pacific-crest-gas-and-electric.yaml", "msa_sc"): "4a3cf53f0453c5920e701f00a8354b9366bbf9cca23f678435e97babde4f5b9f",
    ("pacific-crest-gas-and-electric.yaml", "nca"): "f2c191aa7ad98cdd2df4e0e652f245e0966050b8d19b5a47da0c1590f2efa573",
    ("pacific-crest-gas-and-electric.yaml", "sca"): "0fb362a5e4475710498bde5506ac1932ad45ad13b861251b7e6c83e18ff244ef",
    ("sierra-federal-power.yaml", "application"): "4a15c262dae8986e47923400c4fa3bfe9351888890e14f91a8e2764dac625f58",
    ("sierra-federal-power.yaml", "sca"): "3479862405f53c64b1e00f4af449760fcafbe495277f76e59c2026ccbe43952d",
    # the other forms and letters of issue 13 (new documents; the pins above are unchanged)
    ("acme-power-and-light.yaml", "master_checklist"): "b20ae82453772a89dae94cc20a82eb6676b70414e54c5c648a2f1b057a2486b0",
    ("acme-power-and-light.yaml", "affiliate_disclosure"): "80bc9303beb4ed0fd86fbb305d204e9770971f9d30dbd2eeef30e23a83431a66",
    ("acme-power-and-light.yaml", "contact_list"): "c94b5c1df14551f00ca060a86767218be54cb5507a86cfd06b560965a70f1036",
    ("acme-power-and-light.yaml", "officer_certification"): "a14325f711c696f9d3924f1e1ddfb1e850f5c02d6b8a25ffeb6fccd06d843b2c",
    ("acme-power-and-light.yaml", "emergency_plan"): "4becd21579a051224e6490889f32ab07fef86dd1ee2d459d836c708ae8a0f669",
    ("acme-power-and-light.yaml", "payment_info"): "05553f1a2e870c3382961369cb9dc67df5a452151d06e8a124cced92149d3e34",
    ("acme-power-and-light.yaml", "unsecured_credit"): "b3c2de0d2ce7468d681f2c22f28e8eb134ce560f00ea184987c69dad3294be1a",
    ("acme-power-and-light.yaml", "financial_security"): "9ce322706b924d3002fc22aaa1d6aab0cb4693fa578c9b62a33846d9f36a8659",
    ("acme-power-and-light.yaml", "scid_request"): "8da3110abafa29d154545ceb093c5d46d516eda52385663b1b1c728e1cb33209",
    ("pacific-crest-gas-and-electric.yaml", "affiliate_disclosure"): "8c07ee9d0976bc8614e6e049ac3cb2a667f00c2d60a9adf9519a0e8fa896b78d",
    ("pacific-crest-gas-and-electric.yaml", "officer_certification"): "4569cace458164b378acced605396bcf95ecfe952939c531445b51a8214a30fd",
    ("pacific-crest-gas-and-electric.yaml", "financial_security"): "d6ca336aa332a5d4d0c49f2ea80da45261fb0ab89703327e17096f61029500b6",
}


@pytest.mark.parametrize("sheet", sorted({s for s, _ in PINNED}))
def test_sample_outputs_are_byte_identical(sheet: str) -> None:
    packet = build_packet(sc_docs.load_applicant(EXAMPLES / sheet))
    got = {doc.key: doc.sha256 for doc in packet.manifest.documents}
    want = {key: digest for (s, key), digest in PINNED.items() if s == sheet}
    assert got == want
    for doc in packet.manifest.documents:
        assert hashlib.sha256(packet.files[doc.file]).hexdigest() == doc.sha256
