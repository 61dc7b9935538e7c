"""Issue 15's defects and the corpus of PDF features, each on a form built in code."""

from __future__ import annotations

import io
import time
from typing import Any

import pytest

from sc_docs.engines.pdf import MissingGlyphError, open_form
from sc_docs.errors import FormError
from tests.engines import pdf_builders as build
from tests.engines.pdf import corpus


def _widgets(data: bytes) -> list[Any]:
    from pypdf import PdfReader

    return [ref.get_object() for page in PdfReader(io.BytesIO(data)).pages for ref in page.get("/Annots", [])]


def _appearance(widget: Any) -> bytes:
    return widget["/AP"]["/N"].get_object().get_data()


# 1. several on-states
def test_a_checkbox_with_several_on_states_takes_one_by_name() -> None:
    data, _ = corpus.multistate_checkbox()
    form = open_form(data)
    assert form.fields()[0].options == ["M", "F", "X"] and form.fields()[0].value is None
    out = form.fill({"sex": "F"})
    assert [str(w["/AS"]) for w in _widgets(out)] == ["/Off", "/F", "/Off"]
    assert build.pypdf_values(out)["sex"] == "/F"
    assert open_form(out).fields()[0].value == "F"
    with pytest.raises(FormError, match=r"sex: has several on-states \(M, F, X\): give one of them by name"):
        form.fill({"sex": True})
    with pytest.raises(FormError, match=r"sex: takes one of its states 'M', 'F', 'X' or false, not 'Q'"):
        form.fill({"sex": "Q"})
    assert [str(w["/AS"]) for w in _widgets(form.fill({"sex": False}))] == ["/Off"] * 3


# 2. orphan widgets
def test_orphan_widgets_are_listed_and_filled_and_unplaced_fields_warned() -> None:
    data, _ = corpus.orphan_widgets()
    form = open_form(data)
    infos = {i.name: i for i in form.fields()}
    assert infos["orphan"].orphan and infos["orphan"].page == 1
    assert not infos["listed"].orphan and infos["listed"].page is None
    report = form.fill_report({"orphan": "shown", "listed": "hidden"})
    assert report.warnings == ["listed: the field has no widget on any page, so its value is stored but not shown"]
    orphan = next(w for w in _widgets(report.data) if w.get("/T") == "orphan")
    assert b"(shown)" in _appearance(orphan)
    assert {i.name: i.value for i in open_form(report.data).fields()}["orphan"] == "shown"


# 4. no appearance stream
def test_a_checkbox_without_appearance_gets_a_drawn_check() -> None:
    data, values = corpus.checkbox_without_appearance()
    out = open_form(data).fill(values)
    widget = _widgets(out)[0]
    assert widget["/AS"] == "/Yes"
    on = widget["/AP"]["/N"]["/Yes"].get_object()
    assert b"/ZaDb" in on.get_data() and b"(4) Tj" in on.get_data()


# 5. glyphs
def test_cjk_uses_the_forms_own_font() -> None:
    data, values = corpus.cjk_form_font()
    out = open_form(data).fill(values)
    widget = _widgets(out)[0]
    font = next(iter(widget["/AP"]["/N"]["/Resources"]["/Font"].values())).get_object()
    assert font["/Encoding"] == "/UniJIS-UCS2-H"  # the form's font, not an embedded copy
    assert "山田 太郎".encode("utf-16-be").replace(b"\\", b"\\\\") in _appearance(widget)


def test_cjk_in_a_latin_form_falls_back_to_a_cjk_font() -> None:
    if not any("CJK" in p or p.endswith(".ttc") for p in __import__("sc_docs.engines.pdf._font", fromlist=["x"]).font_paths()):
        pytest.skip("no CJK font installed (tests/system-deps.sh installs fonts-noto-cjk)")
    out = open_form(build.reportlab_form()).fill({"name": "Wei 刘"})
    widget = next(w for w in _widgets(out) if w.get("/T") == "name")
    font = next(iter(widget["/AP"]["/N"]["/Resources"]["/Font"].values())).get_object()
    assert "CJK" in str(font["/BaseFont"])
    from pypdf import PdfReader

    flat = open_form(build.reportlab_form()).fill({"name": "Wei 刘"}, flatten=True)
    assert "刘" in PdfReader(io.BytesIO(flat)).pages[0].extract_text()


def test_a_value_no_one_font_covers_is_drawn_by_a_chain() -> None:
    from sc_docs.engines.pdf import _font

    if not any(p.endswith(".ttc") for p in _font.font_paths()):
        pytest.skip("no CJK font installed (tests/system-deps.sh installs fonts-noto-cjk)")
    data, values = corpus.mixed_scripts()
    out = open_form(data).fill(values)
    widget = _widgets(out)[0]
    fonts = {str(k): str(v.get_object()["/BaseFont"]) for k, v in widget["/AP"]["/N"]["/Resources"]["/Font"].items()}
    assert "DejaVu" in fonts["/Helv"] and "CJK" in fonts["/Helv_1"]
    assert b"/Helv_1 " in _appearance(widget)
    assert build.pypdf_values(out)["name"] == values["name"]


def test_a_character_no_font_covers_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    form = open_form(build.reportlab_form())
    with pytest.raises(FormError, match=r"name: no font covers '\U00016800' \(U\+16800\)"):
        form.fill({"name": "Bamum \U00016800"})
    assert build.pypdf_values(form.fill({"name": "Bamum \U00016800"}, allow_missing_glyphs=True))["name"]
    assert issubclass(MissingGlyphError, FormError)


# 6. italic
def test_oblique_fonts_stay_oblique() -> None:
    data, values = corpus.oblique()
    out = open_form(data).fill(values)
    bases = {}
    for w in _widgets(out):
        font = next(iter(w["/AP"]["/N"]["/Resources"]["/Font"].values())).get_object()
        bases[str(w["/T"])] = str(font["/BaseFont"])
    assert bases == {"slanted": "/Helvetica-Oblique", "bold_italic": "/Times-BoldItalic"}
    # beyond WinAnsi the embedded fallback keeps the slant too (DejaVu Sans Oblique)
    out = open_form(data).fill({"slanted": "Łódź"})
    widget = next(w for w in _widgets(out) if w["/T"] == "slanted")
    font = next(iter(widget["/AP"]["/N"]["/Resources"]["/Font"].values())).get_object()
    if "DejaVu" in str(font["/BaseFont"]):
        assert "Oblique" in str(font["/BaseFont"])


# 7. read-only
def test_read_only_fields_are_refused_unless_included() -> None:
    data, _ = corpus.readonly()
    form = open_form(data)
    with pytest.raises(FormError, match=r"barcode: is read-only .*--include-readonly"):
        form.fill({"barcode": "X", "name": "Acme"})
    out = form.fill({"barcode": "X"}, include_readonly=True)
    assert build.pypdf_values(out)["barcode"] == "X"


# 8. legibility
def test_text_is_never_below_the_floor_and_overflow_goes_to_an_addendum() -> None:
    from pypdf import PdfReader

    data, values = corpus.legibility()
    report = open_form(data).fill_report(values)
    assert [(a.item, a.field) for a in report.addendum] == [(1, "company")]
    reader = PdfReader(io.BytesIO(report.data))
    assert len(reader.pages) == 2
    assert "Association, Inc. (US)" in reader.pages[1].extract_text()
    widgets = {str(w["/T"]): _appearance(w) for w in _widgets(report.data)}
    assert b"(see Addendum, item 1)" in widgets["company"]
    for name, stream in widgets.items():
        sizes = [float(s) for s in __import__("re").findall(rb"/\w+ ([\d.]+) Tf", stream)]
        assert sizes and min(sizes) >= 6, (name, sizes)
    # the accent of a capital stays inside a 22.8 pt box: 18 pt shrinks to fit
    tall = float(__import__("re").search(rb"/Helv ([\d.]+) Tf", widgets["tall"]).group(1))
    assert tall * (0.94 + 0.23) <= 22.8 - 4 + 0.01
    assert open_form(data).fill_report(values, min_font_size=4).addendum == []


def test_a_long_word_in_a_multiline_field_fills_in_linear_time() -> None:
    form = open_form(corpus.legibility()[0])

    def seconds(n: int) -> float:
        start = time.perf_counter()
        report = form.fill_report({"street": "x" * n})
        assert report.addendum[0].characters == n
        return time.perf_counter() - start

    small, big = seconds(100_000), seconds(400_000)
    assert big < max(small, 0.05) * 8  # quadratic would be 16x; linear is about 4x


# 14: active content
def test_scripts_are_removed_unless_kept() -> None:
    data, values = corpus.scripts()
    report = open_form(data).fill_report(values)
    assert report.scripts_removed == 3
    assert b"app.alert" not in report.data[len(data):]
    from pypdf import PdfReader

    root = PdfReader(io.BytesIO(report.data)).trailer["/Root"]
    assert "/OpenAction" not in root and "/AA" not in root
    assert "/AA" not in _widgets(report.data)[0]
    kept = PdfReader(io.BytesIO(open_form(data).fill(values, keep_scripts=True))).trailer["/Root"]
    assert "/OpenAction" in kept
    flat = PdfReader(io.BytesIO(open_form(data).fill(values, flatten=True)))
    assert "/OpenAction" not in flat.trailer["/Root"] and b"app.alert" not in open_form(data).fill(values, flatten=True)


# the corpus of features: every value reads back, plain and flattened
@pytest.mark.parametrize("name", sorted(set(corpus.CORPUS) - {"scripts"}))
def test_corpus_form_reads_back(name: str) -> None:
    data, values = corpus.CORPUS[name]()
    form = open_form(data)
    report = form.fill_report(values)
    again = {i.name: i.value for i in open_form(report.data).fields()}
    assert {n: again[n] for n in values} == dict(values)
    flat = form.fill(values, flatten=True)
    assert open_form(flat).fields() == []


def test_inherited_da_uses_the_acroform_font_and_colour() -> None:
    data, values = corpus.inherited_da_dr()
    stream = _appearance(_widgets(open_form(data).fill(values))[0])
    assert b"/TiRo 11 Tf" in stream and b"0 0 1 rg" in stream


def test_opt_pairs_store_the_export_value_and_show_the_text() -> None:
    data, values = corpus.opt_pairs()
    out = open_form(data).fill(values)
    assert build.pypdf_values(out)["state"] == "NV"
    assert b"(Nevada)" in _appearance(_widgets(out)[0])


def test_comb_cells_follow_quadding() -> None:
    data, values = corpus.comb_quadding()
    firsts = {}
    for w in _widgets(open_form(data).fill(values)):
        match = __import__("re").search(rb"1 0 0 1 ([\d.]+) [\d.]+ Tm \(A\)", _appearance(w))
        firsts[str(w["/T"])] = float(match.group(1))
    cell = 200 / 8
    assert firsts["comb_left"] < cell < firsts["comb_centre"] < 3 * cell < 4 * cell < firsts["comb_right"]


def test_the_addendum_of_a_tiny_page_is_printed_on_letter_paper() -> None:
    """A one-inch page would give one word a page (122 pages for 135 characters): a last page
    with a side under 5 inches gets a US Letter addendum instead, readable and short."""
    from pypdf import PdfReader

    from tests.engines.pdf_builders import ACROBAT

    value = "The quick brown fox jumps over the lazy dog. " * 3
    report = open_form(ACROBAT.read_bytes()).fill_report({"Text1": value})
    assert [a.field for a in report.addendum] == ["Text1"]
    pages = PdfReader(io.BytesIO(report.data)).pages
    assert len(pages) == 2 and [float(v) for v in pages[1].mediabox] == [0, 0, 612, 792]
    assert " ".join(pages[1].extract_text().split()).endswith(value.strip())
