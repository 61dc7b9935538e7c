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
    ("acme-power-and-light.yaml", "msa_sc"): "b751d1d73b86accaf6a994e1bcbe20c62de6381ba1e1359616fcff88c6a7f4a1",
    ("acme-power-and-light.yaml", "nca"): "560008a76f13273f6b0bb9ff2cbbf93853017f000a937870da96f219b7a81fa7",
    ("acme-power-and-light.yaml", "sca"): "3e7c7d5235b4ff3e0350c98f607e320ac77b1a2c4114e6d8a121176ec11ec05d",
    ("ciudad-de-rio-verde.yaml", "application"): "9f9302505d7a4e5cf6801d34924a7f76e68fbc1f91ca0363d1a9ba618d5d22a5",
    ("ciudad-de-rio-verde.yaml", "msa_sc"): "29358e7245ef274f026a0e808fe1771864f282b95c8e3b46430b384c093d4a17",
    ("ciudad-de-rio-verde.yaml", "sca"): "820741a9057fc4f80b1f5f3b4f2abac404d4b3d16faa25aa1b7726993ef035de",
    ("obrien-community-energy.yaml", "application"): "7bf7c5c913f1222ceff872aeb97ad6e758583ee9c81d00f89c7d6882f19cb63b",
    ("obrien-community-energy.yaml", "nca"): "f27c27ce3e3d6764b2c39241ec80559da566f182bdcef4d72e1159aa356a6175",
    ("obrien-community-energy.yaml", "sca"): "1404ee41c4f315fe14672698917526918520b37d6ec730fd3abc03c5ec0d9b5a",
    ("pacific-crest-gas-and-electric.yaml", "application"): "dc26f1bc9599ef23f678d0c92ddadd46d021fdfc2a630af5b8d871c7913d646b",
    ("pacific-crest-gas-and-electric.yaml", "msa_isome"): "f7ffd16265e9ae509d4bf041f87636b06f4c541f2d7beabd47cce52fdb06173d",
    ("pacific-crest-gas-and-electric.yaml", "msa_sc"): "4a3cf53f0453c5920e701f00a8354b9366bbf9cca23f678435e97babde4f5b9f",
    ("pacific-crest-gas-and-electric.yaml", "nca"): "f2c191aa7ad98cdd2df4e0e652f245e0966050b8d19b5a47da0c1590f2efa573",
    ("pacific-crest-gas-and-electric.yaml", "sca"): "0fb362a5e4475710498bde5506ac1932ad45ad13b861251b7e6c83e18ff244ef",
    ("sierra-federal-power.yaml", "application"): "87faf0488ef5a92f99d4dbaaee4d5c3f37e839e813ac2d6edfcafd5b46779929",
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
