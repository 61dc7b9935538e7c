"""Pictures, links and package wiring of the DOCX engine: the checks can fail, ids stay sound."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx.shared import Mm
from markupsafe import Markup

from sc_docs.engines.docx import Image, render_docx, url_id
from sc_docs.errors import TemplateError
from tests.engines.docx_package import check_package, checking_renders, png
from tests.engines.test_docx import make_docx, replace_part


@pytest.fixture(autouse=True)
def _check_every_package(monkeypatch: pytest.MonkeyPatch) -> None:
    checking_renders(monkeypatch)


def test_package_check_catches_a_dangling_relationship() -> None:
    good = make_docx(["x"])
    z = zipfile.ZipFile(io.BytesIO(good))
    xml = z.read("word/document.xml").replace(
        b"<w:body>",
        b'<w:body><w:p><w:hyperlink xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships" r:id="rId99"/></w:p>',
    )
    with pytest.raises(AssertionError, match=r"relationships \['rId99'\] do not exist"):
        check_package(replace_part(good, "word/document.xml", xml))


def test_package_check_catches_a_missing_target() -> None:
    good = make_docx(["x"])
    with pytest.raises(AssertionError, match="points at missing word/styles.xml"):
        check_package(replace_part(good, "word/styles.xml", None))


def test_markup_pointing_at_an_unknown_relationship_is_refused() -> None:
    class Foreign:
        def __html__(self) -> str:
            return '</w:t></w:r><w:hyperlink r:id="rId99"><w:r><w:t>x</w:t></w:r></w:hyperlink><w:r><w:t>'

    with pytest.raises(TemplateError, match=r"value of 'v' uses relationship 'rId99'"):
        render_docx(make_docx(["{{ v }}"]), {"v": Foreign()})


def test_url_id_marks_become_relationships_of_the_part() -> None:
    value = Markup(f'</w:t></w:r><w:hyperlink r:id="{url_id("https://a.example")}"/><w:r><w:t>')
    out = render_docx(make_docx(["{{ v }}"]), {"v": value})
    rels = zipfile.ZipFile(io.BytesIO(out)).read("word/_rels/document.xml.rels").decode()
    assert 'Target="https://a.example" TargetMode="External"' in rels


def test_same_link_twice_is_one_relationship() -> None:
    v = Markup(f'<w:hyperlink r:id="{url_id("https://a.example")}"/>')
    out = render_docx(make_docx(["{{ a }}{{ b }}"]), {"a": v, "b": v})
    rels = zipfile.ZipFile(io.BytesIO(out)).read("word/_rels/document.xml.rels").decode()
    assert rels.count("https://a.example") == 1


def test_page_break_outside_text_is_refused() -> None:
    data = make_docx(["x"])
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").replace(
        b"<w:body>", b'<w:body><w:p><w:pPr><w:pStyle w:val="{{ s }}"/></w:pPr></w:p>'
    )
    with pytest.raises(TemplateError, match=r"\\a \(new paragraph\) or \\f \(page break\)"):
        render_docx(replace_part(data, "word/document.xml", xml), {"s": "a\fb"})


def test_pictures_are_deterministic_and_keep_proportions() -> None:
    template = make_docx(["{{ a }} {{ b }}"])
    context = {"a": Image(png(40, 20), height=Mm(10)), "b": Image(png(40, 20))}
    first = render_docx(template, context)
    assert first == render_docx(template, context)
    xml = zipfile.ZipFile(io.BytesIO(first)).read("word/document.xml").decode()
    assert f'cx="{Mm(20)}" cy="{Mm(10)}"' in xml
    # one media entry for the same bytes twice
    media = [n for n in zipfile.ZipFile(io.BytesIO(first)).namelist() if n.startswith("word/media/")]
    assert len(media) == 1


def test_engine_values_are_refused_in_other_renders() -> None:
    from docxtpl import DocxTemplate

    from sc_docs.engines.docx import make_environment

    template = make_docx(["{{ a }}"])
    tpl = DocxTemplate(io.BytesIO(template))
    with pytest.raises(Exception, match="engine's own render"):
        tpl.render({"a": Image(png())}, jinja_env=make_environment(), autoescape=True)


def test_unreadable_picture_file_names_the_value() -> None:
    with pytest.raises(TemplateError, match=r"value of 'logo' cannot read image"):
        render_docx(make_docx(["{{ logo }}"]), {"logo": Image("/nonexistent/logo.png")})


def test_objects_without_text_are_refused_naming_the_value() -> None:
    class Opaque:
        pass

    with pytest.raises(TemplateError, match=r"value of 'v' is an object of type Opaque, which has no text"):
        render_docx(make_docx(["{{ v }}"]), {"v": Opaque()})


def test_missing_lists_what_a_render_would_miss() -> None:
    from sc_docs.engines.docx import compile_template

    tpl = compile_template(
        make_docx(
            ["{{ a.b }} {{ c }}", "{% if z is defined %}{{ z }}{% endif %}"],
            header="{% for i in items %}{{ i.name }}{% endfor %}",
        )
    )
    assert tpl.missing({"a": {}, "items": [{"x": 1}]}) == ["a.b", "c", "items[].name"]
    assert tpl.missing({"a": {"b": 1}, "c": 2, "items": []}) == []


def test_a_macro_repeating_the_templates_own_link_is_fine() -> None:
    data = make_docx(["x"])
    z = zipfile.ZipFile(io.BytesIO(data))
    rels = z.read("word/_rels/document.xml.rels").replace(
        b"</Relationships>",
        b'<Relationship Id="rId77" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/hyperlink" Target="https://own.example" TargetMode="External"/>'
        b"</Relationships>",
    )
    xml = z.read("word/document.xml").replace(
        b"<w:body>",
        b'<w:body><w:p><w:r><w:t>{% macro m() %}</w:t></w:r><w:hyperlink xmlns:r="http://schemas.'
        b'openxmlformats.org/officeDocument/2006/relationships" r:id="rId77"><w:r><w:t>own</w:t>'
        b"</w:r></w:hyperlink><w:r><w:t>{% endmacro %}{{ m() }}{{ m() }}</w:t></w:r></w:p>",
    )
    data = replace_part(replace_part(data, "word/_rels/document.xml.rels", rels), "word/document.xml", xml)
    out = render_docx(data, {})
    assert zipfile.ZipFile(io.BytesIO(out)).read("word/document.xml").count(b'r:id="rId77"') >= 2
