"""Forms built in code for the PDF engine: each defect of issue 15 and the features real forms use.

`FormBuilder` writes the PDF objects directly with pypdf's object model, so a form can have what
reportlab never writes: orphan widgets, several on-states, no appearances, inherited /DA, ...
`CORPUS` maps a name to a function returning (PDF bytes, values to fill).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

Values = dict[str, "str | bool"]


class FormBuilder:
    """A blank document of `pages` pages with an AcroForm; add fields, then `bytes()`."""

    def __init__(self, pages: int = 1, *, da: str = "/Helv 0 Tf 0 g", rotate: int = 0, acroform: bool = True) -> None:
        from pypdf import PdfWriter
        from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

        self.w = PdfWriter()
        self.pages = []
        for _ in range(pages):
            page = self.w.add_blank_page(612, 792)
            if rotate:
                page[NameObject("/Rotate")] = NumberObject(rotate)
            page[NameObject("/Annots")] = ArrayObject()
            self.pages.append(page)
        self.fonts = DictionaryObject({
            NameObject("/Helv"): self.std_font("Helvetica"),
            NameObject("/ZaDb"): self.std_font("ZapfDingbats"),
        })
        self.fields = ArrayObject()
        self.acroform = DictionaryObject({
            NameObject("/Fields"): self.fields,
            NameObject("/DA"): TextStringObject(da),
            NameObject("/DR"): DictionaryObject({NameObject("/Font"): self.fonts}),
        })
        if acroform:
            self.w._root_object[NameObject("/AcroForm")] = self.w._add_object(self.acroform)

    def obj(self, d: dict[str, Any]) -> Any:
        from pypdf.generic import DictionaryObject, NameObject

        return self.w._add_object(DictionaryObject({NameObject("/" + k): v for k, v in d.items()}))

    def std_font(self, base: str) -> Any:
        from pypdf.generic import NameObject as N

        extra = {} if base == "ZapfDingbats" else {"Encoding": N("/WinAnsiEncoding")}
        return self.obj({"Type": N("/Font"), "Subtype": N("/Type1"), "BaseFont": N("/" + base), **extra})

    def widget(self, rect: tuple[float, ...], page: int = 0, *, parent: Any = None, on_page: bool = True,
               **extra: Any) -> Any:
        from pypdf.generic import ArrayObject, FloatObject, NameObject, NumberObject

        d: dict[str, Any] = {"Type": NameObject("/Annot"), "Subtype": NameObject("/Widget"),
                             "Rect": ArrayObject(FloatObject(v) for v in rect), "F": NumberObject(4),
                             "P": self.pages[page].indirect_reference}
        if parent is not None:
            d["Parent"] = parent
        d.update(extra)
        ref = self.obj(d)
        if on_page:
            self.pages[page]["/Annots"].append(ref)
        return ref

    def text(self, name: str, rect: tuple[float, ...], page: int = 0, *, listed: bool = True, **extra: Any) -> Any:
        from pypdf.generic import NameObject, TextStringObject

        extra.setdefault("FT", NameObject("/Tx"))
        ref = self.widget(rect, page, T=TextStringObject(name), **extra)
        if listed:
            self.fields.append(ref)
        return ref

    def kids(self, ref: Any, kids: list[Any]) -> None:
        from pypdf.generic import ArrayObject, NameObject

        ref.get_object()[NameObject("/Kids")] = ArrayObject(kids)

    def appearance(self, states: list[str], size: tuple[float, float] = (12, 12)) -> Any:
        """Return an /AP dictionary with a normal appearance per state (a filled square when on)."""
        from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject

        normal = DictionaryObject()
        for state in states + ["Off"]:
            stream = DecodedStreamObject()
            stream[NameObject("/Type")] = NameObject("/XObject")
            stream[NameObject("/Subtype")] = NameObject("/Form")
            stream[NameObject("/BBox")] = ArrayObject([FloatObject(0), FloatObject(0), FloatObject(size[0]),
                                                       FloatObject(size[1])])
            stream.set_data(b"" if state == "Off" else b"0 g 2 2 %g %g re f" % (size[0] - 4, size[1] - 4))
            normal[NameObject("/" + state)] = self.w._add_object(stream)
        return DictionaryObject({NameObject("/N"): normal})

    def bytes(self) -> bytes:
        buf = io.BytesIO()
        self.w.write(buf)
        return buf.getvalue()


def _n(value: str) -> Any:
    from pypdf.generic import NameObject

    return NameObject(value)


def _s(value: str) -> Any:
    from pypdf.generic import TextStringObject

    return TextStringObject(value)


def _i(value: int) -> Any:
    from pypdf.generic import NumberObject

    return NumberObject(value)


def _arr(*values: Any) -> Any:
    from pypdf.generic import ArrayObject

    return ArrayObject(values)


# --------------------------------------------------------------------------- defects


def multistate_checkbox() -> tuple[bytes, Values]:
    """One checkbox field, three widgets with on-states M, F and X (the passport form's sex)."""
    b = FormBuilder()
    parent = b.obj({"T": _s("sex"), "FT": _n("/Btn"), "V": _n("/Off")})
    kids = [b.widget((100 + 40 * i, 700, 112 + 40 * i, 712), parent=parent, AS=_n("/Off"),
                     AP=b.appearance([state])) for i, state in enumerate("MFX")]
    b.kids(parent, kids)
    b.fields.append(parent)
    return b.bytes(), {"sex": "F"}


def orphan_widgets() -> tuple[bytes, Values]:
    """A listed field with no widget on any page, and a widget on the page nobody lists."""
    b = FormBuilder()
    b.text("listed", (50, 700, 250, 720), on_page=False)
    b.text("orphan", (50, 650, 250, 670), listed=False)
    return b.bytes(), {"orphan": "shown on the page"}


def checkbox_without_appearance() -> tuple[bytes, Values]:
    b = FormBuilder()
    ref = b.widget((50, 700, 64, 714), T=_s("agree"), FT=_n("/Btn"), AS=_n("/Off"))
    b.fields.append(ref)
    return b.bytes(), {"agree": True}


def cjk_form_font() -> tuple[bytes, Values]:
    """A Japanese-style form whose /DR holds a Type0 font with the UniJIS-UCS2-H CMap."""
    from pypdf.generic import DictionaryObject

    b = FormBuilder(da="/KozMin 0 Tf 0 g")
    descendant = b.obj({"Type": _n("/Font"), "Subtype": _n("/CIDFontType0"), "BaseFont": _n("/KozMinPr6N-Regular"),
                        "CIDSystemInfo": DictionaryObject({_n("/Registry"): _s("Adobe"), _n("/Ordering"): _s("Japan1"),
                                                           _n("/Supplement"): _i(6)}),
                        "DW": _i(1000)})
    font = b.obj({"Type": _n("/Font"), "Subtype": _n("/Type0"), "BaseFont": _n("/KozMinPr6N-Regular"),
                  "Encoding": _n("/UniJIS-UCS2-H"), "DescendantFonts": _arr(descendant)})
    b.fonts[_n("/KozMin")] = font
    b.text("shimei", (50, 700, 300, 724))
    return b.bytes(), {"shimei": "山田 太郎"}


def mixed_scripts() -> tuple[bytes, Values]:
    """A value no single font has every character of: Polish (DejaVu) and Chinese (Noto CJK)."""
    b = FormBuilder()
    b.text("name", (50, 700, 350, 720))
    return b.bytes(), {"name": "Łukasz Wiśniewski 刘伟"}


def oblique() -> tuple[bytes, Values]:
    b = FormBuilder()
    b.fonts[_n("/HeOb")] = b.std_font("Helvetica-Oblique")
    b.fonts[_n("/TiBI")] = b.std_font("Times-BoldItalic")
    b.text("slanted", (50, 700, 300, 720), DA=_s("/HeOb 10 Tf 0 g"))
    b.text("bold_italic", (50, 650, 300, 670), DA=_s("/TiBI 10 Tf 0 g"))
    return b.bytes(), {"slanted": "Italic text", "bold_italic": "Bold italic text"}


def readonly() -> tuple[bytes, Values]:
    b = FormBuilder()
    b.text("barcode", (50, 700, 300, 720), Ff=_i(1), V=_s("PRINTED-BY-FORM"))
    b.text("name", (50, 650, 300, 670))
    return b.bytes(), {"name": "Acme"}


def legibility() -> tuple[bytes, Values]:
    """An 18 pt field in a 22.8 pt box, a narrow field, a short multi-line field beside 12 pt."""
    b = FormBuilder()
    b.text("tall", (50, 700, 350, 722.8), DA=_s("/Helv 18 Tf 0 g"))
    b.text("company", (50, 650, 250, 668), DA=_s("/Helv 0 Tf 0 g"))
    b.text("street", (50, 560, 250, 600), Ff=_i(1 << 12), DA=_s("/Helv 12 Tf 0 g"))
    return b.bytes(), {
        "tall": "ÅNGSTRÖM ÉCLAIR",
        "company": "Pacific Northwest Regional Cooperative Power Marketing and Transmission Services "
                   "Association, Inc. (US)",  # 103 characters
        "street": "Suite 1200, North Tower\n2100 Southwest Riverfront Parkway\nBuilding C, Loading Dock 4",
    }


def scripts() -> tuple[bytes, Values]:
    """A form that runs JavaScript on opening and on a field's keystrokes."""
    from pypdf.generic import DictionaryObject

    b = FormBuilder()
    js = b.obj({"S": _n("/JavaScript"), "JS": _s("app.alert('hello');")})
    b.w._root_object[_n("/OpenAction")] = js
    b.w._root_object[_n("/AA")] = DictionaryObject({_n("/WC"): js})
    b.text("name", (50, 700, 300, 720), AA=DictionaryObject({_n("/K"): js}))
    return b.bytes(), {"name": "Acme"}


# --------------------------------------------------------------------------- features


def inherited_da_dr() -> tuple[bytes, Values]:
    """No /DA on the fields: it comes from the AcroForm, the font from the AcroForm's /DR."""
    b = FormBuilder(da="/TiRo 11 Tf 0 0 1 rg")
    b.fonts[_n("/TiRo")] = b.std_font("Times-Roman")
    b.text("first", (50, 700, 300, 720))
    return b.bytes(), {"first": "Inherited Times"}


def deep_kids() -> tuple[bytes, Values]:
    b = FormBuilder()
    a = b.obj({"T": _s("a")})
    mid = b.obj({"T": _s("b"), "Parent": a})
    leaf = b.obj({"T": _s("c"), "Parent": mid, "FT": _n("/Tx")})
    w1 = b.widget((50, 700, 300, 720), parent=leaf)
    w2 = b.widget((50, 650, 300, 670), parent=leaf)
    b.kids(leaf, [w1, w2])
    b.kids(mid, [leaf])
    b.kids(a, [mid])
    b.fields.append(a)
    return b.bytes(), {"a.b.c": "three levels"}


def opt_pairs() -> tuple[bytes, Values]:
    b = FormBuilder()
    b.text("state", (50, 700, 250, 720), FT=_n("/Ch"), Ff=_i(1 << 17),
           Opt=_arr(_arr(_s("CA"), _s("California")), _arr(_s("NV"), _s("Nevada"))))
    return b.bytes(), {"state": "NV"}


def comb_quadding() -> tuple[bytes, Values]:
    b = FormBuilder()
    for q, name in ((0, "left"), (1, "centre"), (2, "right")):
        b.text(f"comb_{name}", (50, 700 - 40 * q, 250, 720 - 40 * q), Ff=_i(1 << 24), MaxLen=_i(8), Q=_i(q))
    return b.bytes(), {"comb_left": "AB12", "comb_centre": "AB12", "comb_right": "AB12"}


def rotated() -> tuple[bytes, Values]:
    """A page shown turned 90 degrees, with a widget turned to match (/MK /R 90)."""
    from pypdf.generic import DictionaryObject

    b = FormBuilder(rotate=90)
    b.text("turned", (100, 300, 124, 600), MK=DictionaryObject({_n("/R"): _i(90)}))
    b.text("upright", (200, 300, 400, 320))
    return b.bytes(), {"turned": "Turned with the page", "upright": "Upright"}


def shared_across_pages() -> tuple[bytes, Values]:
    b = FormBuilder(pages=2)
    parent = b.obj({"T": _s("applicant"), "FT": _n("/Tx")})
    b.kids(parent, [b.widget((50, 700, 300, 720), 0, parent=parent), b.widget((50, 700, 300, 720), 1, parent=parent)])
    b.fields.append(parent)
    return b.bytes(), {"applicant": "On both pages"}


def quadding() -> tuple[bytes, Values]:
    b = FormBuilder()
    b.text("centred", (50, 700, 350, 720), Q=_i(1))
    b.text("right", (50, 650, 350, 670), Q=_i(2))
    return b.bytes(), {"centred": "In the middle", "right": "At the right"}


def standard_fonts() -> tuple[bytes, Values]:
    b = FormBuilder()
    b.fonts[_n("/Cour")] = b.std_font("Courier")
    b.fonts[_n("/TiRo")] = b.std_font("Times-Roman")
    b.text("mono", (50, 700, 350, 720), DA=_s("/Cour 10 Tf 0 g"))
    b.text("serif", (50, 650, 350, 670), DA=_s("/TiRo 10 Tf 0 g"))
    return b.bytes(), {"mono": "Courier value", "serif": "Times value"}


def many_fields(count: int = 2000) -> tuple[bytes, Values]:
    """`count` text fields over pages of 50 (a large real-world form's size)."""
    pages = (count + 49) // 50
    b = FormBuilder(pages=pages)
    values: Values = {}
    for n in range(count):
        page, row = divmod(n, 50)
        col, line = divmod(row, 25)
        b.text(f"f{n:04d}", (40 + 280 * col, 740 - 28 * line, 300 + 280 * col, 758 - 28 * line), page)
        values[f"f{n:04d}"] = f"Value {n}"
    return b.bytes(), values


CORPUS: dict[str, Callable[[], tuple[bytes, Values]]] = {
    "multistate-checkbox": multistate_checkbox,
    "orphan-widgets": orphan_widgets,
    "checkbox-without-appearance": checkbox_without_appearance,
    "cjk-form-font": cjk_form_font,
    "mixed-scripts": mixed_scripts,
    "oblique": oblique,
    "readonly": readonly,
    "legibility": legibility,
    "scripts": scripts,
    "inherited-da-dr": inherited_da_dr,
    "deep-kids": deep_kids,
    "opt-pairs": opt_pairs,
    "comb-quadding": comb_quadding,
    "rotated": rotated,
    "shared-across-pages": shared_across_pages,
    "quadding": quadding,
    "standard-fonts": standard_fonts,
    "many-fields": many_fields,
}
