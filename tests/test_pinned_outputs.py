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
    ("acme-power-and-light.yaml", "application"): "c0e01ae165d57136892c9bec0438939a63d75f81c3d90c7560ffeffad4867838",
    ("acme-power-and-light.yaml", "msa_sc"): "b751d1d73b86accaf6a994e1bcbe20c62de6381ba1e1359616fcff88c6a7f4a1",
    ("acme-power-and-light.yaml", "nca"): "560008a76f13273f6b0bb9ff2cbbf93853017f000a937870da96f219b7a81fa7",
    ("acme-power-and-light.yaml", "sca"): "3e7c7d5235b4ff3e0350c98f607e320ac77b1a2c4114e6d8a121176ec11ec05d",
    ("ciudad-de-rio-verde.yaml", "application"): "9a15f46de8de47e43f6cb639e642d0dcf5221dc211c62465a88031a655998b28",
    ("ciudad-de-rio-verde.yaml", "msa_sc"): "29358e7245ef274f026a0e808fe1771864f282b95c8e3b46430b384c093d4a17",
    ("ciudad-de-rio-verde.yaml", "sca"): "820741a9057fc4f80b1f5f3b4f2abac404d4b3d16faa25aa1b7726993ef035de",
    ("obrien-community-energy.yaml", "application"): "0789225fd45ade1a231a3513d1bac89adf7ab765ac7b2367dacf14deed3cd4f8",
    ("obrien-community-energy.yaml", "nca"): "f27c27ce3e3d6764b2c39241ec80559da566f182bdcef4d72e1159aa356a6175",
    ("obrien-community-energy.yaml", "sca"): "1404ee41c4f315fe14672698917526918520b37d6ec730fd3abc03c5ec0d9b5a",
    ("pacific-crest-gas-and-electric.yaml", "application"): "e45987759fd02673ef630fbdaf917165c3e7a5f0f1ff57cf8875e6ad64abe53d",
    ("pacific-crest-gas-and-electric.yaml", "msa_isome"): "f7ffd16265e9ae509d4bf041f87636b06f4c541f2d7beabd47cce52fdb06173d",
    ("pacific-crest-gas-and-electric.yaml", "msa_sc"): "4a3cf53f0453c5920e701f00a8354b9366bbf9cca23f678435e97babde4f5b9f",
    ("pacific-crest-gas-and-electric.yaml", "nca"): "f2c191aa7ad98cdd2df4e0e652f245e0966050b8d19b5a47da0c1590f2efa573",
    ("pacific-crest-gas-and-electric.yaml", "sca"): "0fb362a5e4475710498bde5506ac1932ad45ad13b861251b7e6c83e18ff244ef",
    ("sierra-federal-power.yaml", "application"): "9a461b820a85f9bcbe3ea4080a3bbe4186b7a2606b20b7fed1c8324029655098",
    ("sierra-federal-power.yaml", "sca"): "3479862405f53c64b1e00f4af449760fcafbe495277f76e59c2026ccbe43952d",
}


@pytest.mark.parametrize("sheet", sorted({s for s, _ in PINNED}))
def test_sample_outputs_are_byte_identical(sheet: str) -> None:
    packet = build_packet(sc_docs.load_applicant(EXAMPLES / sheet))
    got = {doc.key: doc.sha256 for doc in packet.manifest.documents}
    want = {key: digest for (s, key), digest in PINNED.items() if s == sheet}
    assert got == want
    for doc in packet.manifest.documents:
        assert hashlib.sha256(packet.files[doc.file]).hexdigest() == doc.sha256
