"""Checks every test can run on a document it produced: does it open, does it render?

`assert_docx_ok(data)` parses the bytes with python-docx (every story: body, tables, headers,
footers); with `convert=True` and LibreOffice installed it also converts the document to PDF and
checks that PDF. `assert_pdf_ok(data)` opens the bytes with pypdf, walks every page, and with
`render=True` and poppler installed renders the first page with `pdftoppm`. Conversion and
rendering are slow: do them for a sample, not for every hypothesis example.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

DOCX_PARTS = ("[Content_Types].xml", "word/document.xml")


def has_soffice() -> bool:
    return shutil.which("soffice") is not None or shutil.which("libreoffice") is not None


def has_pdftoppm() -> bool:
    return shutil.which("pdftoppm") is not None


def docx_text(data: bytes) -> str:
    """Return the text of every paragraph of the body, its tables, headers and footers."""
    import docx

    doc = docx.Document(io.BytesIO(data))
    chunks = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            chunks.extend(cell.text for cell in row.cells)
    for section in doc.sections:
        for story in (section.header, section.footer):
            chunks.extend(p.text for p in story.paragraphs)
    return "\n".join(chunks)


def assert_docx_ok(data: bytes, *, convert: bool = False) -> str:
    """Assert `data` is a well-formed DOCX python-docx opens; return its text.

    With `convert`, also convert it with LibreOffice (when installed) and check the PDF.
    """
    assert isinstance(data, bytes) and data[:4] == b"PK\x03\x04", "not a zip file"
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None, "a zip entry fails its CRC"
        names = set(zf.namelist())
        for part in DOCX_PARTS:
            assert part in names, f"missing part {part}"
        from lxml import etree

        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        for name in names:
            if name.endswith((".xml", ".rels")):
                etree.fromstring(zf.read(name), parser)  # raises on malformed XML
    text = docx_text(data)
    if convert and has_soffice():
        from sc_docs.engines.convert import docx_to_pdf

        assert_pdf_ok(docx_to_pdf(data), render=True)
    return text


def assert_pdf_ok(data: bytes, *, render: bool = False, fields: bool = True) -> int:
    """Assert `data` is a PDF pypdf opens and walks; return its page count.

    `fields` also reads the form's field tree (turn it off for a form whose own input was cyclic).
    With `render`, also render page 1 with `pdftoppm` (when installed) and check it made an image.
    """
    from pypdf import PdfReader

    assert isinstance(data, bytes) and data.lstrip()[:5] == b"%PDF-", "not a PDF"
    assert b"%%EOF" in data[-1024:], "no %%EOF marker at the end"
    reader = PdfReader(io.BytesIO(data), strict=False)
    pages = len(reader.pages)
    assert pages >= 1, "no pages"
    for page in reader.pages:
        page.extract_text()
    if fields:
        reader.get_fields()
    if render and has_pdftoppm():
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "doc.pdf"
            src.write_bytes(data)
            proc = subprocess.run(
                ["pdftoppm", "-f", "1", "-l", "1", "-r", "36", "-png", str(src), str(Path(tmp) / "page")],
                capture_output=True, timeout=120, check=False,
            )
            assert proc.returncode == 0, f"pdftoppm failed: {proc.stderr.decode(errors='replace')[:300]}"
            images = list(Path(tmp).glob("page*.png"))
            assert images and images[0].stat().st_size > 100, "pdftoppm made no image"
    return pages
