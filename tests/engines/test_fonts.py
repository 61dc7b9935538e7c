"""`--pdf` warns when a template's font would be printed with a substitute of other widths."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from sc_docs.engines import fonts

ROOT = Path(__file__).resolve().parents[2]


def docx_with(*names: str) -> bytes:
    runs = "".join(f'<w:r><w:rPr><w:rFonts w:ascii="{n}" w:hAnsi="{n}"/></w:rPr><w:t>x</w:t></w:r>' for n in names)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", f'<w:document xmlns:w="w"><w:body><w:p>{runs}</w:p></w:body></w:document>')
    return buf.getvalue()


def test_fonts_of_the_bundled_templates() -> None:
    assert fonts.docx_fonts((ROOT / "pro_forma" / "sca" / "template.docx").read_bytes()) == ["Courier", "Times New Roman"]


def test_non_metric_substitute_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "installed_match", lambda font: "DejaVu Serif")
    assert fonts.font_warnings(docx_with("Times New Roman", "Wingdings")) == [
        "font 'Times New Roman' is not installed and 'DejaVu Serif' has other widths: pages may grow and lines "
        "wrap differently in the PDF; install a metric-compatible font "
        "(apt-get install fonts-liberation2 fonts-crosextra-caladea fonts-crosextra-carlito)"
    ]


@pytest.mark.parametrize("used", ["Liberation Serif", "Times New Roman", "Tinos"])
def test_metric_compatible_substitute_is_quiet(monkeypatch: pytest.MonkeyPatch, used: str) -> None:
    monkeypatch.setattr(fonts, "installed_match", lambda font: used)
    assert fonts.font_warnings(docx_with("Times New Roman")) == []


def test_render_pdf_prints_the_warning(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from sc_docs.engines import convert

    monkeypatch.setattr(fonts, "installed_match", lambda font: "DejaVu Serif" if font == "Times New Roman" else font)
    from pypdf import PdfWriter

    blank = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.write(blank)
    monkeypatch.setattr(convert, "docx_to_pdf", lambda docx, **kw: blank.getvalue())
    sheet = ROOT / "info_sheets" / "examples" / "acme-power-and-light.yaml"
    result = run("render", "sca", sheet, "-o", tmp_path / "a.docx", "--pdf")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        "Warning: font 'Times New Roman' is not installed and 'DejaVu Serif' has other widths: pages may grow and "
        "lines wrap differently in the PDF; install a metric-compatible font "
        "(apt-get install fonts-liberation2 fonts-crosextra-caladea fonts-crosextra-carlito)"
    ]
