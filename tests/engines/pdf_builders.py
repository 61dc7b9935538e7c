"""PDF forms built in code for the engine and command tests, plus read-back helpers."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "forms"
ACROBAT = FIXTURES / "acrobat_radio.pdf"
DD0293 = FIXTURES / "dd0293_xfa_encrypted.pdf"


def reportlab_form(pages: int = 2) -> bytes:
    """Return a form with a field of every kind reportlab makes, over `pages` pages."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    form = c.acroForm
    c.drawString(50, 780, "Test form")
    form.textfield(name="name", x=50, y=700, width=220, height=20, maxlen=30)
    form.textfield(name="scid", x=300, y=700, width=60, height=20, maxlen=4)
    form.textfield(name="notes", x=50, y=600, width=220, height=60, fieldFlags="multiline")
    form.checkbox(name="agree", x=50, y=550, size=15)
    form.radio(name="kind", value="llc", x=50, y=500, selected=False)
    form.radio(name="kind", value="corp", x=80, y=500, selected=False)
    form.radio(name="kind", value="coop", x=110, y=500, selected=False)
    form.choice(name="state", x=50, y=450, width=60, height=20, options=["CA", "NV", "OR"], value="CA")
    form.listbox(name="colour", x=150, y=400, width=80, height=50, options=["red", "green", "blue"], value="red")
    c.showPage()
    for page in range(2, pages + 1):
        c.drawString(50, 780, f"Page {page}")
        form.textfield(name=f"page{page}", x=50, y=700, width=200, height=20)
        c.showPage()
    c.save()
    return buf.getvalue()


def hierarchical_form() -> bytes:
    """Return a form with parent/kid names, a kid with two widgets, and a duplicated name."""
    from pypdf import PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    page_ref = page.indirect_reference
    helv = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
        NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
    }))
    annots = ArrayObject()

    def widget(rect: tuple[int, int, int, int], parent: Any = None, **extra: Any) -> Any:
        d = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/Rect"): ArrayObject(FloatObject(v) for v in rect),
            NameObject("/F"): NumberObject(4),
            NameObject("/P"): page_ref,
        })
        if parent is not None:
            d[NameObject("/Parent")] = parent
        for key, value in extra.items():
            d[NameObject("/" + key)] = value
        ref = writer._add_object(d)
        annots.append(ref)
        return ref

    def node(name: str, parent: Any = None, **extra: Any) -> Any:
        d = DictionaryObject({NameObject("/T"): TextStringObject(name)})
        if parent is not None:
            d[NameObject("/Parent")] = parent
        for key, value in extra.items():
            d[NameObject("/" + key)] = value
        return writer._add_object(d)

    tx = NameObject("/Tx")
    contacts = node("contacts")
    primary = node("primary", contacts)
    alternate = node("alternate", contacts)
    p_name = widget((50, 700, 300, 720), primary, T=TextStringObject("name"), FT=tx)
    p_email = widget((50, 670, 300, 690), primary, T=TextStringObject("email"), FT=tx)
    a_name = node("name", alternate, FT=tx, MaxLen=NumberObject(20))
    a_w1 = widget((50, 600, 300, 620), a_name)
    a_w2 = widget((50, 570, 300, 590), a_name)  # the same field shown twice
    a_name.get_object()[NameObject("/Kids")] = ArrayObject([a_w1, a_w2])
    primary.get_object()[NameObject("/Kids")] = ArrayObject([p_name, p_email])
    alternate.get_object()[NameObject("/Kids")] = ArrayObject([a_name])
    contacts.get_object()[NameObject("/Kids")] = ArrayObject([primary, alternate])
    dup1 = widget((50, 500, 300, 520), None, T=TextStringObject("dup"), FT=tx)
    dup2 = widget((50, 470, 300, 490), None, T=TextStringObject("dup"), FT=tx)
    page[NameObject("/Annots")] = annots
    acroform = DictionaryObject({
        NameObject("/Fields"): ArrayObject([contacts, dup1, dup2]),
        NameObject("/DA"): TextStringObject("/Helv 10 Tf 0 g"),
        NameObject("/DR"): DictionaryObject({
            NameObject("/Font"): DictionaryObject({NameObject("/Helv"): helv}),
        }),
    })
    writer._root_object[NameObject("/AcroForm")] = writer._add_object(acroform)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def with_checkbox_state(data: bytes, field: str, state: str) -> bytes:
    """Return `data` with the on-state of checkbox `field` renamed to `state` (e.g. `1`, `On`)."""
    return _rewrite(data, lambda w: _rename_state(w, field, state))


def with_rotation(data: bytes, field: str, degrees: int) -> bytes:
    """Return `data` with widget `field` turned by `degrees` (/MK /R) in a tall rectangle."""
    from pypdf.generic import ArrayObject, FloatObject, NameObject, NumberObject

    def edit(writer: Any) -> None:
        for ref in writer.pages[0]["/Annots"]:
            w = ref.get_object()
            if w.get("/T") == field:
                w["/MK"][NameObject("/R")] = NumberObject(degrees)
                w[NameObject("/Rect")] = ArrayObject(FloatObject(v) for v in (400, 400, 420, 600))

    return _rewrite(data, edit)


def with_xfa(data: bytes) -> bytes:
    """Return `data` with an /XFA packet added to its AcroForm: a hybrid form."""
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        NameObject,
        TextStringObject,
    )

    def edit(writer: Any) -> None:
        xfa = DecodedStreamObject()
        xfa.set_data(b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><template/></xdp:xdp>')
        ref = writer._add_object(xfa)
        acroform = writer._root_object["/AcroForm"].get_object()
        acroform[NameObject("/XFA")] = ArrayObject([TextStringObject("template"), ref])

    return _rewrite(data, edit)


def encrypted(data: bytes, *, user: str = "", owner: str = "owner-secret", algorithm: str = "AES-128") -> bytes:
    """Return `data` encrypted by pypdf (an owner password only when `user` is empty)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user, owner_password=owner, algorithm=algorithm)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _rewrite(data: bytes, edit: Any) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    edit(writer)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _rename_state(writer: Any, field: str, state: str) -> None:
    from pypdf.generic import NameObject

    for page in writer.pages:
        for ref in page.get("/Annots", []):
            w = ref.get_object()
            if w.get("/T") != field:
                continue
            for key in ("/N", "/D"):
                states = w["/AP"].get(key)
                if states is None:
                    continue
                states = states.get_object()
                on = next(k for k in states if k != "/Off")
                states[NameObject("/" + state)] = states.pop(on)


def libreoffice_form(folder: Path) -> bytes | None:
    """Return a form LibreOffice exported from a flat ODT, or None when soffice cannot make one."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    src = folder / "form.fodt"
    src.write_text(_FODT, encoding="utf-8")
    export = 'pdf:writer_pdf_Export:{"ExportFormFields":{"type":"boolean","value":"true"}}'
    try:
        subprocess.run(
            [soffice, "--headless", "--norestore", f"-env:UserInstallation={(folder / 'profile').as_uri()}",
             "--convert-to", export, "--outdir", str(folder), str(src)],
            check=True, capture_output=True, timeout=180,
        )
    except (subprocess.SubprocessError, OSError):
        return None
    out = folder / "form.pdf"
    return out.read_bytes() if out.exists() else None


def _control(tag: str, name: str, impl: str, number: int, extra: str = "", body: str = "") -> str:
    attrs = (f'form:name="{name}" form:control-implementation="ooo:com.sun.star.form.component.{impl}" '
             f'xml:id="control{number}" form:id="control{number}" {extra}')
    return f"<form:{tag} {attrs}>{body}</form:{tag}>"


_CONTROLS = [
    ("text", "applicant", "TextField", 'form:max-length="40"', "", "8cm", "0.8cm"),
    ("checkbox", "certify", "CheckBox", 'form:image-position="center"', "", "0.6cm", "0.6cm"),
    ("radio", "entity", "RadioButton", 'form:value="llc" form:label="LLC" form:image-position="center"', "", "3cm", "0.6cm"),
    ("radio", "entity", "RadioButton", 'form:value="corp" form:label="Corporation" form:image-position="center"', "", "3cm", "0.6cm"),
    ("listbox", "state", "ListBox", 'form:dropdown="true" form:size="1" form:bound-column="1"',
     '<form:option form:label="CA"/><form:option form:label="NV"/><form:option form:label="OR"/>', "3cm", "0.8cm"),
    ("combobox", "city", "ComboBox", 'form:dropdown="true"',
     '<form:item form:label="Folsom"/><form:item form:label="Sacramento"/>', "4cm", "0.8cm"),
    ("listbox", "colour", "ListBox", 'form:dropdown="false" form:size="3" form:bound-column="1"',
     '<form:option form:label="red"/><form:option form:label="green"/><form:option form:label="blue"/>', "4cm", "2cm"),
]

_FODT = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:form="urn:oasis:names:tc:opendocument:xmlns:form:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:ooo="http://openoffice.org/2004/office" '
    'office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.text">\n'
    '<office:automatic-styles><style:style style:name="gr1" style:family="graphic">'
    '<style:graphic-properties style:vertical-pos="middle" style:vertical-rel="line"/>'
    "</style:style></office:automatic-styles>\n"
    "<office:body><office:text>\n"
    '<office:forms form:automatic-focus="false" form:apply-design-mode="false">'
    '<form:form form:name="Standard" form:apply-filter="true" form:command-type="table" '
    'form:control-implementation="ooo:com.sun.star.form.component.Form" office:target-frame="" '
    'xlink:href="" xlink:type="simple">'
    + "".join(_control(t, n, i, k, e, b) for k, (t, n, i, e, b, _, _) in enumerate(_CONTROLS, 1))
    + "</form:form></office:forms>\n"
    + "".join(
        f'<text:p>{n}: <draw:control text:anchor-type="as-char" draw:z-index="{k}" draw:style-name="gr1" '
        f'svg:width="{w}" svg:height="{h}" draw:control="control{k}"/></text:p>\n'
        for k, (_, n, _, _, _, w, h) in enumerate(_CONTROLS, 1)
    )
    + "</office:text></office:body></office:document>\n"
)


# --------------------------------------------------------------------------- read-back


def sample_values(form: Any, text: str = "Zoë Ångström-Łukasz") -> dict[str, str | bool]:
    """Return a value for every fillable field of `form`: text, True, the last option."""
    values: dict[str, str | bool] = {}
    for info in form.fields():
        if info.type == "text":
            values[info.name] = text[: info.max_length] if info.max_length else text
        elif info.type == "checkbox":
            values[info.name] = True
        elif info.type in ("radio", "choice") and info.options:
            values[info.name] = info.options[-1]
    return values


def pypdf_values(data: bytes) -> dict[str, Any]:
    """Return {name: /V} as pypdf's `get_fields` reads it from `data`."""
    from pypdf import PdfReader

    fields = PdfReader(io.BytesIO(data)).get_fields() or {}
    return {name: f.get("/V") for name, f in fields.items()}


def assert_reads_back(data: bytes, form: Any, values: Mapping[str, str | bool]) -> None:
    """Check with pypdf, and with the engine itself, that every value in `data` is as set."""
    from sc_docs.engines.pdf import open_form

    kinds = {i.name: i for i in form.fields()}
    got = pypdf_values(data)
    for name, value in values.items():
        info = kinds[name]
        if info.type == "checkbox":
            expected: Any = "/" + info.options[0] if value else "/Off"
        elif info.type == "radio":
            expected = "/" + str(value)
        else:
            expected = value
        assert got[name] == expected, (name, got[name], expected)
    from pypdf import PdfReader

    texts = PdfReader(io.BytesIO(data)).get_form_text_fields(full_qualified_name=True)
    for name, value in values.items():
        if kinds[name].type == "text":
            assert texts[name] == value, (name, texts[name], value)
    again = {i.name: i.value for i in open_form(data).fields()}
    assert {n: again[n] for n in values} == dict(values)


def render(data: bytes, folder: Path) -> list[Path]:
    """Render `data` with pdftoppm; return the page images (the caller skips if it is missing)."""
    pdf = folder / "render.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(folder / "page")], check=True,
                   capture_output=True, timeout=120)
    return sorted(folder.glob("page*.png"))
