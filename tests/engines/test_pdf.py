"""The generic AcroForm engine: inventory, fill rules, appearances, forms from other producers."""

from __future__ import annotations

import functools
import io
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sc_docs.engines.pdf import _font as _pdffont
from sc_docs.engines.pdf import FieldInfo, UnreadableFormError, open_form
from sc_docs.errors import FormError
from tests.engines import pdf_builders as build

needs_pdftoppm = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")


@functools.cache
def rl_form() -> bytes:
    return build.reportlab_form()


@functools.cache
def hier_form() -> bytes:
    return build.hierarchical_form()


@pytest.fixture(scope="session")
def lo_form(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        pytest.skip("LibreOffice (soffice) not installed")
    data = build.libreoffice_form(tmp_path_factory.mktemp("lo"))
    if not data or not open_form(data).fields():
        pytest.skip("this LibreOffice did not export form fields (forms component missing?)")
    return data


FORMS = {
    "reportlab": lambda: rl_form(),
    "hierarchical": lambda: hier_form(),
    "acrobat-xref-stream": lambda: build.ACROBAT.read_bytes(),
    "designer-xfa-owner-encrypted": lambda: build.DD0293.read_bytes(),
    "reportlab-xfa": lambda: build.with_xfa(rl_form()),
    "acrobat-owner-rc4": lambda: build.encrypted(build.ACROBAT.read_bytes(), algorithm="RC4-128"),
    "reportlab-owner-aes256": lambda: build.encrypted(rl_form(), algorithm="AES-256"),
    "many-pages": lambda: build.reportlab_form(pages=40),
}


# --------------------------------------------------------------------------- inventory


def test_inventory_lists_every_kind_with_its_details() -> None:
    infos = {i.name: i for i in open_form(rl_form()).fields()}
    assert [i.type for i in infos.values()] == [
        "text", "text", "text", "checkbox", "radio", "choice", "choice", "text",
    ]
    assert infos["scid"].max_length == 4
    assert infos["notes"].multiline and not infos["name"].multiline
    assert infos["agree"] == FieldInfo(name="agree", type="checkbox", value=False, options=["Yes"], page=1)
    assert infos["kind"].options == ["llc", "corp", "coop"]
    assert infos["state"].options == ["CA", "NV", "OR"] and infos["state"].value == "CA"
    assert infos["page2"].page == 2


def test_hierarchical_and_duplicate_names_are_fully_qualified_once() -> None:
    infos = open_form(hier_form()).fields()
    assert [i.name for i in infos] == ["contacts.primary.name", "contacts.primary.email", "contacts.alternate.name", "dup"]
    assert infos[2].max_length == 20


def test_many_pages_report_their_page() -> None:
    infos = {i.name: i.page for i in open_form(build.reportlab_form(pages=40)).fields()}
    assert infos["page40"] == 40 and infos["page17"] == 17


def test_third_party_inventories() -> None:
    acrobat = {i.name: i for i in open_form(build.ACROBAT).fields()}
    assert acrobat["Group4"].type == "radio" and acrobat["Group4"].options == ["Choice1", "Choice2"]
    assert acrobat["Button2"].type == "button"
    dd = open_form(build.DD0293).fields()
    kinds = {t: sum(1 for i in dd if i.type == t) for t in ("text", "checkbox", "choice", "signature")}
    assert kinds == {"text": 42, "checkbox": 47, "choice": 12, "signature": 1}


def test_forms_are_parsed_once_per_process() -> None:
    data = rl_form()
    assert open_form(data)._parsed is open_form(bytes(data))._parsed


# --------------------------------------------------------------------------- fill and read back


@pytest.mark.parametrize("kind", list(FORMS), ids=list(FORMS))
def test_every_field_reads_back(kind: str) -> None:
    form = open_form(FORMS[kind]())
    values = build.sample_values(form)
    assert values
    out = form.fill(values)
    build.assert_reads_back(out, form, values)
    if kind != "designer-xfa-owner-encrypted":  # that original already fails pypdf's strict mode
        from pypdf import PdfReader

        strict = PdfReader(io.BytesIO(out), strict=True)
        assert len(strict.get_fields() or {}) >= len(values)


def test_libreoffice_form_reads_back(lo_form: bytes) -> None:
    form = open_form(lo_form)
    infos = {i.name: i for i in form.fields()}
    assert {"applicant", "certify", "entity", "state", "city", "colour"} <= set(infos)
    assert infos["entity"].type == "radio" and infos["state"].type == "choice"
    values = build.sample_values(form)
    out = form.fill(values)
    build.assert_reads_back(out, form, values)
    # LibreOffice sets /NeedAppearances; once we drew every value it would only make viewers redraw
    from pypdf import PdfReader

    assert "/NeedAppearances" not in PdfReader(io.BytesIO(out)).trailer["/Root"]["/AcroForm"]
    # its combo box is editable: any text goes, not only the listed items
    assert not infos["applicant"].readonly
    edited = form.fill({"city": "Oakland"})
    assert build.pypdf_values(edited)["city"] == "Oakland"


def test_need_appearances_is_only_an_extra() -> None:
    from pypdf import PdfReader

    out = open_form(rl_form()).fill({"name": "x"}, need_appearances=True)
    assert bool(PdfReader(io.BytesIO(out)).trailer["/Root"]["/AcroForm"]["/NeedAppearances"])
    assert "/AP" in _widget(out, "name")  # the appearance is there all the same
    plain = open_form(rl_form()).fill({"name": "x"})
    assert "/NeedAppearances" not in PdfReader(io.BytesIO(plain)).trailer["/Root"]["/AcroForm"]


def test_fill_appends_an_incremental_update() -> None:
    original = build.ACROBAT.read_bytes()
    out = open_form(original).fill({"Text1": "hello"})
    assert out.startswith(original) and len(out) - len(original) < 4000
    from pypdf import PdfReader

    assert PdfReader(io.BytesIO(out), strict=True).get_fields()["Text1"]["/V"] == "hello"


def test_owner_encrypted_output_stays_encrypted() -> None:
    from pypdf import PdfReader

    out = open_form(build.DD0293).fill({"form1[0].page1[0].TextField1[0]": "Núñez"})
    reader = PdfReader(io.BytesIO(out))
    assert reader.is_encrypted
    assert reader.get_fields()["form1[0].page1[0].TextField1[0]"]["/V"] == "Núñez"


def test_xfa_is_dropped_so_the_acroform_values_show() -> None:
    from pypdf import PdfReader

    for data in (build.with_xfa(rl_form()), build.DD0293.read_bytes()):
        out = open_form(data).fill({open_form(data).fields()[0].name: "x"})
        assert "/XFA" not in PdfReader(io.BytesIO(out)).trailer["/Root"]["/AcroForm"]


def test_a_stale_usage_rights_signature_is_dropped() -> None:
    from pypdf import PdfReader

    assert "/UR3" in PdfReader(build.DD0293).trailer["/Root"]["/Perms"]
    out = open_form(build.DD0293).fill({"form1[0].page1[0].TextField1[0]": "x"})
    assert "/Perms" not in PdfReader(io.BytesIO(out)).trailer["/Root"]


def test_a_pdf_without_a_form_has_no_fields() -> None:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.drawString(72, 720, "no form here")
    c.showPage()
    c.save()
    form = open_form(buf.getvalue())
    assert form.fields() == []
    with pytest.raises(FormError, match="this PDF has no fillable fields"):
        form.fill({"x": "y"})


@pytest.mark.parametrize("state", ["1", "On", "Ja"])
def test_checkbox_uses_the_on_state_the_pdf_declares(state: str) -> None:
    form = open_form(build.with_checkbox_state(rl_form(), "agree", state))
    assert form.fields()[3].options == [state]
    out = form.fill({"agree": True})
    widget = _widget(out, "agree")
    assert widget["/V"] == f"/{state}" and widget["/AS"] == f"/{state}"
    off = _widget(open_form(out).fill({"agree": False}), "agree")
    assert off["/V"] == "/Off" and off["/AS"] == "/Off"


def test_radio_sets_the_group_value_and_every_kid() -> None:
    out = open_form(rl_form()).fill({"kind": "corp"})
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(out))
    kids = [a.get_object() for a in reader.pages[0]["/Annots"] if a.get_object().get("/Parent")]
    assert kids[0]["/Parent"]["/V"] == "/corp"
    assert [k["/AS"] for k in kids] == ["/Off", "/corp", "/Off"]


def test_the_same_field_on_two_widgets_gets_two_appearances() -> None:
    out = open_form(hier_form()).fill({"contacts.alternate.name": "Ann", "dup": "same"})
    from pypdf import PdfReader

    annots = [a.get_object() for a in PdfReader(io.BytesIO(out)).pages[0]["/Annots"]]
    shown = [a["/AP"]["/N"].get_data() for a in annots if "/AP" in a]
    assert sum(b"(Ann)" in s for s in shown) == 2 and sum(b"(same)" in s for s in shown) == 2
    assert build.pypdf_values(out)["dup"] == "same"


def test_text_appearance_uses_a_standard_font_when_it_can() -> None:
    ap = _widget(open_form(rl_form()).fill({"name": "Café"}), "name")["/AP"]["/N"]
    font = next(iter(ap["/Resources"]["/Font"].values())).get_object()
    assert font["/BaseFont"] == "/Helvetica" and font["/Encoding"] == "/WinAnsiEncoding"
    assert b"(Caf\xe9)" in ap.get_data()


def test_text_beyond_winansi_embeds_a_truetype_subset() -> None:
    ap = _widget(open_form(rl_form()).fill({"name": "Łódź Dvořák Ωμέγα"}), "name")["/AP"]["/N"]
    font = next(iter(ap["/Resources"]["/Font"].values())).get_object()
    assert font["/Subtype"] == "/Type0" and font["/Encoding"] == "/Identity-H"
    descendant = font["/DescendantFonts"][0].get_object()
    assert "/FontFile2" in descendant["/FontDescriptor"]
    assert "/ToUnicode" in font


def test_font_choice_survives_a_missing_system_font(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_pdffont, "_DEJAVU", ("/nonexistent",))
    monkeypatch.setattr(_pdffont, "_OTHER_LATIN", ())
    monkeypatch.delenv("SC_DOCS_PDF_FONT", raising=False)
    _pdffont.embedded_font.cache_clear()
    monkeypatch.setattr(_pdffont, "_CJK", ())
    try:
        with pytest.raises(_pdffont.MissingGlyphError, match=r"'ź' \(U\+017A\)"):
            _pdffont.pick_font("/Helv", ["Łódź"])
        font = _pdffont.pick_font("/Helv", ["Łódź"], allow_missing=True)
        assert isinstance(font, _pdffont.EmbeddedFont) and font.path.endswith("Vera.ttf")
        with pytest.raises(FormError, match=r"^<form>: name: no font covers 'ź'"):
            open_form(rl_form()).fill({"name": "Łódź"})
        out = open_form(rl_form()).fill({"name": "Łódź"}, allow_missing_glyphs=True)
        assert build.pypdf_values(out)["name"] == "Łódź"
    finally:
        _pdffont.embedded_font.cache_clear()


def test_multiline_text_wraps() -> None:
    text = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
    ap = _widget(open_form(rl_form()).fill({"notes": text + "\nlast"}), "notes")["/AP"]["/N"]
    assert ap.get_data().count(b" Tj") >= 3


def test_comb_field_fills() -> None:
    out = open_form(rl_form()).fill({"scid": "ACME"})
    assert build.pypdf_values(out)["scid"] == "ACME"


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_rotated_widgets_get_a_turned_appearance(degrees: int) -> None:
    from pypdf import PdfReader

    form = open_form(build.with_rotation(rl_form(), "name", degrees))
    ap = _widget(form.fill({"name": "Turned"}), "name")["/AP"]["/N"]
    assert "/Matrix" in ap
    width, height = (float(v) for v in ap["/BBox"][2:])
    assert (width > height) == (degrees in (90, 270))  # laid out along the long side
    flat = PdfReader(io.BytesIO(form.fill({"name": "Turned"}, flatten=True)))
    if degrees == 180:  # a 20-point-wide box upright: too narrow at 6 pt, so on the addendum
        assert "see Addendum, item 1" in flat.pages[0].extract_text()
        assert "Turned" in flat.pages[-1].extract_text()
    else:
        assert "Turned" in flat.pages[0].extract_text()


def test_nothing_to_fill_returns_the_form_unchanged() -> None:
    assert open_form(rl_form()).fill({}) == rl_form()


# --------------------------------------------------------------------------- refusals


def test_unknown_field_suggests_the_near_miss() -> None:
    with pytest.raises(FormError, match=r"unknown field 'nmae' \(did you mean 'name'\?\); fields are: name, scid"):
        open_form(rl_form()).fill({"nmae": "x"})


def test_text_longer_than_maxlen_is_refused_not_truncated() -> None:
    with pytest.raises(FormError, match=r"scid: takes at most 4 characters, got 5"):
        open_form(rl_form()).fill({"scid": "ACMEX"})


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"agree": "yes"}, "agree: a checkbox takes true or false"),
        ({"name": True}, "name: a text field takes text"),
        ({"kind": "trust"}, "kind: 'trust' is not offered; options are: 'llc', 'corp', 'coop'"),
        ({"state": "TX"}, "state: 'TX' is not offered; options are: 'CA', 'NV', 'OR'"),
        ({"Button2": "x"}, "is a button field and cannot be filled"),
    ],
    ids=["checkbox-string", "text-bool", "radio-not-offered", "choice-not-offered", "button"],
)
def test_wrong_values_are_refused(values: dict, message: str) -> None:
    data = build.ACROBAT.read_bytes() if "Button2" in values else rl_form()
    with pytest.raises(FormError, match=re.escape(message)):
        open_form(data).fill(values)


def test_long_values_fill_and_errors_stay_one_line() -> None:
    long = "Ł" * 5000 + " " + "x" * 5000
    out = open_form(hier_form()).fill({"dup": long})
    assert build.pypdf_values(out)["dup"] == long
    with pytest.raises(FormError) as info:
        open_form(rl_form()).fill({"scid": "A" * 10000})
    assert len(info.value.message) < 200


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(FormError) as info:
        open_form(rl_form()).fill({"nmae": "x", "scid": "TOOLONG", "agree": "no"})
    assert len(info.value.message.splitlines()) == 3  # one problem per line
    assert "nmae" in info.value.message and "scid" in info.value.message and "agree" in info.value.message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"hello, not a pdf", "not a PDF file"),
        (b"", "not a PDF file"),
        (None, "truncated"),
        (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\ngarbage\n%%EOF\n", "cannot read the PDF|no document catalog"),
    ],
    ids=["text", "empty", "truncated", "garbage"],
)
def test_unreadable_files_raise_form_errors(data: bytes | None, message: str) -> None:
    if data is None:
        data = rl_form()[:1500]
    with pytest.raises(UnreadableFormError, match=message):
        open_form(data)


def test_damaged_files_raise_form_errors_only() -> None:
    """Flip, cut and insert bytes at random: every outcome is a fill or a FormError, never a crash."""
    import random

    rng = random.Random(20261125)
    for i in range(150):
        data = bytearray(rl_form() if i % 2 else build.ACROBAT.read_bytes())
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(len(data))
            roll = rng.random()
            if roll < 0.5:
                data[at] = rng.randrange(256)
            elif roll < 0.8:
                del data[at : at + rng.randint(1, 50)]
            else:
                data[at:at] = rng.randbytes(rng.randint(1, 20))
        try:
            form = open_form(bytes(data))
            values = build.sample_values(form)
            form.fill(values)
            form.fill(values, flatten=True)
        except FormError:
            pass


def test_user_password_is_a_clear_error() -> None:
    locked = build.encrypted(rl_form(), user="open-sesame")
    with pytest.raises(UnreadableFormError, match="needs a password"):
        open_form(locked)


def test_forms_beyond_the_size_limit_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sc_docs.engines import pdf

    monkeypatch.setattr(pdf, "MAX_FORM_BYTES", 1000)
    big = tmp_path / "big.pdf"
    big.write_bytes(rl_form())
    with pytest.raises(UnreadableFormError, match="is larger than 1,000 bytes"):
        open_form(big)


def test_missing_file_is_a_form_error(tmp_path: Path) -> None:
    with pytest.raises(FormError, match="cannot read the form"):
        open_form(tmp_path / "missing.pdf")


# --------------------------------------------------------------------------- output properties


def test_output_is_deterministic_and_independent_of_value_order() -> None:
    form = open_form(build.DD0293)
    values = build.sample_values(form)
    first = form.fill(values)
    assert form.fill(dict(reversed(list(values.items())))) == first
    open_form.__globals__["_cache"].clear()
    assert open_form(build.DD0293).fill(values) == first


def test_output_is_identical_across_processes() -> None:
    """Hash seeds, font subsetting and caches must not leak into the bytes."""
    import os
    import subprocess
    import sys

    script = (
        "import hashlib, sys\n"
        "from sc_docs.engines.pdf import open_form\n"
        "from tests.engines import pdf_builders as build\n"
        "f = open_form(build.reportlab_form())\n"
        "v = build.sample_values(f, text='Łódź Ωμέγα Zoë')\n"
        "sys.stdout.write(hashlib.sha256(f.fill(v) + f.fill(v, flatten=True)).hexdigest())\n"
    )
    root = Path(__file__).resolve().parents[2]
    digests = {
        subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)}).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1


def test_flatten_draws_the_values_and_removes_the_form() -> None:
    from pypdf import PdfReader

    form = open_form(rl_form())
    values = build.sample_values(form)
    form.fill(values)  # a plain fill first: flattening must not trip over what it cached
    out = form.fill(values, flatten=True)
    reader = PdfReader(io.BytesIO(out))
    assert "/AcroForm" not in reader.trailer["/Root"]
    assert reader.get_fields() is None
    for page in reader.pages:
        assert all(a.get_object().get("/Subtype") != "/Widget" for a in page.get("/Annots", []))
    text = reader.pages[0].extract_text()
    assert "Zoë Ångström-Łukasz" in text and "OR" in text
    assert b"/Widget" not in out  # a true rewrite keeps no trace of the old widgets


def test_flatten_third_party_encrypted_xfa_form() -> None:
    from pypdf import PdfReader

    form = open_form(build.DD0293)
    out = form.fill(build.sample_values(form, text="Flat Text"), flatten=True)
    reader = PdfReader(io.BytesIO(out))
    assert "/AcroForm" not in reader.trailer["/Root"]
    assert "Flat Text" in reader.pages[0].extract_text()


@needs_pdftoppm
@pytest.mark.parametrize("kind", ["reportlab", "designer-xfa-owner-encrypted", "hierarchical"])
def test_filled_and_flattened_pages_render(kind: str, tmp_path: Path) -> None:
    form = open_form(FORMS[kind]())
    values = build.sample_values(form)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert build.render(form.fill(values), tmp_path / "a")
    assert build.render(form.fill(values, flatten=True), tmp_path / "b")


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=30))
def test_any_text_reads_back_exactly(text: str) -> None:
    form = open_form(rl_form())
    out = form.fill({"name": text, "notes": text}, allow_missing_glyphs=True)
    got = build.pypdf_values(out)
    assert got["name"] == text and got["notes"] == text
    assert {i.name: i.value for i in open_form(out).fields()}["name"] == text


def _widget(data: bytes, name: str) -> dict:
    from pypdf import PdfReader

    for page in PdfReader(io.BytesIO(data)).pages:
        for ref in page.get("/Annots", []):
            w = ref.get_object()
            if w.get("/T") == name:
                return w
    raise AssertionError(name)
