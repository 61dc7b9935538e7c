"""LibreOffice conversions; the ones that need `soffice` skip when it is missing."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest

from sc_docs.engines import convert
from sc_docs.engines.convert import (
    docx_to_docx_via_libreoffice,
    docx_to_pdf,
    soffice_available,
)
from sc_docs.engines.docx import docx_text, render_docx
from sc_docs.errors import ConversionError

needs_soffice = pytest.mark.skipif(
    not soffice_available(), reason="LibreOffice (soffice) is not installed"
)


def _template() -> bytes:
    d = docx.Document()
    d.add_paragraph("Agreement with {{ name }}.")
    table = d.add_table(rows=3, cols=2)
    table.cell(0, 0).text = "{%tr for s in scids %}"
    table.cell(1, 0).text = "{{ s }}"
    table.cell(1, 1).text = "{{ s|upper_name }}"
    table.cell(2, 0).text = "{%tr endfor %}"
    d.sections[0].header.paragraphs[0].text = "Header {{ name }}"
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def rendered() -> bytes:
    return render_docx(_template(), {"name": "Acme & Sons \u00c9nergie", "scids": ["abc1", "xyz2"]})


def test_missing_soffice_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(convert.shutil, "which", lambda name: None)
    assert not soffice_available()
    with pytest.raises(ConversionError, match="libreoffice-writer"):
        docx_to_pdf(b"PK")


def test_unreadable_input_path(tmp_path: Path) -> None:
    if not soffice_available():
        pytest.skip("LibreOffice (soffice) is not installed")
    with pytest.raises(ConversionError, match="cannot read"):
        docx_to_pdf(tmp_path / "missing.docx")


@needs_soffice
@pytest.mark.libreoffice
def test_rendered_docx_converts_to_pdf(rendered: bytes, tmp_path: Path) -> None:
    from pypdf import PdfReader

    path = tmp_path / "out.docx"
    path.write_bytes(rendered)
    pdf = docx_to_pdf(path)
    assert pdf.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Agreement with Acme & Sons \u00c9nergie." in text
    assert "ABC1" in text and "XYZ2" in text
    assert "Header Acme" in text


@needs_soffice
@pytest.mark.libreoffice
def test_libreoffice_resave_keeps_the_text(rendered: bytes) -> None:
    again = docx_to_docx_via_libreoffice(rendered)
    assert zipfile.is_zipfile(io.BytesIO(again))
    text = docx_text(again)
    assert "Agreement with Acme & Sons \u00c9nergie." in text
    assert "abc1 | ABC1" in text
    assert "Header Acme & Sons" in text


@needs_soffice
@pytest.mark.libreoffice
def test_timeout_is_a_conversion_error(rendered: bytes) -> None:
    with pytest.raises(ConversionError, match="did not finish"):
        docx_to_pdf(rendered, timeout=0.05)
