"""The agreements' legal text and metadata as a reader sees them (issue 17, "documents that print right")."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import yaml

import sc_docs
from sc_docs.packet import build_packet

EXAMPLES = Path(__file__).resolve().parent.parent / "info_sheets" / "examples"


def _docs(sheet: str) -> dict[str, bytes]:
    packet = build_packet(sc_docs.load_applicant(EXAMPLES / sheet))
    return {d.key: packet.files[d.file] for d in packet.manifest.documents if d.kind == "agreement"}


def _text(docx: bytes) -> list[str]:
    from docx import Document

    return [p.text for p in Document(io.BytesIO(docx)).paragraphs]


def test_recital_quotes_the_entity_type_as_the_form_words_it() -> None:
    text = _text(_docs("pacific-crest-gas-and-electric.yaml")["sca"])
    assert ("WHEREAS, the Scheduling Coordinator wishes to be certified, or remain certified, as a Scheduling "
            "Coordinator, and in its application for certification identified its entity type as "
            "“Investor-owned utility”;") in text


def test_attention_line_is_kept_out_of_the_legal_address() -> None:
    text = _text(_docs("pacific-crest-gas-and-electric.yaml")["sca"])
    preamble = next(p for p in text if p.startswith("THIS "))
    assert ("having its legal address at Pacific Crest Tower, 300 Mission Street, 12th Floor, San Francisco, CA "
            "94105-1832 (the “Scheduling Coordinator”).") in preamble
    assert "Attn" not in preamble and "Legal Department" not in preamble
    assert "Scheduling Coordinator: Pacific Crest Gas & Electric Company, Attention: Legal Department" in text


def test_attention_typed_as_a_street_line_is_refused(tmp_path: Path) -> None:
    data = yaml.safe_load((EXAMPLES / "acme-power-and-light.yaml").read_text())
    data["applicant"]["legal_address"]["street"].append("Attn: Legal Department")
    assert [f"{p.path}: {p.message}" for p in sc_docs.validate(data)] == [
        "applicant.legal_address.street[2]: 'Attn: Legal Department' is an attention line, not part of the legal "
        "address; put whom it is for in applicant.legal_address.attention"
    ]


def test_names_print_as_typed_so_they_match_every_other_document() -> None:
    """The legal name must match the Secretary of State record and the application form to the letter:
    an apostrophe typed straight stays straight (type O’Brien to print the curly one)."""
    text = _text(_docs("obrien-community-energy.yaml")["sca"])
    preamble = next(p for p in text if p.startswith("THIS "))
    assert "and O'Brien Valley Community Energy Authority, a joint powers authority" in preamble
    assert "O’Brien" not in "\n".join(text)


@pytest.mark.parametrize("key", ["sca", "msa_sc", "nca", "msa_isome"])
def test_templates_and_drafts_carry_sc_docs_own_metadata(key: str) -> None:
    template = (EXAMPLES.parent.parent / "pro_forma" / key / "template.docx").read_bytes()
    drafts = _docs("pacific-crest-gas-and-electric.yaml")
    for data in (template, drafts[key]):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
            core = zf.read("docProps/core.xml").decode()
            app = zf.read("docProps/app.xml").decode()
            rels = zf.read("_rels/.rels").decode()
        assert "docProps/thumbnail.jpeg" not in names and "thumbnail" not in rels
        assert "<Application>sc-docs</Application>" in app
        assert "Macintosh" not in app and "AppVersion" not in app
        assert "Generated once" not in core and "_tools" not in core
        assert ": CAISO pro forma text with fill-in fields for one applicant, made by sc-docs. Only the fill-in " \
               "fields may differ from the pro forma.</dc:description>" in core


def test_merged_packet_pdf_follows_the_catalog_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """The one packet PDF lists its documents in the catalog's order (the application form and
    the SCA first), not alphabetically with the SCA last. LibreOffice is stood in for by a blank page."""
    from pypdf import PdfReader, PdfWriter

    from sc_docs.catalog import load_catalog
    from sc_docs.engines import convert

    def blank_pdf(docx: bytes, **kwargs: object) -> bytes:
        out = io.BytesIO()
        writer = PdfWriter()
        writer.add_blank_page(612, 792)
        writer.write(out)
        return out.getvalue()

    monkeypatch.setattr(convert, "docx_to_pdf", blank_pdf)
    packet = build_packet(sc_docs.load_applicant(EXAMPLES / "pacific-crest-gas-and-electric.yaml"), pdf=True)
    merged = next(packet.files[d.file] for d in packet.manifest.documents if d.kind == "packet-pdf")
    titles = [item.title for item in PdfReader(io.BytesIO(merged)).outline]
    present = {d.key for d in packet.manifest.documents}
    catalog_order = [e.meta.title for e in load_catalog().entries.values() if e.key in present]
    assert titles == catalog_order
    assert titles[:2] == ["Scheduling Coordinator Application Form", "Scheduling Coordinator Agreement"]
