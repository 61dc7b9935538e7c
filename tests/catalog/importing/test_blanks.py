"""Blank detection and replacement keep the words around every blank, whatever they are."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from sc_docs.catalog.importing.blanks import DocxBlanks, escape_braces

WORDS = st.text(alphabet=st.sampled_from("abc XYZ:,.()-"), max_size=30)


def _docx(runs: list[tuple[str, bool]]) -> bytes:
    import docx

    d = docx.Document()
    p = d.add_paragraph()
    for text, bold in runs:
        p.add_run(text).bold = bold
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _text(data: bytes) -> str:
    import docx

    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


@settings(max_examples=40, deadline=None)
@given(before=WORDS, after=WORDS, split=st.integers(1, 5), bold=st.booleans())
def test_an_underscore_blank_split_across_runs_is_one_value(before: str, after: str, split: int, bold: bool) -> None:
    blank = "_" * 6
    runs = [(before + blank[:split], False), (blank[split:] + after, bold)]
    found = DocxBlanks(_docx(runs))
    assert [b.kind for b in found.blanks] == ["underscores"]
    out = found.replace({1: "VALUE"})
    assert _text(out) == before + "VALUE" + after


@settings(max_examples=40, deadline=None)
@given(before=WORDS, inner=st.text(alphabet=st.sampled_from("abcdef XY"), min_size=1, max_size=20), after=WORDS)
def test_a_bracket_placeholder_is_replaced_in_place(before: str, inner: str, after: str) -> None:
    found = DocxBlanks(_docx([(f"{before}[{inner}]{after}", False)]))
    assert [(b.kind, b.hint.own) for b in found.blanks] == [("bracket", inner)]
    assert _text(found.replace({1: "V"})) == before + "V" + after


def test_blanks_not_replaced_stay_and_literal_braces_are_escaped() -> None:
    found = DocxBlanks(_docx([("A {{ b }} ____ and [c]", False)]))
    assert len(found.blanks) == 2
    assert _text(found.replace({2: "{{ x }}"})) == escape_braces("A {{ b }} ____ and ") + "{{ x }}"


def test_a_block_content_control_is_one_blank() -> None:
    import docx
    from lxml import etree

    d = docx.Document()
    d.add_paragraph("Legal name:")
    W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    sdt = etree.fromstring(
        f'<w:sdt xmlns:w="{W}"><w:sdtPr><w:alias w:val="Legal name"/></w:sdtPr><w:sdtContent>'
        "<w:p><w:r><w:t>____ here ____</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    )
    d.element.body.insert(1, sdt)
    buf = io.BytesIO()
    d.save(buf)
    found = DocxBlanks(buf.getvalue())
    assert [(b.kind, b.hint.own) for b in found.blanks] == [("content_control", "Legal name ____ here ____")]
    assert _text(found.replace({1: "V"})) == "Legal name:\nV"
