"""The DOCX engine beside docxtpl, feature by feature, on templates built in code.

Each case renders the same template with docxtpl and with the engine and compares the visible
text of every part and the canonical XML of every part; every output also passes the package
check. Where the engine differs on purpose, a test below says so and shows the difference:

- undefined variables are errors (docxtpl prints nothing), and every missing one is listed;
- `None` is refused (docxtpl prints `None`);
- values are always escaped (docxtpl without `autoescape=True` writes broken XML);
- pictures are drawn by the engine's own markup: same size and bytes, other names and ids;
- docxtpl objects tied to a `DocxTemplate` (`build_url_id` ids, a `Subdoc` with pictures) are
  refused with a message naming `url_id()` / `Subdocument`, which carry them instead;
- a `Subdocument` keeps its text, tables, pictures and links but not its own styles;
- tags are rendered in every core property, not only docxtpl's six.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.shared import Mm
from lxml import etree

from sc_docs.engines.docx import (
    Image,
    Subdocument,
    docx_text,
    make_environment,
    render_docx,
    url_id,
)
from sc_docs.errors import TemplateError
from tests.engines.docx_package import check_package, checking_renders, png
from tests.engines.test_docx import _normalized, add_notes, make_docx

docxtpl = pytest.importorskip("docxtpl")
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"

Context = Callable[[Any], dict[str, Any]]


@pytest.fixture(autouse=True)
def _check_every_package(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every DOCX rendered here must have its relationships, targets and ids in order."""
    checking_renders(monkeypatch)


def theirs(template: bytes, make_context: Context, *, autoescape: bool = True, **kw: Any) -> bytes:
    """Render with docxtpl; `make_context(tpl)` builds the context (RichText, InlineImage ...)."""
    tpl = docxtpl.DocxTemplate(io.BytesIO(template))
    for name, value in kw.get("replace", {}).items():
        getattr(tpl, name)(*value)
    env = make_environment() if autoescape else None
    tpl.render(make_context(tpl), jinja_env=env, autoescape=autoescape)
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()


def ours(template: bytes, context: dict[str, Any], **kw: Any) -> bytes:
    out = render_docx(template, context, **kw)
    check_package(out)
    return out


def assert_same(a: bytes, b: bytes) -> None:
    assert docx_text(a) == docx_text(b)
    assert _normalized(a) == _normalized(b)


def doc(build: Callable[[Any], None]) -> bytes:
    d = docx.Document()
    build(d)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


# -- the same output ------------------------------------------------------------------------


def _table_loops(d: Any) -> None:
    t = d.add_table(rows=3, cols=2)
    t.cell(0, 0).text = "{%tr for r in rows %}"
    t.cell(1, 0).text, t.cell(1, 1).text = "{{ r.a }}", "{% for x in r.xs %}{{ x }} {% endfor %}"
    t.cell(2, 0).text = "{%tr endfor %}"
    c = d.add_table(rows=1, cols=3)
    c.cell(0, 0).text, c.cell(0, 1).text, c.cell(0, 2).text = (
        "{%tc for r in rows %}",
        "{{ r.a }}",
        "{%tc endfor %}",
    )


def _merges(d: Any) -> None:
    t = d.add_table(rows=3, cols=2)
    t.cell(0, 0).text = "{%tr for r in rows %}"
    t.cell(1, 0).text, t.cell(1, 1).text = "{% vm %}{{ r.group }}", "{{ r.a }}"
    t.cell(2, 0).text = "{%tr endfor %}"
    s = d.add_table(rows=1, cols=2)
    s.cell(0, 0).text, s.cell(0, 1).text = "{% colspan 2 %}wide", "{% cellbg 'FF0000' %}red"
    h = d.add_table(rows=1, cols=3)
    h.cell(0, 0).text, h.cell(0, 1).text, h.cell(0, 2).text = (
        "{%tc for r in rows %}",
        "{% hm %}{{ r.a }}",
        "{%tc endfor %}",
    )


def _paragraphs(d: Any) -> None:
    d.add_paragraph("{%p for r in rows %}")
    d.add_paragraph("Item {{ loop.index }}: {{ r.a }}")
    d.add_paragraph("{%p if r.xs %}")
    d.add_paragraph("has {{ r.xs|length }}")
    d.add_paragraph("{%p endif %}")
    d.add_paragraph("{%p endfor %}")
    p = d.add_paragraph("Run: ")
    p.add_run("{%r if flag %}")
    p.add_run("flagged").bold = True
    p.add_run("{%r endif %}")
    d.sections[0].header.paragraphs[0].text = "Header {{ name }}"
    d.sections[0].footer.paragraphs[0].text = "Footer {{ rows|length }}"


def _comments(d: Any) -> None:
    p = d.add_paragraph("Commented {{ name }}")
    d.add_comment(p.runs, text="Reviewer note {{ name }}", author="R")


ROWS = {
    "rows": [
        {"a": "one", "group": "G1", "xs": [1, 2]},
        {"a": "two & <b>", "group": "G1", "xs": []},
        {"a": "three", "group": "G2", "xs": [3]},
    ],
    "flag": True,
    "name": "Acme & Co",
}


def _rich(tpl: Any) -> dict[str, Any]:
    rt = docxtpl.RichText("bold", bold=True)
    rt.add(" red & small", color="#FF0000", size=16)
    rt.add(" link", url_id=tpl.build_url_id("https://example.com/?a=1&b=2"))
    return {"rt": rt, "listing": docxtpl.Listing("a\nb\tc\ad\fe")}


def _rich_ours() -> dict[str, Any]:
    rt = docxtpl.RichText("bold", bold=True)
    rt.add(" red & small", color="#FF0000", size=16)
    rt.add(" link", url_id=url_id("https://example.com/?a=1&b=2"))
    return {"rt": rt, "listing": docxtpl.Listing("a\nb\tc\ad\fe")}


CASES = [
    ("table loops", doc(_table_loops), ROWS),
    ("merges", doc(_merges), ROWS),
    ("paragraphs header footer", doc(_paragraphs), ROWS),
    ("footnotes", add_notes(make_docx(["Body {{ name }}"]), "footnotes", ["Note {{ name }}"]), ROWS),
    # Neither tool renders comments: they are the reviewer's, not the document's text.
    ("comments", doc(_comments), ROWS),
    ("plain \\a and \\f", make_docx(["A{{ s }}B"]), {"s": "one\atwo\fthree\nfour\tfive"}),
    ("nested loops", make_docx(["{% for r in rows %}{% for x in r.xs %}{{ r.a }}{{ x }};{% endfor %}{% endfor %}"]), ROWS),
]


@pytest.mark.parametrize(("template", "context"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_same_as_docxtpl(template: bytes, context: dict[str, Any]) -> None:
    assert_same(ours(template, context), theirs(template, lambda tpl: context))


def test_richtext_listing_and_hyperlinks_match() -> None:
    template = make_docx(["Rich {{r rt }} end", "{{ listing }}"])
    mine = ours(template, _rich_ours())
    assert_same(mine, theirs(template, _rich))
    rels = zipfile.ZipFile(io.BytesIO(mine)).read("word/_rels/document.xml.rels").decode()
    assert 'Target="https://example.com/?a=1&amp;b=2" TargetMode="External"' in rels


def test_ampersand_in_string_literals_matches_docxtpl() -> None:
    template = make_docx(['{{ "Tom & Jerry" }} / {{ names|join(" & ") }}'])
    context = {"names": ["A", "B"]}
    mine = ours(template, context)
    assert "Tom & Jerry / A & B" in docx_text(mine)
    assert "<x> & 'y'" in docx_text(ours(make_docx(["{{ \"<x> & 'y'\" }}"]), {}))
    # docxtpl is right here only without autoescaping (with it, it prints `&amp;`).
    assert_same(mine, theirs(template, lambda tpl: context, autoescape=False))


def test_tags_in_core_properties_are_rendered() -> None:
    def build(d: Any) -> None:
        d.core_properties.title = "{{ title }}"
        d.core_properties.subject = "About {{ title }}"
        d.add_paragraph("Body")

    template = doc(build)
    mine = ours(template, {"title": "A & B"})
    theirs_ = theirs(template, lambda tpl: {"title": "A & B"}, autoescape=False)
    for out in (mine, theirs_):
        props = docx.Document(io.BytesIO(out)).core_properties
        assert (props.title, props.subject) == ("A & B", "About A & B")


def test_picture_ids_are_renumbered_without_tags() -> None:
    def build(d: Any) -> None:
        d.add_picture(io.BytesIO(png()), width=Mm(5))
        d.add_picture(io.BytesIO(png()), width=Mm(5))
        d.add_paragraph("No tags at all")

    template = doc(build)
    mine = ours(template, {})
    assert_same(mine, theirs(template, lambda tpl: {}))
    ids = [e.get("id") for e in _root(mine).iter(f"{WP}docPr")]
    assert ids == ["1001", "1002"]


# -- pictures, sub-documents, replacements ------------------------------------------------------


def _root(data: bytes, part: str = "word/document.xml") -> Any:
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(part))


def _pictures(data: bytes, part: str = "word/document.xml") -> list[tuple[str, str, bytes]]:
    """Return `(cx, cy, image bytes)` of each picture in `part`, in order."""
    z = zipfile.ZipFile(io.BytesIO(data))
    rels = etree.fromstring(z.read(part.replace("word/", "word/_rels/") + ".rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    out = []
    for inline in _root(data, part).iter(f"{WP}inline"):
        extent = inline.find(f"{WP}extent")
        blip = inline.find(f".//{A}blip")
        rid = blip.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed")
        out.append((extent.get("cx"), extent.get("cy"), z.read("word/" + targets[rid])))
    return out


def test_inline_image_matches_docxtpl_in_size_and_bytes(tmp_path: Path) -> None:
    picture = tmp_path / "logo.png"
    picture.write_bytes(png(40, 30))
    template = make_docx(["Logo {{ logo }} and {{ logo2 }}"], header="Head {{ logo }}")
    mine = ours(
        template,
        {"logo": Image(picture, width=Mm(20)), "logo2": Image(png(40, 30))},
    )
    theirs_ = theirs(
        template,
        lambda tpl: {
            "logo": docxtpl.InlineImage(tpl, str(picture), width=Mm(20)),
            "logo2": docxtpl.InlineImage(tpl, io.BytesIO(png(40, 30))),
        },
    )
    assert docx_text(mine) == docx_text(theirs_)
    assert _pictures(mine) == _pictures(theirs_)
    assert len(_pictures(mine, "word/header1.xml")) == 1
    assert len(docx.Document(io.BytesIO(mine)).inline_shapes) == 2


def test_docxtpl_inline_image_is_accepted_without_a_docxtpl_render(tmp_path: Path) -> None:
    picture = tmp_path / "logo.png"
    picture.write_bytes(png())
    template = make_docx(["{{ logo }}"])
    tpl = docxtpl.DocxTemplate(io.BytesIO(template))  # never rendered
    out = ours(template, {"logo": docxtpl.InlineImage(tpl, str(picture), width=Mm(10))})
    assert _pictures(out)[0][2] == png()


def test_not_a_picture_is_refused_naming_the_value() -> None:
    with pytest.raises(TemplateError, match=r"value of 'logo' is not a picture Word can show"):
        render_docx(make_docx(["{{ logo }}"]), {"logo": Image(b"not an image")})


def _subdocument(tmp_path: Path) -> Path:
    def build(d: Any) -> None:
        d.add_paragraph("Sub paragraph")
        d.add_picture(io.BytesIO(png(8, 8)), width=Mm(8))
        t = d.add_table(rows=1, cols=2)
        t.cell(0, 0).text, t.cell(0, 1).text = "left", "right"

    path = tmp_path / "sub.docx"
    path.write_bytes(doc(build))
    return path


def test_subdocument_carries_text_tables_and_pictures(tmp_path: Path) -> None:
    pytest.importorskip("docxcompose")
    sub = _subdocument(tmp_path)
    template = make_docx(["Before {{ logo }}", "{{p sub }}", "After"])
    mine = ours(template, {"sub": Subdocument(sub), "logo": Image(png())})
    theirs_ = theirs(
        template,
        lambda tpl: {"sub": tpl.new_subdoc(str(sub)), "logo": docxtpl.InlineImage(tpl, io.BytesIO(png()))},
    )
    assert docx_text(mine) == docx_text(theirs_)
    assert sorted(p[2] for p in _pictures(mine)) == sorted(p[2] for p in _pictures(theirs_))
    ids = [e.get("id") for e in _root(mine).iter(f"{WP}docPr")]
    assert len(ids) == len(set(ids)) == 2


def test_docxtpl_subdoc_with_pictures_is_refused(tmp_path: Path) -> None:
    pytest.importorskip("docxcompose")
    sub = _subdocument(tmp_path)
    template = make_docx(["{{p sub }}"])
    tpl = docxtpl.DocxTemplate(io.BytesIO(template))
    with pytest.raises(TemplateError) as err:
        render_docx(template, {"sub": tpl.new_subdoc(str(sub))})
    assert "value of 'sub' is a Subdoc whose content uses relationship" in err.value.message
    assert "Subdocument(path)" in err.value.message


def test_build_url_id_is_refused_naming_url_id() -> None:
    template = make_docx(["{{r link }}"])
    tpl = docxtpl.DocxTemplate(io.BytesIO(template))
    link = docxtpl.RichText("x", url_id=tpl.build_url_id("https://example.com"))
    with pytest.raises(TemplateError, match=r"value of 'link' uses relationship 'rId\d+'.*url_id"):
        render_docx(template, {"link": link})


def _with_picture(d: Any) -> None:
    d.add_paragraph("Signature:")
    d.add_picture(io.BytesIO(png(4, 4, (0, 0, 0))), width=Mm(10))
    d.sections[0].header.paragraphs[0].text = "Head {{ name }}"


@pytest.mark.parametrize(
    ("key", "docxtpl_call"),
    [
        ("image.png", "replace_pic"),
        ("word/media/image1.png", "replace_zipname"),
    ],
    ids=["by picture name", "by entry name"],
)
def test_replacements_match_docxtpl(key: str, docxtpl_call: str, tmp_path: Path) -> None:
    template = doc(_with_picture)
    new = tmp_path / "new.png"
    new.write_bytes(png(4, 4, (0, 200, 0)))
    mine = ours(template, {"name": "N"}, replacements={key: new})
    theirs_ = theirs(template, lambda tpl: {"name": "N"}, replace={docxtpl_call: (key, str(new))})
    assert _pictures(mine) == _pictures(theirs_)
    assert _pictures(mine)[0][2] == new.read_bytes()


def test_replace_media_by_content_is_a_replacement_by_name(tmp_path: Path) -> None:
    template = doc(_with_picture)
    old, new = tmp_path / "old.png", tmp_path / "new.png"
    old.write_bytes(png(4, 4, (0, 0, 0)))
    new.write_bytes(png(4, 4, (0, 0, 255)))
    theirs_ = theirs(template, lambda tpl: {"name": "N"}, replace={"replace_media": (str(old), str(new))})
    mine = ours(template, {"name": "N"}, replacements={"word/media/image1.png": new.read_bytes()})
    assert _pictures(mine) == _pictures(theirs_)


def test_unknown_replacement_is_refused_with_a_suggestion() -> None:
    with pytest.raises(TemplateError, match=r"replacement 'image2.png' names no entry or picture.*did you mean 'image.png'"):
        render_docx(doc(_with_picture), {"name": "N"}, replacements={"image2.png": b"x"})


def test_xml_parts_cannot_be_replaced() -> None:
    with pytest.raises(TemplateError, match="only media and embedded files"):
        render_docx(doc(_with_picture), {"name": "N"}, replacements={"word/styles.xml": b"x"})


# -- deliberate differences -----------------------------------------------------------------


def test_difference_undefined_is_an_error_listing_every_missing_variable() -> None:
    template = make_docx(
        ["{{ a.b }} {{ c }}", "{% if z is defined %}{{ z }}{% endif %}", "{% for i in items %}{{ i.name }}{% endfor %}"]
    )
    context = {"a": {}, "items": [{"x": 1}]}
    assert "" in docx_text(theirs(template, lambda tpl: context, autoescape=False))
    with pytest.raises(TemplateError) as err:
        render_docx(template, context)
    assert err.value.message.endswith(
        "undefined variable 'a.b'; also undefined: 'c', 'items[].name'"
    )


def test_difference_none_is_refused() -> None:
    template = make_docx(["[{{ v }}]"])
    assert "[None]" in docx_text(theirs(template, lambda tpl: {"v": None}, autoescape=False))
    with pytest.raises(TemplateError, match=r"value of 'v' is empty \(None\)"):
        render_docx(template, {"v": None})


def test_difference_values_are_always_escaped() -> None:
    template = make_docx(["{{ v }}"])
    # docxtpl without autoescape writes the value as XML: the text is lost (or the XML broken).
    try:
        lost = "A & B" not in docx_text(theirs(template, lambda tpl: {"v": "<w:p>A & B"}, autoescape=False))
    except Exception:  # noqa: BLE001 - an unreadable document is the other way to lose it
        lost = True
    assert lost
    assert "<w:p>A & B" in docx_text(ours(template, {"v": "<w:p>A & B"}))


def test_difference_endnotes_are_rendered() -> None:
    template = add_notes(make_docx(["Body"]), "endnotes", ["End {{ name }}"])
    assert "End {{ name }}" in docx_text(theirs(template, lambda tpl: {"name": "N"}))
    assert "End N" in docx_text(ours(template, {"name": "N"}))


def test_difference_every_core_property_is_rendered() -> None:
    def build(d: Any) -> None:
        d.core_properties.keywords = "{{ k }}"
        d.add_paragraph("Body")

    template = doc(build)
    assert docx.Document(io.BytesIO(theirs(template, lambda tpl: {"k": "x"}))).core_properties.keywords == "{{ k }}"
    assert docx.Document(io.BytesIO(ours(template, {"k": "x"}))).core_properties.keywords == "x"


def test_inline_image_with_a_link_carries_the_link() -> None:
    template = make_docx(["{{ logo }}"])
    mine = ours(template, {"logo": Image(png(), width=Mm(10), link="https://example.com/x")})
    theirs_ = theirs(
        template,
        lambda tpl: {
            "logo": docxtpl.InlineImage(tpl, io.BytesIO(png()), width=Mm(10), anchor="https://example.com/x")
        },
    )
    assert _pictures(mine) == _pictures(theirs_)
    for out in (mine, theirs_):
        z = zipfile.ZipFile(io.BytesIO(out))
        assert b'Target="https://example.com/x" TargetMode="External"' in z.read("word/_rels/document.xml.rels")
        assert len(_root(out).findall(f".//{A}hlinkClick")) == 2


def test_docxtpl_subdoc_of_text_and_tables_matches() -> None:
    pytest.importorskip("docxcompose")
    template = make_docx(["Before", "{{p sub }}", "After"])

    def context(tpl: Any) -> dict[str, Any]:
        sub = tpl.new_subdoc()
        sub.add_paragraph("Built in code & kept")
        table = sub.add_table(rows=1, cols=2)
        table.cell(0, 0).text, table.cell(0, 1).text = "a", "b"
        return {"sub": sub}

    mine = ours(template, context(docxtpl.DocxTemplate(io.BytesIO(template))))
    assert_same(mine, theirs(template, context))
