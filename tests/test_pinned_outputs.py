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
    ("acme-power-and-light.yaml", "msa_sc"): "e7d85fa75a98f8278f7fcc3b8cf08515add05aaf4cf0f663943868ba6c0be28e",
    ("acme-power-and-light.yaml", "nca"): "3c788336843c846306ad0190b7c2792ce9916b81f229d2c8315593370ad5f3bd",
    ("acme-power-and-light.yaml", "sca"): "6a817d89e763f329d9b7d20e6c4b980e965430aca769586a32fbace52fa5a5ea",
    ("ciudad-de-rio-verde.yaml", "application"): "76ea8d45b314f9d88efec1908238b22bbc3055fa76144d43e0926e62b2725422",
    ("ciudad-de-rio-verde.yaml", "msa_sc"): "c5a04150eb733d919a7bb6176a517924a3291299f81b3062fb420939d5c7feb8",
    ("ciudad-de-rio-verde.yaml", "sca"): "8f1774cbd6d955cb3a64e752e9f3381b412fe2b7e98b2b623c78fcbc475236b4",
    ("obrien-community-energy.yaml", "application"): "9a14d61c47ed4091a09d0b390f1a64007e45008d3a2353968b4394d78f316c4e",
    ("obrien-community-energy.yaml", "nca"): "56fc187c40c141a17fdb7073ed0376faebb0eb193fe6c87d9f2fc284cce6247c",
    ("obrien-community-energy.yaml", "sca"): "1b0c046459a4e616ffa6b9064e99f7468e08d2b8ea2fdb309505dfdebc5e332d",
    ("pacific-crest-gas-and-electric.yaml", "application"): "a833b47d4fc6f0b3baca7d71cfe17c07ac860ea14cc3586c9d7fe66af3c25d9c",
    ("pacific-crest-gas-and-electric.yaml", "msa_isome"): "38363c6ead431b5259a46dea62ae73f74900936bae236f9c4a4f13f726990bf6",
    ("pacific-crest-gas-and-electric.yaml", "msa_sc"): "70139ed6c4c80c82bf8f31df32e98d0df12cbd4841b06f85201325915c744558",
    ("pacific-crest-gas-and-electric.yaml", "nca"): "0626ecfb3a108fb3b50f6a3e4bccd1bbb50cf6d5b8fb85cae20ecad800e0e817",
    ("pacific-crest-gas-and-electric.yaml", "sca"): "d3dbef6ca9cbc1d4da095bbb8d03a783cebc3630b5a8b1e09feef507310a2532",
    ("sierra-federal-power.yaml", "application"): "4a15c262dae8986e47923400c4fa3bfe9351888890e14f91a8e2764dac625f58",
    ("sierra-federal-power.yaml", "sca"): "452b45344fd21fff45b642dfd547c768650367b2edf6fb2de9c905a7d74e5b57",
}


@pytest.mark.parametrize("sheet", sorted({s for s, _ in PINNED}))
def test_sample_outputs_are_byte_identical(sheet: str) -> None:
    packet = build_packet(sc_docs.load_applicant(EXAMPLES / sheet))
    got = {doc.key: doc.sha256 for doc in packet.manifest.documents}
    want = {key: digest for (s, key), digest in PINNED.items() if s == sheet}
    assert got == want
    for doc in packet.manifest.documents:
        assert hashlib.sha256(packet.files[doc.file]).hexdigest() == doc.sha256
