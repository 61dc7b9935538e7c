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
    ("acme-power-and-light.yaml", "msa_sc"): "4f07529c5c3555e1409c5deaf2771e9de373a5b5af32dc4d295f2bf060d7344d",
    ("acme-power-and-light.yaml", "nca"): "a7c8304be04ad95a5beda57afe1e852123433729f83089ba81e80aaca831f0a7",
    ("acme-power-and-light.yaml", "sca"): "deb60aff00d1ad3b79180ae835e1da9c2d69229125c54a3a91e3950116b9fc37",
    ("ciudad-de-rio-verde.yaml", "application"): "76ea8d45b314f9d88efec1908238b22bbc3055fa76144d43e0926e62b2725422",
    ("ciudad-de-rio-verde.yaml", "msa_sc"): "07c4c383bc6a1ef1c1c9db93c1a7e6aa35d860b316e8998ce0b670471f57c674",
    ("ciudad-de-rio-verde.yaml", "sca"): "acf0411ea513423ca307fa6a11232bd99d0ff6bf0f84ff4d232b2bb8fe4356fe",
    ("obrien-community-energy.yaml", "application"): "9a14d61c47ed4091a09d0b390f1a64007e45008d3a2353968b4394d78f316c4e",
    ("obrien-community-energy.yaml", "nca"): "3faa40977189de370b5be88c62611b0455e116c09ae2d36a33b32d12febbffb0",
    ("obrien-community-energy.yaml", "sca"): "6fae1da77fb5ced99a531c49c67753e92ad48836a1e30b811257dca7ce3e1cbf",
    ("pacific-crest-gas-and-electric.yaml", "application"): "a833b47d4fc6f0b3baca7d71cfe17c07ac860ea14cc3586c9d7fe66af3c25d9c",
    ("pacific-crest-gas-and-electric.yaml", "msa_isome"): "21f07983e87f4d8364d462db8ede1d51cad76f16a7f8ca05ee6f507384b76290",
    ("pacific-crest-gas-and-electric.yaml", "msa_sc"): "bbc1e03d5d837b303a36118be8c3ca17e7ca0ac0c52589ad5b65dfcfe3c2ae18",
    ("pacific-crest-gas-and-electric.yaml", "nca"): "f5a1755f5a739428e926c2fee8a778228aac65073d3252008805f7434a8905d3",
    ("pacific-crest-gas-and-electric.yaml", "sca"): "d6dc9f611932d4346a37c163b60f2d49f5b62958603182a8b9d0ff9c934a7f09",
    ("sierra-federal-power.yaml", "application"): "4a15c262dae8986e47923400c4fa3bfe9351888890e14f91a8e2764dac625f58",
    ("sierra-federal-power.yaml", "sca"): "9ca396dfcecfa26b47a60bc891b9a3f93548d138d6150fa3d56dcae184dd0e4f",
}


@pytest.mark.parametrize("sheet", sorted({s for s, _ in PINNED}))
def test_sample_outputs_are_byte_identical(sheet: str) -> None:
    packet = build_packet(sc_docs.load_applicant(EXAMPLES / sheet))
    got = {doc.key: doc.sha256 for doc in packet.manifest.documents}
    want = {key: digest for (s, key), digest in PINNED.items() if s == sheet}
    assert got == want
    for doc in packet.manifest.documents:
        assert hashlib.sha256(packet.files[doc.file]).hexdigest() == doc.sha256
