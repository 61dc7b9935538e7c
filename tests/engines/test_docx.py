"""Tests of the generic DOCX engine, with every template built in code."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.shared import Pt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from sc_docs.engines.docx import _limits as _docx_limits, _zip as _docx_zip
from sc_docs.engines.docx._filters import (
    currency,
    join_list,
    long_date,
    upper_name,
    us_date,
)
from sc_docs.engines.docx import (
    CompiledTemplate,
    compile_template,
    docx_text,
    leftover_tags,
    make_environment,
    render_docx,
)
from sc_docs.errors import TemplateError
from tests.corpus.zips import lying_bomb
from tests.engines.docx_package import checking_renders

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@pytest.fixture(autouse=True)
def _check_every_package(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every DOCX rendered here must have its relationships, targets and ids in order."""
    checking_renders(monkeypatch)
WNS = f'xmlns:w="{W}"'


# -- building templates ---------------------------------------------------------------------


def make_docx(
    paragraphs: Iterable[str] = (),
    *,
    header: str | None = None,
    footer: str | None = None,
    table: list[list[str]] | None = None,
) -> bytes:
    """Return a DOCX with one paragraph per item, an optional table, header and footer."""
    d = docx.Document()
    for text in paragraphs:
        d.add_paragraph(text)
    if table:
        t = d.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                t.cell(r, c).text = text
    if header is not None:
        d.sections[0].header.paragraphs[0].text = header
    if footer is not None:
        d.sections[0].footer.paragraphs[0].text = footer
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def replace_part(data: bytes, name: str, xml: bytes | None) -> bytes:
    """Return `data` with zip entry `name` replaced (or removed when `xml` is None)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != name:
                out.writestr(info, src.read(info))
        if xml is not None:
            out.writestr(name, xml)
    return buf.getvalue()


def with_body(data: bytes, body_xml: str) -> bytes:
    """Return `data` whose document body is `body_xml` (WordprocessingML, `w:` prefix)."""
    z = zipfile.ZipFile(io.BytesIO(data))
    doc = z.read("word/document.xml").decode()
    start = doc.index("<w:body>") + len("<w:body>")
    end = doc.index("<w:sectPr")
    return replace_part(data, "word/document.xml", (doc[:start] + body_xml + doc[end:]).encode())


def add_notes(data: bytes, kind: str, notes: list[str]) -> bytes:
    """Return `data` with a footnotes or endnotes part holding one note per paragraph text."""
    tag = kind[:-1]  # footnote / endnote
    items = "".join(
        f'<w:{tag} w:id="{i}"><w:p><w:r><w:t xml:space="preserve">{t}</w:t></w:r></w:p></w:{tag}>'
        for i, t in enumerate(notes, start=1)
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<w:{kind} {WNS}>'
        f'<w:{tag} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{tag}>'
        f"{items}</w:{kind}>"
    ).encode()
    z = zipfile.ZipFile(io.BytesIO(data))
    ct = (
        z.read("[Content_Types].xml")
        .decode()
        .replace(
            "</Types>",
            f'<Override PartName="/word/{kind}.xml" ContentType="application/vnd.openxmlformats-'
            f'officedocument.wordprocessingml.{kind}+xml"/></Types>',
        )
    )
    rels = (
        z.read("word/_rels/document.xml.rels")
        .decode()
        .replace(
            "</Relationships>",
            f'<Relationship Id="rIdNotes{kind}" Type="http://schemas.openxmlformats.org/'
            f'officeDocument/2006/relationships/{kind}" Target="{kind}.xml"/></Relationships>',
        )
    )
    data = replace_part(data, "[Content_Types].xml", ct.encode())
    data = replace_part(data, "word/_rels/document.xml.rels", rels.encode())
    return replace_part(data, f"word/{kind}.xml", xml)


def para(*runs: str, bold_second: bool = False) -> str:
    """Return a paragraph whose runs hold the given texts (as Word splits them)."""
    out = []
    for i, text in enumerate(runs):
        rpr = "<w:rPr><w:b/></w:rPr>" if bold_second and i % 2 else ""
        out.append(f'<w:r>{rpr}<w:t xml:space="preserve">{text}</w:t></w:r>')
    return "<w:p>" + "".join(out) + "</w:p>"


def part_xml(data: bytes, name: str = "word/document.xml") -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read(name).decode("utf-8")


def render(paragraphs: list[str], context: dict[str, Any], **kw: Any) -> bytes:
    return render_docx(make_docx(paragraphs, **kw), context)


APPLICANT = {"applicant": {"legal_name": "Acme Power, LLC", "state": "Delaware"}}


# -- rendering values -----------------------------------------------------------------------


def test_renders_values_and_opens_in_python_docx() -> None:
    out = render(
        ["Agreement with {{ applicant.legal_name }}, a {{ applicant.state }} LLC."], APPLICANT
    )
    paragraphs = [p.text for p in docx.Document(io.BytesIO(out)).paragraphs]
    assert "Agreement with Acme Power, LLC, a Delaware LLC." in paragraphs
    assert leftover_tags(out) == []


@pytest.mark.parametrize(
    "value",
    ["A & B", "x < y > z", 'say "hi"', "it's", "Société Générale", "Zoë 😀 ✓", "&amp; already"],
    ids=["amp", "angles", "dquote", "squote", "accents", "emoji", "entity-text"],
)
def test_values_come_out_as_typed(value: str) -> None:
    out = render(["[{{ v }}]"], {"v": value})
    assert f"[{value}]" in docx_text(out)
    assert f"[{value}]" in [p.text for p in docx.Document(io.BytesIO(out)).paragraphs]


def test_ampersand_is_escaped_exactly_once() -> None:
    xml = part_xml(render(["{{ v }}"], {"v": "A & B"}))
    assert "A &amp; B" in xml
    assert "&amp;amp;" not in xml


def test_newline_becomes_break_and_tab_becomes_tab() -> None:
    out = render(["{{ v }}"], {"v": "line one\nline two\tcol"})
    xml = part_xml(out)
    assert "<w:br/>" in xml and "<w:tab/>" in xml
    assert "line one\nline two\tcol" in docx_text(out)


def test_carriage_returns_are_newlines() -> None:
    out = render(["{{ v }}"], {"v": "a\r\nb\rc"})
    assert "a\nb\nc" in docx_text(out)
    assert "\r" not in part_xml(out)


def test_data_is_never_evaluated() -> None:
    out = render(["{{ v }}"], {"v": "{{ 7*7 }} {% if true %}x{% endif %}"})
    assert "{{ 7*7 }} {% if true %}x{% endif %}" in docx_text(out)
    assert "49" not in docx_text(out)


def test_literal_brace_escape_applies_to_template_text_only() -> None:
    out = render(["{_{ literal }_} {{ v }}"], {"v": "{_{ value }_}"})
    assert "{{ literal }} {_{ value }_}" in docx_text(out)


@pytest.mark.parametrize(
    "bad",
    ["\x00", "\x01", "\x08", "\x0b", "\x1f", "\ud800", "\ufffe", "\uffff"],
    ids=["nul", "soh", "backspace", "vt", "us", "surrogate", "fffe", "ffff"],
)
def test_xml_illegal_characters_are_refused_naming_the_variable(bad: str) -> None:
    with pytest.raises(TemplateError) as err:
        render(["Name: {{ applicant.legal_name }}"], {"applicant": {"legal_name": f"Acme{bad}"}})
    assert "applicant.legal_name" in str(err.value)
    assert "XML cannot hold" in str(err.value)


def test_none_value_is_refused() -> None:
    with pytest.raises(TemplateError, match=r"applicant\.state.*None"):
        render(["{{ applicant.state }}"], {"applicant": {"state": None}})


def test_none_guarded_by_if_is_fine() -> None:
    out = render(
        ["{% if applicant.state %}{{ applicant.state }}{% endif %}done"],
        {"applicant": {"state": None}},
    )
    assert "done" in docx_text(out)


# -- errors ---------------------------------------------------------------------------------


def test_undefined_variable_names_template_path_and_text(tmp_path: Path) -> None:
    path = tmp_path / "sca.docx"
    path.write_bytes(
        make_docx(
            [
                "Recitals.",
                (
                    "This agreement is made by the 'Scheduling Coordinator' {{ applicant.legl_name }} "
                    "having its principal place of business in {{ applicant.state }}."
                ),
            ]
        )
    )
    with pytest.raises(TemplateError) as err:
        render_docx(path, APPLICANT)
    message = str(err.value)
    assert str(path) in message
    assert "word/document.xml, paragraph 2" in message
    assert "undefined variable 'applicant.legl_name'" in message
    assert "did you mean 'applicant.legal_name'" in message
    assert "the 'Scheduling Coordinator' {{ applicant.legl_name }} having its" in message
    assert "Traceback" not in message


def test_undefined_root_name() -> None:
    with pytest.raises(TemplateError, match="undefined variable 'agreement.effective_date'"):
        render(["Dated {{ agreement.effective_date }}"], APPLICANT)


def test_undefined_inside_loop_names_resolved_path() -> None:
    tpl = make_docx(["{%p for s in agreement.scids %}", "SCID {{ s.scdi }}", "{%p endfor %}"])
    with pytest.raises(TemplateError) as err:
        render_docx(tpl, {"agreement": {"scids": [{"scid": "ABC1"}]}})
    assert "agreement.scids[].scdi" in str(err.value)
    assert "did you mean 'agreement.scids[].scid'" in str(err.value)


def test_undefined_in_header_names_the_header() -> None:
    with pytest.raises(
        TemplateError, match=r"word/header1\.xml.*undefined variable 'agreement\.title'"
    ):
        render(["body"], APPLICANT, header="{{ agreement.title }}")


@pytest.mark.parametrize(
    "expression",
    [
        "''.__class__.__mro__",
        "cycler.__init__.__globals__",
        "applicant.__class__",
        "joiner.__init__.__globals__['os']",
        "range.__self__",
    ],
)
def test_sandbox_refuses_internals(expression: str) -> None:
    with pytest.raises(TemplateError) as err:
        render(["x {{ " + expression + " }} y"], APPLICANT)
    assert "sandbox" in str(err.value) or "undefined" in str(err.value)
    assert "word/document.xml" in str(err.value)


@pytest.mark.parametrize(
    "tag",
    [
        "{% include 'other.docx' %}",
        "{% import 'm' as m %}",
        "{% extends 'base' %}",
        "{% from 'm' import x %}",
    ],
)
def test_loading_other_templates_is_refused(tag: str) -> None:
    with pytest.raises(TemplateError, match="paragraph 2: .*not supported"):
        compile_template(make_docx(["a", tag]))


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        (["{% autoescape false %}{{ v }}{% endautoescape %}"], "autoescape.*not supported"),
        (["{{ v|safe }}"], "No filter named 'safe'"),
    ],
    ids=["autoescape-off", "safe-filter"],
)
def test_escaping_cannot_be_switched_off(paragraphs: list[str], expected: str) -> None:
    with pytest.raises(TemplateError, match=expected):
        compile_template(make_docx(paragraphs))


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        (["ok", "Name {{ applicant.legal_name }", "end {{ x }}"], r"paragraph 2"),
        (
            ["ok", "{% if applicant.state %}", "never closed"],
            r"paragraph 2.*'{% if applicant.state %}'",
        ),
        (["{{ applicant.legal_name|shout }}"], r"paragraph 1.*shout"),
        (["{{ applicant.legal name }}"], r"paragraph 1.*syntax error"),
        (["{% endif %}"], r"paragraph 1.*endif"),
    ],
    ids=["unclosed-var", "unclosed-block", "unknown-filter", "garbage", "stray-end"],
)
def test_malformed_templates_are_located(paragraphs: list[str], expected: str) -> None:
    with pytest.raises(TemplateError, match=expected) as err:
        compile_template(make_docx(paragraphs))
    assert "word/document.xml" in str(err.value)


def test_malformed_header_is_located() -> None:
    with pytest.raises(TemplateError, match=r"word/footer1\.xml.*syntax error"):
        compile_template(make_docx(["x"], footer="Page {{ page "))


def test_tag_split_by_formatting_garbage_is_located() -> None:
    body = para("Intro text.") + para(
        "The party {{ applicant.", "legal name }} agrees", bold_second=True
    )
    with pytest.raises(TemplateError, match=r"paragraph 2: .*legal name"):
        compile_template(with_body(make_docx(), body))


def test_tag_split_across_runs_still_works() -> None:
    body = para("The party {{ appli", "cant.legal", "_name }} agrees", bold_second=True)
    out = render_docx(with_body(make_docx(), body), APPLICANT)
    assert "The party Acme Power, LLC agrees" in docx_text(out)


def test_block_leaving_a_table_is_refused() -> None:
    d = docx.Document()
    d.add_paragraph("before")
    d.add_table(rows=1, cols=2).cell(0, 1).text = "{% if applicant.state %}a"
    d.add_paragraph("b{% endif %} after")
    buf = io.BytesIO()
    d.save(buf)
    with pytest.raises(
        TemplateError, match=r"paragraph 3: .*{% if applicant.state %}.*different states"
    ):
        compile_template(buf.getvalue())


def test_loop_repeating_unbalanced_xml_is_refused() -> None:
    d = docx.Document()
    d.add_paragraph("before")
    d.add_table(rows=1, cols=1).cell(0, 0).text = "{% for x in xs %}a"
    d.add_paragraph("b{% endfor %} after")
    buf = io.BytesIO()
    d.save(buf)
    with pytest.raises(TemplateError, match=r"paragraph 2: .*{% for x in xs %}.*{%tr for %}"):
        compile_template(buf.getvalue())


def test_loop_spanning_paragraphs_evenly_is_allowed() -> None:
    out = render_docx(
        make_docx(["one {% for x in xs %}[{{ x }}", "mid", "]{% endfor %} end"]), {"xs": [1, 2]}
    )
    assert "one [1\nmid\n][2\nmid\n] end" in docx_text(out)


def test_block_spanning_paragraphs_evenly_is_allowed() -> None:
    tpl = make_docx(["one {% if show %}", "two", "{% endif %} three"])
    assert "two" in docx_text(render_docx(tpl, {"show": True}))
    assert "two" not in docx_text(render_docx(tpl, {"show": False}))


def test_filter_failure_is_a_template_error() -> None:
    with pytest.raises(TemplateError, match=r"paragraph 1.*not an ISO date"):
        render(["{{ d|long_date }}"], {"d": "next tuesday"})


def test_context_must_be_a_mapping() -> None:
    with pytest.raises(TemplateError, match="mapping"):
        compile_template(make_docx(["x"])).render(["not", "a", "mapping"])  # type: ignore[arg-type]


# -- input safety ---------------------------------------------------------------------------


def test_not_a_zip_is_refused() -> None:
    with pytest.raises(TemplateError, match="not a DOCX"):
        compile_template(b"%PDF-1.7 this is not a docx")


def test_truncated_zip_is_refused() -> None:
    data = make_docx(["{{ x }}"])
    with pytest.raises(TemplateError, match="DOCX"):
        compile_template(data[: len(data) // 2])


def test_missing_template_file(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="cannot read template"):
        compile_template(tmp_path / "nope.docx")


@pytest.mark.parametrize(
    "decl",
    [
        '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>',
        "<!doctype w:document>",
    ],
    ids=["xxe", "billion-laughs", "bare-doctype"],
)
def test_dtd_in_a_part_is_refused(decl: str) -> None:
    data = make_docx(["{{ x }}"])
    doc = part_xml(data)
    doc = doc.replace("?>", "?>" + decl, 1)
    with pytest.raises(TemplateError, match="DTD"):
        compile_template(replace_part(data, "word/document.xml", doc.encode()))


def test_dtd_in_any_part_is_refused() -> None:
    data = make_docx(["x"])
    styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()
    styles = styles.replace("?>", '?><!DOCTYPE s [<!ENTITY e "x">]>', 1)
    with pytest.raises(TemplateError, match="word/styles.xml.*DTD"):
        compile_template(replace_part(data, "word/styles.xml", styles.encode()))


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("<?xml version='1.0'?>".encode("utf-16-le"), "utf-16-le"),
        ("<?xml version='1.0'?>".encode("utf-16-be"), "utf-16-be"),
        ("<?xml version='1.0'?>".encode("utf-32-le"), "utf-32-le"),
        ("<?xml version='1.0'?>".encode("utf-32-be"), "utf-32-be"),
        (b"\xef\xbb\xbf<?xml version='1.0'?>", "utf-8"),
        (b"\xff\xfe<\x00", "utf-16-le"),
        (b"<?xml version='1.0'?><a/>", "utf-8"),
        (b"<a/>", "utf-8"),
        (b'<?xml version="1.0" encoding="windows-1252"?>', "cp1252"),
        (b'<?xml version="1.0" encoding="UTF-7"?>', None),
        (b'<?xml version="1.0" encoding="cp037"?>', None),
        (b'<?xml version="1.0" encoding="no-such-codec"?>', None),
        (b"\x00\x00<\x00", None),
    ],
)
def test_xml_encoding_is_detected_as_xml_parsers_do(head: bytes, expected: str | None) -> None:
    assert _docx_zip.xml_encoding(head) == expected


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_dtd_in_a_wide_encoding_without_bom_is_refused(encoding: str) -> None:
    data = make_docx(["{{ x }}"])
    doc = part_xml(data).replace("?>", '?><!DOCTYPE x [<!ENTITY e "x">]>', 1)
    raw = doc.replace("encoding='UTF-8'", f"encoding='{encoding[:6]}'").encode(encoding)
    with pytest.raises(TemplateError, match="DTD"):
        compile_template(replace_part(data, "word/document.xml", raw))


def test_wide_encoding_without_dtd_still_renders() -> None:
    data = make_docx(["Hello {{ x }}"])
    raw = part_xml(data).replace("encoding='UTF-8'", "encoding='UTF-16'").encode("utf-16-le")
    out = render_docx(replace_part(data, "word/document.xml", raw), {"x": "there"})
    assert "Hello there" in docx_text(out)


def test_part_in_an_encoding_that_could_hide_a_dtd_is_refused() -> None:
    data = make_docx(["{{ x }}"])
    doc = part_xml(data).replace("encoding='UTF-8'", "encoding='UTF-7'")
    with pytest.raises(TemplateError, match="encoding other than UTF-8"):
        compile_template(replace_part(data, "word/document.xml", doc.encode()))


def test_entry_larger_than_declared_is_cut_off_and_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bounded read stops at the declared size; the CRC of what was read then fails."""
    data = lying_bomb(make_docx(["x"]), "word/media/blob.bin", 4, declared=10)
    asked: list[int] = []
    real_open = zipfile.ZipFile.open

    def spy(self: zipfile.ZipFile, name: Any, *a: Any, **k: Any) -> Any:
        stream = real_open(self, name, *a, **k)
        real_read = stream.read

        def read(n: int = -1) -> bytes:
            asked.append(n)
            return real_read(n)

        stream.read = read  # type: ignore[method-assign]
        return stream

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    with pytest.raises(TemplateError, match="damaged DOCX: cannot read word/media/blob.bin"):
        compile_template(data)
    assert 11 in asked  # the declared size plus one, never "all of it"
    assert -1 not in asked


# -- resource limits (sizes chosen so that a regression allocates megabytes, not gigabytes) --


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("{{ 'ab' * 600000 }}", "'\\*' would make 1,200,000 items"),
        ("{{ [0, 1] * 600000 }}", "'\\*' would make 1,200,000 items"),
        ("{{ 3 ** 100000 }}", "'\\*\\*' would make a number"),
        ("{{ ('a' * 900000) + ('b' * 900000) }}", "'\\+' would make 1,800,000 items"),
        ("{{ '%2000000s' % 'x' }}", "'%' format width"),
        ("{{ '%*s' % (5, 'x') }}", "'\\*' width"),
        ("{{ 'x'|center(2000000) }}", "filter 'center'"),
        ("{{ ('a\\n' * 1000)|indent(2000) }}", "filter 'indent'"),
        ("{{ '%2000000d'|format(1) }}", "'%' format width"),
        ("{{ ('a' * 2000)|replace('a', 'bbbbbbbbbb' * 100) }}", "filter 'replace'"),
        ("{{ (['a' * 1000] * 2000)|join(', ') }}", "filter 'join'"),
        ("{{ 'x'.ljust(2000000) }}", "str.ljust"),
        ("{{ '{:>2000000}'.format('x') }}", "str.format width"),
        ("{{ '{:>{}}'.format('x', 9) }}", "width taken from an argument"),
        ("{{ lipsum(1000) }}", "lipsum"),
        (
            (
                "{% set ns = namespace(s='ab') %}{% for i in range(30) %}"
                "{% set ns.s = ns.s ~ ns.s %}{% endfor %}"
            ),
            "would make 1,048,576 items",
        ),
        ("{% set l = [1] %}{% for i in range(30) %}{% if l.extend(l) %}{% endif %}{% endfor %}",
         "extend\\(\\) would make 1,048,576 items"),
        ("{% for i in range(2000) %}{% for j in range(2000) %}{% endfor %}{% endfor %}",
         "too much work"),
        (
            "{% for i in [0] * 2000 %}{% for j in 'ab' * 1000 %}{% endfor %}{% endfor %}",
            "too much work",
        ),
        (
            (
                "{% for i in range(1500)|map('string') %}"
                "{% for j in range(1500)|select %}{% endfor %}{% endfor %}"
            ),
            "too much work",
        ),
        ("{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(25) }}",
         "too much work"),
    ],
)
def test_oversized_work_is_refused_at_the_tag(expression: str, expected: str) -> None:
    with pytest.raises(TemplateError, match=expected) as err:
        render(["Intro", "x " + expression + " y"], {})
    assert "word/document.xml, paragraph 2" in str(err.value)
    assert "refused by the sandbox" in str(err.value)


def test_render_deadline_is_enforced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_docx_limits, "MAX_SECONDS", -1.0)
    with pytest.raises(TemplateError, match="ran for more than"):
        render(["{% for i in range(5000) %}{% endfor %}"], {})


def test_output_size_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_docx_limits, "MAX_OUTPUT", 100_000)
    with pytest.raises(TemplateError, match="rendered part would exceed 100,000 characters"):
        render(["{% for i in range(2000) %}{{ x }}{% endfor %}"], {"x": "y" * 1000})


def test_the_budget_is_per_document_not_per_process() -> None:
    compiled = compile_template(make_docx(["{% for i in range(600) %}{% for j in range(600) %}{% endfor %}{% endfor %}done"]))
    for _ in range(3):  # 721,200 steps (loop items and range items) each time
        assert "done" in docx_text(compiled.render({}))


def test_ordinary_templates_are_within_the_limits() -> None:
    rows = [{"scid": f"SC{i:04d}", "name": f"Resource {i}", "mw": i * 2.5} for i in range(600)]
    out = render(
        [
            "{% for r in rows %}{{ r.scid }}: {{ r.name }} ({{ r.mw }} MW){% if not loop.last %}; {% endif %}{% endfor %}",
            "{{ names|join(', ') }} / {{ names|join_list }} / {{ 'Total: %d MW'|format(total) }}",
            "{{ amount|default(2500000) }} {{ 2 ** 10 }} {{ 'a' * 3 }} {{ first ~ ' ' ~ last }} {{ '%.2f' % 1.5 }}",
            "{{ 'x'|center(9) }}|{{ '{:>6}'.format('ab') }}|{{ n + 1 }}|{{ [1] + [2] }}",
            "{% for s in names|map('lower') %}{{ s }}{% if not loop.last %}+{% endif %}{% endfor %}",
        ],
        {"rows": rows, "names": ["A", "B", "C"], "total": 1500, "first": "Jane", "last": "Doe", "n": 41},
    )
    text = docx_text(out)
    assert "SC0599: Resource 599 (1497.5 MW)" in text
    assert "A, B, C / A, B and C / Total: 1500 MW" in text
    assert "2500000 1024 aaa Jane Doe 1.50" in text
    assert "    x    |    ab|42|[1, 2]" in text
    assert "a+b+c" in text


def test_zip_bomb_ratio_is_refused_before_expanding() -> None:
    data = replace_part(make_docx(["x"]), "word/media/bomb.bin", b"\0" * (30 * 1024 * 1024))
    with pytest.raises(TemplateError, match="zip bomb"):
        compile_template(data)


def test_too_many_entries_is_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for i in range(_docx_zip.MAX_ENTRIES + 1):
            z.writestr(f"f{i}.txt", b"")
    with pytest.raises(TemplateError, match="zip entries"):
        compile_template(buf.getvalue())


def test_declared_total_size_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_docx_zip, "MAX_UNCOMPRESSED", 1000)
    with pytest.raises(TemplateError, match="declare .* bytes uncompressed"):
        compile_template(make_docx(["limits patched"]))


def test_not_a_word_document() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
    with pytest.raises(TemplateError, match="not a Word document"):
        compile_template(buf.getvalue())


# -- the package written --------------------------------------------------------------------


def test_output_is_deterministic_with_fixed_dates_and_order() -> None:
    tpl = compile_template(
        make_docx(["{{ applicant.legal_name }}"], header="{{ applicant.state }}")
    )
    first, second = tpl.render(APPLICANT), tpl.render(dict(APPLICANT))
    assert first == second
    infos = zipfile.ZipFile(io.BytesIO(first)).infolist()
    assert infos[0].filename == "[Content_Types].xml"
    names = [i.filename for i in infos[1:]]
    assert names == sorted(names)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert zipfile.ZipFile(io.BytesIO(first)).testzip() is None


def test_unchanged_parts_keep_their_compressed_bytes() -> None:
    data = make_docx(["{{ applicant.legal_name }}"])
    out = render_docx(data, APPLICANT)
    src, dst = zipfile.ZipFile(io.BytesIO(data)), zipfile.ZipFile(io.BytesIO(out))
    s, d = src.getinfo("word/styles.xml"), dst.getinfo("word/styles.xml")
    assert (s.CRC, s.compress_size, s.compress_type) == (d.CRC, d.compress_size, d.compress_type)
    assert dst.read("word/document.xml") != src.read("word/document.xml")


def test_compile_is_cached_by_content(tmp_path: Path) -> None:
    data = make_docx(["{{ x }}"])
    (tmp_path / "a.docx").write_bytes(data)
    first = compile_template(tmp_path / "a.docx")
    assert compile_template(data) is first
    renamed = compile_template(data, name="sca v2")
    assert renamed.name == "sca v2" and renamed._parts is first._parts
    with pytest.raises(TemplateError, match=r"^sca v2: "):
        renamed.render({})
    assert first.sha256 == __import__("hashlib").sha256(data).hexdigest()
    assert isinstance(first, CompiledTemplate)


def test_core_properties_are_written() -> None:
    tpl = compile_template(make_docx(["{{ x }}"]))
    when = dt.datetime(2027, 1, 1, 12, 0, tzinfo=dt.UTC)
    out = tpl.render(
        {"x": 1},
        core_properties={
            "title": "SC Agreement",
            "subject": "Acme",
            "creator": "sc-docs",
            "created": when,
            "modified": "2027-01-02T00:00:00Z",
        },
    )
    core = docx.Document(io.BytesIO(out)).core_properties
    assert (core.title, core.subject, core.author) == ("SC Agreement", "Acme", "sc-docs")
    assert core.created == when
    assert core.modified == dt.datetime(2027, 1, 2, tzinfo=dt.UTC)


@pytest.mark.parametrize("drop_links", [False, True], ids=["part-only", "part-and-links"])
def test_core_properties_part_is_created_when_absent(drop_links: bool) -> None:
    data = replace_part(make_docx(["{{ x }}"]), "docProps/core.xml", None)
    if drop_links:
        z = zipfile.ZipFile(io.BytesIO(data))
        ct = re.sub(
            r'<Override PartName="/docProps/core.xml"[^>]*/>',
            "",
            z.read("[Content_Types].xml").decode(),
        )
        rels = re.sub(
            r'<Relationship [^>]*core-properties"[^>]*/>', "", z.read("_rels/.rels").decode()
        )
        assert "core" not in ct and "core-properties" not in rels
        data = replace_part(data, "[Content_Types].xml", ct.encode())
        data = replace_part(data, "_rels/.rels", rels.encode())
    out = compile_template(data).render({"x": 1}, core_properties={"title": "T"})
    assert docx.Document(io.BytesIO(out)).core_properties.title == "T"
    z = zipfile.ZipFile(io.BytesIO(out))
    assert z.read("[Content_Types].xml").decode().count("/docProps/core.xml") == 1
    assert z.read("_rels/.rels").decode().count("core-properties") == 1


def test_unknown_core_property_is_refused() -> None:
    with pytest.raises(TemplateError, match="unknown core properties"):
        compile_template(make_docx(["x"])).render({}, core_properties={"colour": "red"})


def test_custom_properties_create_part_override_and_relationship() -> None:
    tpl = compile_template(make_docx(["{{ x }}"]))
    props = {"sc_docs.template": "sca", "sc_docs.version": "2027-01", "sc_docs.sha256": tpl.sha256}
    out = tpl.render({"x": 1}, custom_properties=props)
    z = zipfile.ZipFile(io.BytesIO(out))
    custom = etree.fromstring(z.read("docProps/custom.xml"))
    found = {p.get("name"): p[0].text for p in custom}
    assert found == props
    assert len({p.get("pid") for p in custom}) == 3
    assert "/docProps/custom.xml" in z.read("[Content_Types].xml").decode()
    assert "docProps/custom.xml" in z.read("_rels/.rels").decode()
    docx.Document(io.BytesIO(out))  # still opens
    # Rendering again from the output as a template updates rather than duplicates.
    again = compile_template(out).render({"x": 2}, custom_properties={"sc_docs.version": "2028-01"})
    custom = etree.fromstring(zipfile.ZipFile(io.BytesIO(again)).read("docProps/custom.xml"))
    assert [p.get("name") for p in custom] == list(props)
    assert {p.get("name"): p[0].text for p in custom}["sc_docs.version"] == "2028-01"
    assert (
        zipfile.ZipFile(io.BytesIO(again)).read("_rels/.rels").decode().count("custom-properties")
        == 1
    )


def test_no_tags_left_anywhere() -> None:
    tpl = make_docx(
        ["{{ a }}", "{%p if a %}", "yes", "{%p endif %}"],
        header="{{ a }}",
        footer="{{ a }}",
        table=[
            ["{%tr for r in rows %}", ""],
            ["{{ r }}", "{{ r|upper_name }}"],
            ["{%tr endfor %}", ""],
        ],
    )
    out = render_docx(add_notes(tpl, "footnotes", ["note {{ a }}"]), {"a": "v", "rows": ["x", "y"]})
    assert leftover_tags(out) == []
    text = docx_text(out)
    assert "note v" in text and "x | X" in text


def test_endnotes_are_rendered() -> None:
    out = render_docx(add_notes(make_docx(["x"]), "endnotes", ["see {{ a }}"]), {"a": "Exhibit A"})
    assert "see Exhibit A" in docx_text(out)


# -- docxtpl features -----------------------------------------------------------------------


def test_richtext_and_listing() -> None:
    from docxtpl import Listing, RichText

    tpl = make_docx(["Name: {{r name }}", "List: {{ items }}"])
    out = render_docx(
        tpl, {"name": RichText("Acme & Co", bold=True), "items": Listing("one\ntwo\athree")}
    )
    xml = part_xml(out)
    assert "<w:b/>" in xml and "Acme &amp; Co" in xml
    text = docx_text(out)
    assert "Name: Acme & Co" in text and "List: one\ntwo" in text and "three" in text


def test_table_rows_and_columns_loops() -> None:
    tpl = make_docx(
        table=[
            ["Label", "{%tc for c in cols %}", "{{ c }}", "{%tc endfor %}"],
            ["{%tr for r in rows %}", "", "", ""],
            ["{{ r }}", "", "", ""],
            ["{%tr endfor %}", "", "", ""],
        ]
    )
    out = render_docx(tpl, {"cols": ["A", "B", "C"], "rows": ["r1", "r2"]})
    text = docx_text(out)
    assert "Label | A | B | C" in text
    assert "r1 |  | " in text and "r2 |  | " in text
    grid = etree.fromstring(part_xml(out).encode()).findall(f".//{{{W}}}gridCol")
    assert len(grid) == 4


# -- variables and text ---------------------------------------------------------------------


def test_variables_resolve_loops_conditions_filters_and_parts() -> None:
    tpl = make_docx(
        [
            "{{ applicant.legal_name }} {{ applicant['dba'] }}",
            "{%p for s in agreement.scids %}",
            "{{ s.scid }} {% for c in s.contacts %}{{ c.email }}{% endfor %} {{ loop.index }}",
            "{%p endfor %}",
            "{% if agreement.fee > 0 and not agreement.waived %}{{ agreement.fee|currency }}{% endif %}",
            "{{ parties|join_list(conj.word) }} {{ applicant.name.upper() }}",
            "{% set sig = applicant.signatory %}{{ sig.title }}",
        ],
        header="{{ agreement.title }}",
        footer="{{ footer_note }}",
    )
    assert compile_template(tpl).variables() == {
        "applicant.legal_name",
        "applicant.dba",
        "agreement.scids",
        "agreement.scids[].scid",
        "agreement.scids[].contacts",
        "agreement.scids[].contacts[].email",
        "agreement.fee",
        "agreement.waived",
        "parties",
        "conj.word",
        "applicant.name",
        "applicant.signatory",
        "applicant.signatory.title",
        "agreement.title",
        "footer_note",
    }


def test_text_with_tags_shows_paragraphs_tables_and_labelled_parts() -> None:
    tpl = make_docx(
        ["Intro {{ a }}", "{%p if b %}", "maybe", "{%p endif %}"],
        header="Head {{ h }}",
        table=[["Name", "{{ n }}"], ["Date", "{{ d|us_date }}"]],
    )
    text = compile_template(tpl).text_with_tags()
    lines = text.splitlines()
    assert lines[0] == "=== document: word/document.xml ==="
    assert "Intro {{ a }}" in lines and "{%p if b %}" in lines
    assert "Name | {{ n }}" in lines and "Date | {{ d|us_date }}" in lines
    assert "=== header: word/header1.xml ===" in lines
    assert lines[lines.index("=== header: word/header1.xml ===") + 1] == "Head {{ h }}"


# -- filters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2027, 1, 1), "the 1st day of January, 2027"),
        ("2027-03-02", "the 2nd day of March, 2027"),
        ("2027-03-03T10:00:00", "the 3rd day of March, 2027"),
        (dt.datetime(2027, 4, 11, 9), "the 11th day of April, 2027"),
        ("2027-04-12", "the 12th day of April, 2027"),
        ("2027-04-13", "the 13th day of April, 2027"),
        ("2027-04-21", "the 21st day of April, 2027"),
        ("2027-04-22", "the 22nd day of April, 2027"),
        ("2027-04-23", "the 23rd day of April, 2027"),
        ("2027-04-30", "the 30th day of April, 2027"),
    ],
)
def test_long_date(value: Any, expected: str) -> None:
    assert long_date(value) == expected


def test_us_date() -> None:
    assert us_date("2027-01-01") == "January 1, 2027"
    assert us_date(dt.date(2027, 12, 31)) == "December 31, 2027"
    with pytest.raises(ValueError):
        us_date("01/02/2027")
    with pytest.raises(TypeError):
        us_date(20270101)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (7500, "$7,500.00"),
        ("7500", "$7,500.00"),
        (1234567.891, "$1,234,567.89"),
        ("0.005", "$0.01"),
        (-25, "-$25.00"),
        ("$1,000", "$1,000.00"),
        (0, "$0.00"),
    ],
)
def test_currency(value: Any, expected: str) -> None:
    assert currency(value) == expected


@pytest.mark.parametrize("bad", ["ten", True, float("nan")])
def test_currency_refuses_non_amounts(bad: Any) -> None:
    with pytest.raises((ValueError, TypeError)):
        currency(bad)


def test_join_list_and_upper_name() -> None:
    assert join_list([]) == ""
    assert join_list(["A"]) == "A"
    assert join_list(["A", "B"]) == "A and B"
    assert join_list(["A", "B", "C"]) == "A, B and C"
    assert join_list(["A", "B", "C"], "or") == "A, B or C"
    with pytest.raises(TypeError):
        join_list("ABC")
    assert upper_name("Jane Q. Doe") == "JANE Q. DOE"


def test_filters_are_registered() -> None:
    out = render(
        [
            "{{ d|long_date }} / {{ d|us_date }} / {{ fee|currency }} / {{ names|join_list }} / {{ n|upper_name }}"
        ],
        {"d": "2027-01-01", "fee": 7500, "names": ["A", "B", "C"], "n": "Jane Doe"},
    )
    assert (
        "the 1st day of January, 2027 / January 1, 2027 / $7,500.00 / A, B and C / JANE DOE"
        in docx_text(out)
    )


# -- equivalence with plain docxtpl ---------------------------------------------------------


def _normalized(data: bytes) -> dict[str, Any]:
    """Return every XML part of a DOCX canonicalized; content types as a name->type map."""
    parser = etree.XMLParser(remove_blank_text=True)
    z = zipfile.ZipFile(io.BytesIO(data))
    out: dict[str, Any] = {}
    for name in z.namelist():
        if name.startswith("docProps/") or not name.endswith((".xml", ".rels")):
            continue
        root = etree.fromstring(z.read(name), parser)
        if name == "[Content_Types].xml":
            ct = "{http://schemas.openxmlformats.org/package/2006/content-types}"
            defaults = {e.get("Extension"): e.get("ContentType") for e in root.iter(ct + "Default")}
            overrides = {
                e.get("PartName"): e.get("ContentType") for e in root.iter(ct + "Override")
            }
            out[name] = {
                n: overrides.get("/" + n) or defaults.get(n.rpartition(".")[2])
                for n in z.namelist()
                if not n.startswith("docProps/")
            }
        elif name == "_rels/.rels":
            out[name] = sorted(
                (e.get("Type"), e.get("Target"))
                for e in root
                if "docProps" not in (e.get("Target") or "")
            )
        else:
            out[name] = etree.tostring(root, method="c14n")
    return out


def _docxtpl_render(data: bytes, context: dict[str, Any]) -> bytes:
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(io.BytesIO(data))
    tpl.render(context, jinja_env=make_environment(), autoescape=True)
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()


def _feature_template() -> bytes:
    d = docx.Document()
    d.add_heading("Scheduling Coordinator Agreement", level=1)
    p = d.add_paragraph("This agreement is made on ")
    p.add_run("{{ agreement.date|long_date }}").bold = True
    p.add_run(" between the CAISO and {{ applicant.legal_name }} (the \u201cSC\u201d).")
    d.add_paragraph("Notices: {{ applicant.address }}")
    d.add_paragraph("{%p if applicant.dba %}")
    d.add_paragraph("Doing business as {{ applicant.dba|upper_name }}.")
    d.add_paragraph("{%p endif %}")
    d.add_paragraph("{%p for s in agreement.scids %}")
    d.add_paragraph("SCID {{ s.scid }}: {{ s.name }} ({{ loop.index }} of {{ loop.length }})")
    d.add_paragraph("{%p endfor %}")
    d.add_paragraph("Summary: {{r summary }} and {{ listing }}.")
    d.add_paragraph("Fee {{ agreement.fee|currency }}; parties {{ parties|join_list }}.")
    rows = d.add_table(rows=4, cols=3)
    for c, text in enumerate(["SCID", "Name", "Since"]):
        rows.cell(0, c).text = text
    rows.cell(1, 0).text = "{%tr for s in agreement.scids %}"
    rows.cell(2, 0).text = "{{ s.scid }}"
    rows.cell(2, 1).text = "{{ s.name }}"
    rows.cell(2, 2).text = "{{ s.since|us_date }}"
    rows.cell(3, 0).text = "{%tr endfor %}"
    # Rendered cells (1 + one per SCID) differ from the 4 grid columns unless there are 3.
    cols = d.add_table(rows=1, cols=4)
    for c, text in enumerate(
        ["Label", "{%tc for s in agreement.scids %}", "{{ s.scid }}", "{%tc endfor %}"]
    ):
        cols.cell(0, c).text = text
    run_p = d.add_paragraph("Run tag: ")
    run_p.add_run("{%r if applicant.dba %}")
    run_p.add_run("with dba").font.size = Pt(14)
    run_p.add_run("{%r endif %}")
    d.add_paragraph("Even span {% if applicant.dba %}start")
    d.add_paragraph("middle paragraph")
    d.add_paragraph("end{% endif %} after.")
    d.add_paragraph("Multi-line {{ applicant.notes }} and literal {_{ braces }_}.")
    d.sections[0].header.paragraphs[0].text = "{{ applicant.legal_name }} \u2014 SCA"
    d.sections[0].footer.paragraphs[0].text = "Version {{ agreement.version }}"
    buf = io.BytesIO()
    d.save(buf)
    return add_notes(buf.getvalue(), "footnotes", ["See {{ agreement.tariff }}.", "Plain note."])


def _feature_context(dba: str | None, scids: int = 3) -> dict[str, Any]:
    from docxtpl import Listing, RichText

    rt = RichText("bold ", bold=True)
    rt.add("& italic", italic=True, color="#FF0000")
    return {
        "applicant": {
            "legal_name": "Acme Power & Light, LLC",
            "address": "1 Main St.\nSacramento, CA\t95814",
            "dba": dba,
            "notes": "first line\nsecond line",
        },
        "agreement": {
            "date": "2027-01-01",
            "fee": 7500,
            "version": "2027.1",
            "tariff": "Appendix B.1 <SCA>",
            "scids": [
                {"scid": "ACME1", "name": "Acme <One>", "since": "2026-05-01"},
                {"scid": "ACME2", "name": 'Acme "Two"', "since": dt.date(2026, 6, 2)},
                {"scid": "ACME3", "name": "Zoë ✓", "since": "2026-07-03"},
                {"scid": "ACME4", "name": "", "since": "2026-08-04"},
                {"scid": "ACME5", "name": "Five", "since": "2026-09-05"},
            ][:scids],
        },
        "parties": ["CAISO", "Acme"],
        "summary": rt,
        "listing": Listing("alpha\nbeta"),
    }


def _png() -> bytes:
    """Return a 2x2 PNG, enough for python-docx to embed a picture."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\0" + b"\xff\x00\x00" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _rows_template() -> bytes:
    """Tables whose rows repeat or vanish but whose grid never needs docxtpl's fix."""
    d = docx.Document()
    d.add_paragraph("Resources of {{ applicant.legal_name }}")
    t = d.add_table(rows=4, cols=3)
    for c, text in enumerate(["No.", "SCID", "Metered"]):
        t.cell(0, c).text = text
    t.cell(1, 0).text = "{%tr for s in agreement.scids %}"
    t.cell(2, 0).text = "{{ loop.index }}"
    t.cell(2, 1).text = "{{ s.scid }}"
    t.cell(2, 2).text = "{% if s.name %}{{ s.name }}{% else %}none{% endif %}"
    t.cell(3, 0).text = "{%tr endfor %}"
    contacts = d.add_table(rows=1, cols=2)
    contacts.cell(0, 0).text = "Street"
    cell = contacts.cell(0, 1)
    cell.text = "{%p for line in applicant.street %}"
    cell.add_paragraph("{{ line }}")
    cell.add_paragraph("{%p endfor %}")
    static = d.add_table(rows=2, cols=2)
    static.cell(0, 0).text, static.cell(1, 1).text = "Plain", "{{ agreement.version }}"
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _picture_template() -> bytes:
    """A repeated picture: docxtpl renumbers the drawing ids."""
    d = docx.Document()
    d.add_paragraph("Logo for {{ applicant.legal_name }}:")
    d.add_picture(io.BytesIO(_png()))
    d.add_paragraph("{%p for s in agreement.scids %}")
    d.add_picture(io.BytesIO(_png()))
    d.add_paragraph("{{ s.scid }}")
    d.add_paragraph("{%p endfor %}")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _rows_context(scids: int) -> dict[str, Any]:
    context = _feature_context("", scids)
    context["applicant"]["street"] = ["1 Main St.", "Suite 200"][: max(scids - 1, 0)]
    return context


EQUIVALENCE = [
    ("features", _feature_template, lambda n: _feature_context("Acme \u00c9nergie", n)),
    ("features-no-dba", _feature_template, lambda n: _feature_context("", n)),
    ("rows", _rows_template, _rows_context),
    ("picture", _picture_template, _rows_context),
]


@pytest.mark.parametrize("scids", [5, 3, 1, 0], ids=["5-items", "3-items", "1-item", "no-items"])
@pytest.mark.parametrize(
    ("build", "make_context"), [c[1:] for c in EQUIVALENCE], ids=[c[0] for c in EQUIVALENCE]
)
def test_output_equals_plain_docxtpl(build: Any, make_context: Any, scids: int) -> None:
    data = build()
    context = make_context(scids)
    ours = _normalized(compile_template(data).render(context))
    theirs = _normalized(_docxtpl_render(data, context))
    assert ours.keys() == theirs.keys()
    for name in ours:
        assert ours[name] == theirs[name], name


def test_table_fix_is_skipped_only_when_it_cannot_matter() -> None:
    assert compile_template(_rows_template())._parts[0].fix_tree is False
    assert compile_template(_feature_template())._parts[0].fix_tree is True  # {%tc %} columns
    assert compile_template(_picture_template())._parts[0].fix_tree is True  # drawing ids


def test_equivalence_test_can_fail() -> None:
    data = _feature_template()
    context = _feature_context("x")
    other = _feature_context("y")
    assert _normalized(compile_template(data).render(context)) != _normalized(
        _docxtpl_render(data, other)
    )


# -- properties -----------------------------------------------------------------------------

XML_LEGAL = st.characters(
    blacklist_categories=("Cs",),
    blacklist_characters="".join(
        map(chr, [*range(9), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF])
    ),
)
_PROPERTY_TEMPLATE = make_docx(["Before [{{ value }}] after"], header="H {{ value }}")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=st.text(XML_LEGAL, max_size=80))
def test_any_legal_text_renders_exactly(value: str) -> None:
    out = compile_template(_PROPERTY_TEMPLATE).render({"value": value})
    document = docx.Document(io.BytesIO(out))
    expected = value.replace("\r\n", "\n").replace("\r", "\n")
    text = docx_text(out)
    assert f"Before [{expected}] after" in text
    assert f"H {expected}" in text
    if "\n" not in expected and "\t" not in expected:
        assert f"Before [{expected}] after" in [p.text for p in document.paragraphs]


@settings(max_examples=50, deadline=None)
@given(
    value=st.text(XML_LEGAL, max_size=30),
    items=st.lists(st.text(XML_LEGAL, max_size=10), max_size=4),
)
def test_rendering_is_deterministic(value: str, items: list[str]) -> None:
    tpl = compile_template(make_docx(["{{ value }}", "{{ items|join_list }}"]))
    assert tpl.render({"value": value, "items": items}) == tpl.render(
        {"value": value, "items": list(items)}
    )


@settings(max_examples=60, deadline=None)
@given(
    value=st.text(max_size=20).filter(
        lambda s: re.search("[\x00-\x06\x08\x0b\x0e-\x1f\ufffe\uffff]", s) is not None
    )
)
def test_illegal_text_is_always_refused(value: str) -> None:
    with pytest.raises(TemplateError, match="'value'"):
        compile_template(_PROPERTY_TEMPLATE).render({"value": value})
