"""Read an AcroForm once: the field tree, widgets, pages, and what an incremental update needs.

Everything here is computed when a form is opened and shared by every fill of it (`ParsedForm`).
Fields are named as PDF viewers name them: the /T of each ancestor joined with dots; names
given twice (which the specification forbids but producers write) become one field.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import re
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from sc_docs.engines.pdf import _appear as appear
from sc_docs.engines.pdf import _write as write
from sc_docs.engines.pdf._formfont import unicode_form_font
from sc_docs.errors import FormError, UnreadableFormError

FieldType = Literal["text", "checkbox", "radio", "choice", "signature", "button"]

# /Ff bits (PDF 32000-1, tables 226, 228, 230)
READONLY = 1 << 0
MULTILINE = 1 << 12
PASSWORD = 1 << 13
RADIO = 1 << 15
PUSHBUTTON = 1 << 16
COMBO = 1 << 17
EDIT = 1 << 18
COMB = 1 << 24
_INHERITABLE = ("/FT", "/Ff", "/V", "/DA", "/Q", "/MaxLen", "/Opt")


# A dictionary inside the file: (object number, generation, path of keys/indices inside it).
Loc = tuple[int, int, tuple[Any, ...]]


@dataclass
class Widget:
    loc: Loc
    page: int | None
    rect: tuple[float, float, float, float]
    style: appear.Style
    base_font: str | None
    rotation: int
    states: list[str]
    has_ap: bool
    own_font: Any = None  # the form's own font for this widget, when it can draw Unicode text


@dataclass
class ParsedField:
    name: str
    type: FieldType
    flags: int
    nodes: list[Loc] = field(default_factory=list)
    widgets: list[Widget] = field(default_factory=list)
    max_length: int | None = None
    options: list[str] = field(default_factory=list)
    display: list[str] = field(default_factory=list)
    value: str | bool | None = None
    top_index: int = 0
    orphan: bool = False  # a widget on a page that /AcroForm /Fields does not reach


@dataclass
class ParsedForm:
    """Everything read from one PDF; shared by every `Form` over the same bytes. Never mutated."""

    data: bytes
    reader: Any
    fields: list[ParsedField]
    by_name: dict[str, ParsedField]
    root: Loc
    acroform: Loc | None
    has_xfa: bool
    pages: list[Loc]
    size: int
    prev_xref: int | None  # None: xref data is broken, rewrite instead of appending
    xref_stream: bool
    encrypt: write.Encryptor | None
    header: bytes
    all_have_ap: bool  # every widget already has a normal appearance
    pages_root: Loc | None = None  # the root /Pages node, where an addendum page is added
    last_page_size: tuple[float, float] = (612.0, 792.0)
    scripts: list[tuple[Loc, str]] = field(default_factory=list)  # active content: (dict, key)
    # serialized (and encrypted) bytes reused across fills: unchanged entries of patched
    # dictionaries, keyed by (object number, patched keys); embedded font objects, keyed by
    # (font, first object number)
    entry_cache: dict[tuple[int, tuple[str, ...]], bytes] = field(default_factory=dict)
    font_cache: dict[tuple[str, int], list[tuple[int, bytes, Any]]] = field(default_factory=dict)
    # the dictionary bytes of each widget's new appearance stream, up to its /Length, keyed by
    # (widget, font resources): a fill adds only the length and the content
    heads: dict[tuple[Any, ...], bytes] = field(default_factory=dict)
    choices: dict[tuple[Any, ...], bytes] = field(default_factory=dict)  # a choice widget's content per option
    digest: bytes = b""  # SHA-256 of `data`: the cache key, and the seed of every output's /ID
    # pypdf's reader seeks in one shared stream: fills of one form take turns
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence pypdf's warnings and log output for the duration (we report problems ourselves)."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if level >= logging.CRITICAL:  # already silent: setting a level clears every logger's cache
            yield
            return
        logger.setLevel(logging.CRITICAL)
        try:
            yield
        finally:
            logger.setLevel(level)


# --------------------------------------------------------------------------- parsing


def parse_form(data: bytes, label: str) -> ParsedForm:
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise UnreadableFormError("not a PDF file (no %PDF header)", form=label)
    if b"%%EOF" not in data[-2048:]:
        raise UnreadableFormError("the PDF is truncated (no %%EOF marker at the end)", form=label)
    try:
        with quiet():
            return _read(data, label)
    except FormError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on damaged files
        raise UnreadableFormError(f"cannot read the PDF: {type(exc).__name__}: {exc}", form=label) from None


def _read(data: bytes, label: str) -> ParsedForm:
    from pypdf import PasswordType, PdfReader
    from pypdf.generic import IndirectObject

    reader = PdfReader(io.BytesIO(data), strict=False)
    encrypt = None
    if reader.is_encrypted:
        try:
            result = reader.decrypt("")
        except Exception as exc:  # noqa: BLE001 - e.g. an unsupported cipher
            raise UnreadableFormError(f"cannot decrypt the PDF: {exc}", form=label) from None
        if result == PasswordType.NOT_DECRYPTED:
            raise UnreadableFormError("the PDF needs a password to open; remove it and try again", form=label)
        encrypt = write.make_encryptor(reader._encryption)
    root_ref = reader.trailer.raw_get("/Root")
    if not isinstance(root_ref, IndirectObject):
        raise UnreadableFormError("the PDF has no document catalog (/Root)", form=label)
    root: Any = root_ref.get_object()
    root_loc: Loc = (root_ref.idnum, root_ref.generation, ())

    pages: list[Loc] = []
    page_of: dict[int, int] = {}
    page_widgets: list[Any] = []  # every widget annotation on a page, in page order
    scripts: list[tuple[Loc, str]] = []
    last_size = (612.0, 792.0)
    for number, page in enumerate(reader.pages, start=1):
        ref = page.indirect_reference
        pages.append((ref.idnum, ref.generation, ()) if ref is not None else (0, 0, ()))
        if ref is not None and "/AA" in page:
            scripts.append(((ref.idnum, ref.generation, ()), "/AA"))
        try:
            box = [float(v) for v in page.mediabox]
            last_size = (abs(box[2] - box[0]) or 612.0, abs(box[3] - box[1]) or 792.0)
        except (TypeError, ValueError, KeyError):
            pass
        annots = page.get("/Annots")
        annots = annots.get_object() if annots is not None else None
        for item in annots or []:
            if isinstance(item, IndirectObject):
                page_of.setdefault(item.idnum, number)
                annot: Any = item.get_object()
                if hasattr(annot, "get") and annot.get("/Subtype") == "/Widget":
                    page_widgets.append(item)
    for key in ("/OpenAction", "/AA"):
        if key in root and (key == "/AA" or hasattr(root[key].get_object(), "keys")):
            scripts.append((root_loc, key))  # an /OpenAction array is only a view to open at
    names_raw = root.raw_get("/Names") if "/Names" in root else None
    if names_raw is not None and "/JavaScript" in names_raw.get_object():
        names_loc = (names_raw.idnum, names_raw.generation, ()) if isinstance(names_raw, IndirectObject) else (
            *root_loc[:2], ("/Names",))
        scripts.append((names_loc, "/JavaScript"))

    acro_raw = root.raw_get("/AcroForm") if "/AcroForm" in root else None
    acroform_loc: Loc | None = None
    has_xfa = False
    acroform: Any = {}
    if acro_raw is not None:
        if isinstance(acro_raw, IndirectObject):
            acroform_loc = (acro_raw.idnum, acro_raw.generation, ())
        else:
            acroform_loc = (*root_loc[:2], ("/AcroForm",))
        acroform = acro_raw.get_object()
    walker = _Walker(acroform, page_of)
    if acro_raw is not None:
        has_xfa = "/XFA" in acroform
        top = acroform.raw_get("/Fields") if "/Fields" in acroform else None
        top = top.get_object() if top is not None else []
        base = acroform_loc if not isinstance(acroform.raw_get("/Fields"), IndirectObject) else None
        for index, item in enumerate(top or []):
            loc = _loc_of(item, base, ("/Fields", index))
            if loc is not None:
                walker.walk(item.get_object(), loc, "", {})
    _walk_orphans(walker, page_widgets)
    fields = walker.result()
    for f in fields:
        for loc in f.nodes:
            node = _at(reader, loc)
            if node is not None and "/AA" in node:
                scripts.append((loc, "/AA"))
        for w in f.widgets:
            node = _at(reader, w.loc)
            if node is not None and w.loc not in f.nodes and "/AA" in node:
                scripts.append((w.loc, "/AA"))
            action: Any = node.get("/A") if node is not None else None
            action = action.get_object() if action is not None else None
            if hasattr(action, "get") and action.get("/S") in ("/JavaScript", "/Launch", "/SubmitForm", "/ImportData"):
                scripts.append((w.loc, "/A"))
    pages_raw = root.raw_get("/Pages") if "/Pages" in root else None
    pages_root = (pages_raw.idnum, pages_raw.generation, ()) if isinstance(pages_raw, IndirectObject) else None

    size = int(reader.trailer.get("/Size", 0) or 0)
    known = max((n for gen in reader.xref.values() for n in gen), default=0)
    known = max([known, *reader.xref_objStm.keys()]) if reader.xref_objStm else known
    prev_xref, xref_stream = _last_xref(data)
    header = data[: data.find(b"\n", 0, 32) if b"\n" in data[:32] else 8].strip()
    if not header.startswith(b"%PDF"):
        header = b"%PDF-1.7"
    return ParsedForm(
        data=data,
        digest=hashlib.sha256(data).digest(),
        reader=reader,
        fields=fields,
        by_name={f.name: f for f in fields},
        root=root_loc,
        acroform=acroform_loc,
        has_xfa=has_xfa,
        pages=pages,
        size=max(size, known + 1),
        prev_xref=prev_xref,
        xref_stream=xref_stream,
        encrypt=encrypt,
        header=header,
        all_have_ap=all(w.has_ap for f in fields for w in f.widgets),
        pages_root=pages_root,
        last_page_size=last_size,
        scripts=sorted(set(scripts), key=scripts.index),
    )


def _at(reader: Any, loc: Loc) -> Any:
    from pypdf.generic import IndirectObject

    obj = reader.get_object(IndirectObject(loc[0], loc[1], reader))
    for step in loc[2]:
        obj = obj[step].get_object() if isinstance(step, int) else obj.raw_get(step).get_object()
    return obj if hasattr(obj, "get") else None


def _walk_orphans(walker: _Walker, page_widgets: list[Any]) -> None:
    """Add the fields of widgets on pages that /AcroForm /Fields does not reach (XFA converters
    write such forms): from the topmost ancestor not yet seen, marked as orphans."""
    known = {w.loc[0] for f in walker.order for w in f.widgets}
    before = len(walker.order)
    for ref in page_widgets:
        if ref.idnum in known or ref.idnum in walker.seen:
            continue
        node, node_ref = ref.get_object(), ref
        for _ in range(32):
            parent = node.raw_get("/Parent") if "/Parent" in node else None
            if parent is None or not hasattr(parent, "idnum") or parent.idnum in walker.seen:
                break
            node, node_ref = parent.get_object(), parent
        walker.walk(node, (node_ref.idnum, node_ref.generation, ()), "", {})
        known.update(w.loc[0] for f in walker.order[before:] for w in f.widgets)
    for f in walker.order[before:]:
        f.orphan = True


def _loc_of(item: Any, base: Loc | None, step: tuple[Any, ...]) -> Loc | None:
    from pypdf.generic import IndirectObject

    if isinstance(item, IndirectObject):
        return (item.idnum, item.generation, ())
    if base is None:
        return None
    return (base[0], base[1], base[2] + step)


def _last_xref(data: bytes) -> tuple[int | None, bool]:
    """Return the offset of the last xref section and whether it is a stream; None if unusable."""
    tail_at = max(0, len(data) - 4096)
    at = data.rfind(b"startxref", tail_at)
    match = re.match(rb"startxref\s+(\d+)", data[at:]) if at >= 0 else None
    if not match:
        return None, False
    offset = int(match.group(1))
    head = data[offset : offset + 64]
    if head.startswith(b"xref"):
        return offset, False
    if re.match(rb"\d+\s+\d+\s+obj\b", head):
        window = data[offset : offset + 2048]
        if b"/XRef" in window:
            return offset, True
    return None, False


class _Walker:
    """Walk the field tree, building one `ParsedField` per fully qualified name."""

    def __init__(self, acroform: Any, page_of: dict[int, int]) -> None:
        self.default_da = str(acroform.get("/DA", "") or "")
        self.default_q = int(acroform.get("/Q", 0) or 0)
        dr = acroform.get("/DR")
        dr = dr.get_object() if dr is not None else None
        fonts_ = dr.get("/Font") if dr is not None else None
        self.dr_fonts = fonts_.get_object() if fonts_ is not None else {}
        self.page_of = page_of
        self.order: list[ParsedField] = []
        self.by_name: dict[str, ParsedField] = {}
        self.seen: set[int] = set()

    def result(self) -> list[ParsedField]:
        return self.order

    def walk(self, node: Any, loc: Loc, parent: str, inherited: dict[str, Any]) -> None:
        if loc[2] == () and loc[0] in self.seen:
            return  # a cycle or a node listed twice
        if loc[2] == ():
            self.seen.add(loc[0])
        attrs = dict(inherited)
        for key in _INHERITABLE:
            if key in node:
                attrs[key] = node[key]
        part = node.get("/T")
        name = f"{parent}.{part}" if parent and part is not None else (str(part) if part is not None else parent)
        kids_raw = node.raw_get("/Kids") if "/Kids" in node else None
        kids = kids_raw.get_object() if kids_raw is not None else []
        base = loc if not hasattr(kids_raw, "idnum") else None
        sub_fields: list[tuple[Any, Loc]] = []
        widgets: list[tuple[Any, Loc]] = []
        for index, kid_ref in enumerate(kids or []):
            kid_loc = _loc_of(kid_ref, base, ("/Kids", index))
            if kid_loc is None:
                continue
            kid = kid_ref.get_object()
            if not hasattr(kid, "get"):
                continue
            (sub_fields if "/T" in kid else widgets).append((kid, kid_loc))
        for kid, kid_loc in sub_fields:
            self.walk(kid, kid_loc, name, attrs)
        if sub_fields and not widgets:
            return
        if not kids:
            widgets = [(node, loc)]
        if not name or "/FT" not in attrs:
            return
        self._add(name, node, loc, attrs, widgets)

    def _add(self, name: str, node: Any, loc: Loc, attrs: dict[str, Any], widgets: list[tuple[Any, Loc]]) -> None:
        ft = str(attrs["/FT"])
        flags = int(attrs.get("/Ff", 0) or 0)
        kind: FieldType
        if ft == "/Tx":
            kind = "text"
        elif ft == "/Ch":
            kind = "choice"
        elif ft == "/Sig":
            kind = "signature"
        elif ft == "/Btn":
            kind = "button" if flags & PUSHBUTTON else "radio" if flags & RADIO else "checkbox"
        else:
            return
        f = self.by_name.get(name)
        if f is None:
            f = ParsedField(name=name, type=kind, flags=flags)
            self.by_name[name] = f
            self.order.append(f)
        f.nodes.append(loc)
        for widget, wloc in widgets:
            f.widgets.append(self._widget(widget, wloc, attrs))
        if "/MaxLen" in attrs and kind == "text":
            try:
                f.max_length = int(attrs["/MaxLen"])
            except (TypeError, ValueError):
                pass
        if kind == "choice":
            self._choice(f, attrs, node)
        elif kind in ("checkbox", "radio"):
            states: list[str] = []
            for w in f.widgets:
                states += [s for s in w.states if s not in states]
            f.options = states
            v = attrs.get("/V")
            v = str(v)[1:] if v is not None and str(v).startswith("/") else None
            if kind == "checkbox" and len(states) > 1:  # one state per choice (M, F, X): like a radio
                f.value = v if v and v != "Off" and v in states else None
            elif kind == "checkbox":
                f.value = bool(v and v != "Off" and v in states)
            else:
                f.value = v if v and v != "Off" else None
        elif kind == "text":
            v = attrs.get("/V")
            f.value = str(v) if v is not None and not hasattr(v, "get_data") else None

    def _choice(self, f: ParsedField, attrs: dict[str, Any], node: Any) -> None:
        exports: list[str] = []
        display: list[str] = []
        opt = attrs.get("/Opt")
        for item in (opt.get_object() if opt is not None else []) or []:
            item = item.get_object()
            if isinstance(item, list) and len(item) >= 2:
                exports.append(str(item[0].get_object()))
                display.append(str(item[1].get_object()))
            else:
                exports.append(str(item))
                display.append(str(item))
        f.options, f.display = exports, display
        v = attrs.get("/V")
        if isinstance(v, list):
            v = v[0] if v else None
        f.value = str(v) if v is not None else None
        f.top_index = int(node.get("/TI", 0) or 0)

    def _widget(self, widget: Any, loc: Loc, attrs: dict[str, Any]) -> Widget:
        rect = widget.get("/Rect") or [0, 0, 0, 0]
        x0, y0, x1, y1 = (float(v) for v in list(rect)[:4])
        da = str(widget.get("/DA", attrs.get("/DA", self.default_da)) or "")
        font_name, size, colour = appear.parse_da(da)
        base_font = None
        font: Any = None
        own_dr: Any = widget.get("/DR")
        own_dr = own_dr.get_object() if own_dr is not None else None
        own_fonts: Any = own_dr.get("/Font") if hasattr(own_dr, "get") else None
        own_fonts = own_fonts.get_object() if own_fonts is not None else None
        source: Any
        for source in (own_fonts, self.dr_fonts):
            if hasattr(source, "get") and source.get("/" + font_name) is not None:
                font = source.get("/" + font_name)
                break
        own_font = None
        if font is not None:
            base_font = str(font.get_object().get("/BaseFont", "") or "") or None
            own_font = unicode_form_font(font)
        elif font_name not in ("Helv", "HeBo", "TiRo", "Cour", "ZaDb"):
            base_font = font_name  # no resource: the name may still say bold or italic
        mk: Any = widget.get("/MK")
        mk = mk.get_object() if mk is not None else {}
        bs: Any = widget.get("/BS")
        bs = bs.get_object() if bs is not None else {}
        width = bs.get("/W", 1) if hasattr(bs, "get") else 1
        style = appear.Style(
            # our appearance stream names its own font resource; keep the form's name when it
            # needs no escaping, so a viewer regenerating from /DA finds the same name
            font_name=font_name if re.fullmatch(r"[A-Za-z0-9_.+-]+", font_name) else "SCFont",
            size=size,
            color=colour,
            quadding=int(widget.get("/Q", attrs.get("/Q", self.default_q)) or 0),
            background=appear.colour_op(_floats(mk.get("/BG")), stroke=False),
            border=appear.colour_op(_floats(mk.get("/BC")), stroke=True),
            border_width=float(width),
        )
        ap: Any = widget.get("/AP")
        ap = ap.get_object() if ap is not None else None
        normal: Any = ap.get("/N") if hasattr(ap, "get") else None
        normal = normal.get_object() if normal is not None else None
        states: list[str] = []
        if hasattr(normal, "keys") and not hasattr(normal, "get_data"):
            states = [str(k)[1:] for k in normal if str(k) != "/Off"]
        page = self.page_of.get(loc[0]) if loc[2] == () else None
        return Widget(
            loc=loc,
            page=page,
            rect=(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)),
            style=style,
            base_font=base_font,
            rotation=int(mk.get("/R", 0) or 0) % 360 if hasattr(mk, "get") else 0,
            states=states,
            has_ap=normal is not None,
            own_font=own_font,
        )


def _floats(value: Any) -> list[float] | None:
    if value is None:
        return None
    try:
        return [float(v) for v in value.get_object()]
    except (TypeError, ValueError):
        return None
