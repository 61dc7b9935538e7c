"""What counts as unseen text: formatting resolved through styles, and what stays visible."""

from __future__ import annotations

import pytest
from lxml import etree

from sc_docs.conformance.docread import Walker
from sc_docs.conformance.visible import Look, StyleSheet, hidden_reason

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _styles(body: str) -> StyleSheet:
    return StyleSheet(etree.fromstring(f'<w:styles xmlns:w="{W}">{body}</w:styles>'))


def _walk(paragraph: str, styles: StyleSheet | None = None) -> tuple[str, list[str | None]]:
    root = etree.fromstring(f'<w:document xmlns:w="{W}"><w:body>{paragraph}</w:body></w:document>')
    walker = Walker("document", styles=styles)
    walker.walk(root)
    p = walker.paragraphs[0]  # a table cell adds its end marker after
    return p.text, [h.reason for h in p.hidden]


def test_character_style_that_vanishes() -> None:
    styles = _styles('<w:style w:type="character" w:styleId="Quiet"><w:rPr><w:vanish/></w:rPr></w:style>'
                     '<w:style w:type="character" w:styleId="Quieter"><w:basedOn w:val="Quiet"/></w:style>')
    text, reasons = _walk('<w:p><w:r><w:t xml:space="preserve">Seen </w:t></w:r>'
                          '<w:r><w:rPr><w:rStyle w:val="Quieter"/></w:rPr><w:t>unseen</w:t></w:r></w:p>', styles)
    assert (text, reasons) == ("Seen ", ["hidden (w:vanish)"])


def test_run_can_undo_its_styles_vanish() -> None:
    styles = _styles('<w:style w:type="character" w:styleId="Quiet"><w:rPr><w:vanish/></w:rPr></w:style>')
    text, reasons = _walk('<w:p><w:r><w:rPr><w:rStyle w:val="Quiet"/><w:vanish w:val="0"/></w:rPr>'
                          "<w:t>shown</w:t></w:r></w:p>", styles)
    assert (text, reasons) == ("shown", [])


def test_tiny_default_size_hides_everything() -> None:
    styles = _styles('<w:docDefaults><w:rPrDefault><w:rPr><w:sz w:val="3"/></w:rPr></w:rPrDefault></w:docDefaults>')
    assert _walk("<w:p><w:r><w:t>small</w:t></w:r></w:p>", styles) == ("", ["too small to read (1.5 pt)"])


def test_white_text_on_dark_shading_is_seen() -> None:
    text, reasons = _walk('<w:p><w:pPr><w:shd w:val="clear" w:fill="1F3864"/></w:pPr>'
                          '<w:r><w:rPr><w:color w:val="FFFFFF"/></w:rPr><w:t>banner</w:t></w:r></w:p>')
    assert (text, reasons) == ("banner", [])


def test_white_text_in_a_white_cell_is_not() -> None:
    text, reasons = _walk('<w:tbl><w:tr><w:tc><w:tcPr><w:shd w:val="clear" w:fill="FFFFFF"/></w:tcPr>'
                          '<w:p><w:r><w:rPr><w:color w:val="FEFEFE"/></w:rPr><w:t>ghost</w:t></w:r></w:p>'
                          "</w:tc></w:tr></w:tbl>")
    assert (text, reasons) == ("", ["the colour of its background (#FEFEFE on #FFFFFF)"])


@pytest.mark.parametrize(
    ("look", "reason"),
    [(Look(color="auto"), None), (Look(color="000000"), None), (Look(size=5), None),
     (Look(size=4), "too small to read (2 pt)"), (Look(color="FFFF00", background="FFFF00"), "the colour of its background (#FFFF00 on #FFFF00)")],
    ids=["auto", "black", "2.5pt", "2pt", "yellow-on-yellow"],
)
def test_hidden_reason(look: Look, reason: str | None) -> None:
    assert hidden_reason(look) == reason


def test_page_number_fields_are_not_text_other_fields_are() -> None:
    def field(instr: str, result: str) -> str:
        return (f'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>{instr}</w:instrText></w:r>'
                f'<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>{result}</w:t></w:r>'
                '<w:r><w:fldChar w:fldCharType="end"/></w:r>')

    text, _ = _walk(f'<w:p><w:r><w:t xml:space="preserve">Page </w:t></w:r>{field(" PAGE ", "3")}'
                    f'{field(" REF Clause ", " and more")}<w:fldSimple w:instr=" NUMPAGES "><w:r><w:t>9</w:t></w:r>'
                    "</w:fldSimple></w:p>")
    assert text == "Page  and more"
