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
    ("acme-power-and-light.yaml", "msa_sc"): "e7d85fa75a98f8278f7fcc3b8cf08515add05aaf4cf0f663943868ba6c0be28e",
    ("acme-power-and-light.yaml", "nca"): "3c788336843c846306ad0190b7c2792ce9916b81f229d2c8315593370ad5f3bd",
    ("acme-power-and-light.yaml", "sca"): "6a817d89e763f329d9b7d20e6c4b980e965430aca769586a32fbace52fa5a5ea",
    ("ciudad-de-rio-verde.yaml", "application"): "9f9302505d7a4e5cf6801d34924a7f76e68fbc1f91ca0363d1a9ba618d5d22a5",
    ("ciudad-de-rio-verde.yaml", "msa_sc"): "c5a04150eb733d919a7bb6176a517924a3291299f81b3062fb420939d5c7feb8",
    ("ciudad-de-rio-verde.yaml", "sca"): "8f1774cbd6d955cb3a64e752e9f3381b412fe2b7e98b2b623c78fcbc475236b4",
    ("obrien-community-energy.yaml", "application"): "7bf7c5c913f1222ceff872aeb97ad6e758583ee9c81d00f89c7d6882f19cb63b",
    ("obrien-community-energy.yaml", "nca"): "56fc187c40c141a17fdb7073ed0376faebb0eb193fe6c87d9f2fc284cce6247c",
    ("obrien-community-energy.yaml", "sca"): "1b0c046459a4e616ffa6b9064e99f7468e08d2b8ea2fdb309505dfdebc5e332d",
    ("pacific-crest-gas-and-electric.yaml", "application"): "ebc428f9243ecddc9d63227c4f231e24fbaed1613627cb500ebc7b5a7e3adf7b",
    ("pacific-crest-gas-and-electric.yaml", "msa_isome"): "1695766595a6ea3ce09b6271d48cadcfcb5567f14557288055b7f3d5ec608fd9",
    ("pacific-crest-gas-and-electric.yaml", "msa_sc"): "70139ed6c4c80c82bf8f31df32e98d0df12cbd4841b06f85201325915c744558",
    ("pacific-crest-gas-and-electric.yaml", "nca"): "0626ecfb3a108fb3b50f6a3e4bccd1bbb50cf6d5b8fb85cae20ecad800e0e817",
    ("pacific-crest-gas-and-electric.yaml", "sca"): "d3dbef6ca9cbc1d4da095bbb8d03a783cebc3630b5a8b1e09feef507310a2532",
    ("sierra-federal-power.yaml", "application"): "87faf0488ef5a92f99d4dbaaee4d5c3f37e839e813ac2d6edfcafd5b46779929",
    ("sierra-federal-power.yaml", "sca"): "452b45344fd21fff45b642dfd547c768650367b2edf6fb2de9c905a7d74e5b57",
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
