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
    ("acme-power-and-light.yaml", "application"): "a7be07aa47f719cb66b498070685278b19624e1ef40a8c6ee15663e47d896fcb",
    ("acme-power-and-light.yaml", "msa_sc"): "c2d8168169d5402101abfce46512008287d09f5c1b473b97911b74d48427904b",
    ("acme-power-and-light.yaml", "nca"): "cbd6b98ccf3c846fed3ef8e4ad53f11873c70883d4bd5ebcc5ffeafbe945421a",
    ("acme-power-and-light.yaml", "sca"): "39bf69f88d07ec82bb85cc00f3048575a3bb93aa8fc80e2fee8c84928c695a67",
    ("ciudad-de-rio-verde.yaml", "application"): "9f9302505d7a4e5cf6801d34924a7f76e68fbc1f91ca0363d1a9ba618d5d22a5",
    ("ciudad-de-rio-verde.yaml", "msa_sc"): "ddd8a902fa8f1e46493d74f72982fb1407a8901e0a0478b75316910baf34e331",
    ("ciudad-de-rio-verde.yaml", "sca"): "0c0449a5ba647e5f570cf0f0ee88eeb6756c555473f11868453218e69b47bf76",
    ("obrien-community-energy.yaml", "application"): "7bf7c5c913f1222ceff872aeb97ad6e758583ee9c81d00f89c7d6882f19cb63b",
    ("obrien-community-energy.yaml", "nca"): "dd21750d1d2fb7517ccdc177003845492ab851ce8f941a0238d80d0e3932db86",
    ("obrien-community-energy.yaml", "sca"): "1d6804490173937fd81cd786861e4941f07d9fbd556f494c8806025dff5eb8f6",
    ("pacific-crest-gas-and-electric.yaml", "application"): "ebc428f9243ecddc9d63227c4f231e24fbaed1613627cb500ebc7b5a7e3adf7b",
    ("pacific-crest-gas-and-electric.yaml", "msa_isome"): "cc9a6772011d87c94ac1eee553e645ecc3a992b8ae31d6fed2793efd922c9d67",
    ("pacific-crest-gas-and-electric.yaml", "msa_sc"): "3bab434258df68b1c0bf8dee6c03c539d384c665e0519b27373b9046780880fe",
    ("pacific-crest-gas-and-electric.yaml", "nca"): "29ffbdc4aa6414833669d7075b15cdebd6025320a620aee0823e0ca82dd6fd2a",
    ("pacific-crest-gas-and-electric.yaml", "sca"): "858251d770d96e7848e0ba8d58023a206a90ac4dae56a101749cdbba1a658515",
    ("sierra-federal-power.yaml", "application"): "87faf0488ef5a92f99d4dbaaee4d5c3f37e839e813ac2d6edfcafd5b46779929",
    ("sierra-federal-power.yaml", "sca"): "0e2db8b0fe4bd2e0a656c7d73b3b247a74973f6f5b7919458afc791774e1ec86",
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
    ("pacific-crest-gas-and-electric.yaml", "affiliate_disclosure"): "b51acfd81678244793d806f839fedaff7c9ba6795ca0c96ba0ddb426b73e93e4",
    ("pacific-crest-gas-and-electric.yaml", "officer_certification"): "b701beb86e7be7eb68f1186e7c173f7c46c7c18827528072e75b903cd5c9c3cb",
    ("pacific-crest-gas-and-electric.yaml", "financial_security"): "feb11d7c5a79325e1f8908ebeaa92791767a863c21fc380e045770cb6164fd62",
}


@pytest.mark.parametrize("sheet", sorted({s for s, _ in PINNED}))
def test_sample_outputs_are_byte_identical(sheet: str) -> None:
    packet = build_packet(sc_docs.load_applicant(EXAMPLES / sheet))
    got = {doc.key: doc.sha256 for doc in packet.manifest.documents}
    want = {key: digest for (s, key), digest in PINNED.items() if s == sheet}
    assert got == want
    for doc in packet.manifest.documents:
        assert hashlib.sha256(packet.files[doc.file]).hexdigest() == doc.sha256
