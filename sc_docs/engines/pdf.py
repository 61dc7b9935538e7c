"""Inventory and fill any AcroForm PDF: the generic form engine (it knows nothing of CAISO).

API
---
`open_form(source, name=None) -> Form`
    `source` is a path or the PDF's bytes. The PDF is parsed once per process and cached by the
    SHA-256 of its bytes, so a batch filling one form for thousands of applicants parses it once.
    `name` labels error messages (defaults to the file name). A file that is missing, not a PDF,
    truncated, malformed or locked by a user password raises `UnreadableFormError` (a `FormError`
    with exit code 2).

`Form.fields() -> list[FieldInfo]`
    One entry per fully qualified field name (`contacts.primary.name`) in document order, with
    `type` (`text`, `checkbox`, `radio`, `choice`, `signature`, `button`), current `value`
    (text/choice: str or None; checkbox: bool; radio: the selected option or None), `options`
    (a checkbox's on-state, a radio group's states, a choice's export values), `page` (1-based, of
    the first widget), `max_length`, `multiline` and `readonly`.

`Form.fill(values, *, flatten=False, need_appearances=False) -> bytes`
    `values` maps field names to a `str` (text, choice, radio option) or a `bool` (checkbox).
    Every value is checked first; any unknown name (with a did-you-mean), wrong type, value not
    offered (an editable combo box takes any text), or text longer than /MaxLen raises one
    `FormError` listing every problem and what is valid, and nothing is written. Checkboxes get the on-state their own appearance declares;
    radio groups get /V on the group and /AS on every widget; text and choice widgets get a new
    normal appearance (/AP /N) drawn in a standard font, or in an embedded TrueType subset when
    the text needs glyphs beyond WinAnsi, so values show in every viewer without a click.
    The result is an incremental update: the original bytes followed by the changed objects and a
    new cross-reference section (table or stream, matching the original). Owner-password files
    stay encrypted with the same key. Hybrid XFA forms lose /XFA so the AcroForm values show.
    `flatten=True` draws every widget's appearance into its page as a form XObject and rewrites the
    file without widgets or /AcroForm. `need_appearances=True` also sets /NeedAppearances; it is
    off by default because viewers then redraw every field with the form's own font, which can
    lack the glyphs we embedded, and Acrobat asks to save on closing.
    Output is deterministic: same form and values give byte-identical bytes.

Speed: parsing, the serialized bytes of untouched dictionary entries and of embedded fonts are
cached per form, so a repeated fill costs a few milliseconds (`benchmarks/fill.py` compares it
with pypdf's clone-and-write). Fills of one cached form take turns under a lock.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import io
import logging
import re
import threading
import warnings
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from sc_docs.engines import _pdfappear as appear
from sc_docs.engines import _pdffont as fonts
from sc_docs.engines import _pdfwrite as write
from sc_docs.errors import FormError

FieldType = Literal["text", "checkbox", "radio", "choice", "signature", "button"]

# /Ff bits (PDF 32000-1, tables 226, 228, 230)
_READONLY = 1 << 0
_MULTILINE = 1 << 12
_PASSWORD = 1 << 13
_RADIO = 1 << 15
_PUSHBUTTON = 1 << 16
_COMBO = 1 << 17
_EDIT = 1 << 18
_COMB = 1 << 24
_INHERITABLE = ("/FT", "/Ff", "/V", "/DA", "/Q", "/MaxLen", "/Opt")
_CACHE_SIZE = 16


class UnreadableFormError(FormError):
    """The file is not a usable PDF at all: missing, garbage, truncated, damaged or locked (exit 2)."""

    exit_code: ClassVar[int] = 2


class FieldInfo(BaseModel):
    """One fillable field as a user sees it."""

    model_config = ConfigDict(frozen=True)

    name: str
    type: FieldType
    value: str | bool | None = None
    options: list[str] = []
    page: int | None = None
    max_length: int | None = None
    multiline: bool = False
    readonly: bool = False


# A dictionary inside the file: (object number, generation, path of keys/indices inside it).
Loc = tuple[int, int, tuple[Any, ...]]


@dataclass
class _Widget:
    loc: Loc
    page: int | None
    rect: tuple[float, float, float, float]
    style: appear.Style
    base_font: str | None
    rotation: int
    states: list[str]
    has_ap: bool


@dataclass
class _Field:
    name: str
    type: FieldType
    flags: int
    nodes: list[Loc] = field(default_factory=list)
    widgets: list[_Widget] = field(default_factory=list)
    max_length: int | None = None
    options: list[str] = field(default_factory=list)
    display: list[str] = field(default_factory=list)
    value: str | bool | None = None
    top_index: int = 0


@dataclass
class _Parsed:
    """Everything read from one PDF; shared by every `Form` over the same bytes. Never mutated."""

    data: bytes
    reader: Any
    fields: list[_Field]
    by_name: dict[str, _Field]
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
    # serialized (and encrypted) bytes reused across fills: unchanged entries of patched
    # dictionaries, keyed by (object number, patched keys); embedded font objects, keyed by
    # (font, first object number)
    entry_cache: dict[tuple[int, frozenset[str]], bytes] = field(default_factory=dict)
    font_cache: dict[tuple[str, int], list[tuple[int, bytes, Any]]] = field(default_factory=dict)
    # pypdf's reader seeks in one shared stream: fills of one form take turns
    lock: threading.Lock = field(default_factory=threading.Lock)


_cache: OrderedDict[str, _Parsed] = OrderedDict()
_lock = threading.Lock()


def open_form(source: str | Path | bytes, name: str | None = None) -> Form:
    """Return the form in `source` (a path or PDF bytes), parsing each distinct PDF once."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        label = name or "<form>"
    else:
        path = Path(source)
        label = name or str(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UnreadableFormError(f"cannot read the form: {exc.strerror or exc}", form=label) from None
    digest = hashlib.sha256(data).hexdigest()
    with _lock:
        parsed = _cache.get(digest)
        if parsed is not None:
            _cache.move_to_end(digest)
    if parsed is None:
        parsed = _parse(data, label)
        with _lock:
            _cache[digest] = parsed
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return Form(parsed, label)


class Form:
    """A parsed AcroForm PDF; cheap to create, safe to fill many times."""

    def __init__(self, parsed: _Parsed, name: str) -> None:
        self._parsed = parsed
        self.name = name

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self._parsed.data).hexdigest()

    def fields(self) -> list[FieldInfo]:
        """Return the fields in document order, one per fully qualified name."""
        return [_info(f) for f in self._parsed.fields]

    def fill(
        self,
        values: Mapping[str, str | bool],
        *,
        flatten: bool = False,
        need_appearances: bool = False,
    ) -> bytes:
        """Return the PDF with `values` filled in (see the module docstring for the rules)."""
        checked = self._check(values)
        try:
            with self._parsed.lock, _quiet():
                return _Filler(self._parsed).run(checked, flatten=flatten, need_appearances=need_appearances)
        except FormError:
            raise
        except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on damaged objects
            raise FormError(f"cannot fill the form: {type(exc).__name__}: {exc}", form=self.name) from None

    def _check(self, values: Mapping[str, str | bool]) -> list[tuple[_Field, str | bool]]:
        """Validate every value; raise one `FormError` listing all problems."""
        problems: list[str] = []
        by_name = self._parsed.by_name
        for key, value in values.items():
            f = by_name.get(key) if isinstance(key, str) else None
            if f is None:
                if not by_name and self._parsed.has_xfa:
                    problems.append(f"unknown field {str(key)!r}: this is an XFA-only form, which has no "
                                    "AcroForm fields to fill; save it as a static (AcroForm) PDF first")
                else:
                    problems.append(_unknown(str(key), list(by_name)))
                continue
            problem = _check_value(f, value)
            if problem:
                problems.append(f"{key}: {problem}")
        if problems:
            raise FormError("; ".join(problems), form=self.name)
        wanted = {k: v for k, v in values.items()}
        return [(f, wanted[f.name]) for f in self._parsed.fields if f.name in wanted]


def _unknown(key: str, names: list[str]) -> str:
    if not names:
        return f"unknown field {key!r}: this PDF has no fillable fields"
    near = difflib.get_close_matches(key, names, n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(repr(n) for n in near)}?)" if near else ""
    shown = ", ".join(names[:25]) + (f", ... ({len(names) - 25} more)" if len(names) > 25 else "")
    return f"unknown field {key!r}{hint}; fields are: {shown}"


def _check_value(f: _Field, value: object) -> str | None:
    """Return why `value` does not fit `f`, or None."""
    kind = f.type
    if kind in ("signature", "button"):
        return f"is a {kind} field and cannot be filled"
    if kind == "checkbox":
        if not isinstance(value, bool):
            return f"a checkbox takes true or false, not {_short(value)}"
        return None
    if not isinstance(value, str):
        expected = {"text": "text", "radio": "one of the options", "choice": "one of the options"}[kind]
        return f"a {kind} field takes {expected} (a string), not {_short(value)}"
    if kind == "text":
        if f.max_length is not None and len(value) > f.max_length:
            return f"takes at most {f.max_length} characters, got {len(value)} ({_short(value)})"
        return None
    if kind == "choice" and f.flags & _EDIT:
        return None
    if value not in f.options:
        return f"{_short(value)} is not offered; options are: {', '.join(repr(o) for o in f.options)}"
    return None


def _short(value: object, limit: int = 40) -> str:
    """Return `repr(value)`, cut to `limit` characters: an error line must stay a line."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def _info(f: _Field) -> FieldInfo:
    return FieldInfo(
        name=f.name,
        type=f.type,
        value=f.value,
        options=list(f.options),
        page=next((w.page for w in f.widgets if w.page is not None), None),
        max_length=f.max_length,
        multiline=bool(f.type == "text" and f.flags & _MULTILINE),
        readonly=bool(f.flags & _READONLY),
    )


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence pypdf's warnings and log output for the duration (we report problems ourselves)."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logger.setLevel(logging.CRITICAL)
        try:
            yield
        finally:
            logger.setLevel(level)


# --------------------------------------------------------------------------- parsing


def _parse(data: bytes, label: str) -> _Parsed:
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise UnreadableFormError("not a PDF file (no %PDF header)", form=label)
    if b"%%EOF" not in data[-2048:]:
        raise UnreadableFormError("the PDF is truncated (no %%EOF marker at the end)", form=label)
    try:
        with _quiet():
            return _read(data, label)
    except FormError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on damaged files
        raise UnreadableFormError(f"cannot read the PDF: {type(exc).__name__}: {exc}", form=label) from None


def _read(data: bytes, label: str) -> _Parsed:
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
    for number, page in enumerate(reader.pages, start=1):
        ref = page.indirect_reference
        pages.append((ref.idnum, ref.generation, ()) if ref is not None else (0, 0, ()))
        annots = page.get("/Annots")
        annots = annots.get_object() if annots is not None else None
        for item in annots or []:
            if isinstance(item, IndirectObject):
                page_of.setdefault(item.idnum, number)

    acro_raw = root.raw_get("/AcroForm") if "/AcroForm" in root else None
    acroform_loc: Loc | None = None
    fields: list[_Field] = []
    has_xfa = False
    if acro_raw is not None:
        if isinstance(acro_raw, IndirectObject):
            acroform_loc = (acro_raw.idnum, acro_raw.generation, ())
        else:
            acroform_loc = (*root_loc[:2], ("/AcroForm",))
        acroform = acro_raw.get_object()
        has_xfa = "/XFA" in acroform
        walker = _Walker(acroform, page_of)
        top = acroform.raw_get("/Fields") if "/Fields" in acroform else None
        top = top.get_object() if top is not None else []
        base = acroform_loc if not isinstance(acroform.raw_get("/Fields"), IndirectObject) else None
        for index, item in enumerate(top or []):
            loc = _loc_of(item, base, ("/Fields", index))
            if loc is not None:
                walker.walk(item.get_object(), loc, "", {})
        fields = walker.result()

    size = int(reader.trailer.get("/Size", 0) or 0)
    known = max((n for gen in reader.xref.values() for n in gen), default=0)
    known = max([known, *reader.xref_objStm.keys()]) if reader.xref_objStm else known
    prev_xref, xref_stream = _last_xref(data)
    header = data[: data.find(b"\n", 0, 32) if b"\n" in data[:32] else 8].strip()
    if not header.startswith(b"%PDF"):
        header = b"%PDF-1.7"
    return _Parsed(
        data=data,
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
    )


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
    """Walk the field tree, building one `_Field` per fully qualified name."""

    def __init__(self, acroform: Any, page_of: dict[int, int]) -> None:
        self.default_da = str(acroform.get("/DA", "") or "")
        self.default_q = int(acroform.get("/Q", 0) or 0)
        dr = acroform.get("/DR")
        dr = dr.get_object() if dr is not None else None
        fonts_ = dr.get("/Font") if dr is not None else None
        self.dr_fonts = fonts_.get_object() if fonts_ is not None else {}
        self.page_of = page_of
        self.order: list[_Field] = []
        self.by_name: dict[str, _Field] = {}
        self.seen: set[int] = set()

    def result(self) -> list[_Field]:
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
            kind = "button" if flags & _PUSHBUTTON else "radio" if flags & _RADIO else "checkbox"
        else:
            return
        f = self.by_name.get(name)
        if f is None:
            f = _Field(name=name, type=kind, flags=flags)
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
            if kind == "checkbox":
                f.value = bool(v and v != "Off" and v in states)
            else:
                f.value = v if v and v != "Off" else None
        elif kind == "text":
            v = attrs.get("/V")
            f.value = str(v) if v is not None and not hasattr(v, "get_data") else None

    def _choice(self, f: _Field, attrs: dict[str, Any], node: Any) -> None:
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

    def _widget(self, widget: Any, loc: Loc, attrs: dict[str, Any]) -> _Widget:
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
        if font is not None:
            base_font = str(font.get_object().get("/BaseFont", "") or "") or None
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
        return _Widget(
            loc=loc,
            page=page,
            rect=(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)),
            style=style,
            base_font=base_font,
            rotation=int(mk.get("/R", 0) or 0) % 360 if hasattr(mk, "get") else 0,
            states=states,
            has_ap=normal is not None,
        )


def _floats(value: Any) -> list[float] | None:
    if value is None:
        return None
    try:
        return [float(v) for v in value.get_object()]
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- filling


def _copy(obj: Any) -> Any:
    """Copy the direct structure of `obj`, keeping references, so cached objects stay untouched."""
    from pypdf.generic import ArrayObject, DictionaryObject, StreamObject

    if isinstance(obj, StreamObject):
        new = type(obj)()
        for key, value in obj.items():
            new[key] = _copy(value)
        new._data = obj._data
        return new
    if isinstance(obj, DictionaryObject):
        copy = DictionaryObject()
        for key, value in obj.items():
            copy[key] = _copy(value)
        return copy
    if isinstance(obj, ArrayObject):
        return ArrayObject(_copy(v) for v in obj)
    return obj


class _Filler:
    """One fill: the copied objects it changes and the objects it adds."""

    def __init__(self, parsed: _Parsed) -> None:
        self.p = parsed
        self.objects: dict[int, tuple[int, Any]] = {}  # copied or new objects, serialized at the end
        self.raw: dict[int, tuple[int, bytes]] = {}  # objects already serialized
        # top-level dictionaries changed only in a few keys: {idnum: {key: value or None}}
        self.patches: dict[int, dict[str, Any]] = {}
        self.generations: dict[int, int] = {}
        self.next_id = parsed.size
        self.font_refs: dict[str, Any] = {}
        self.fonts: dict[int, Any] = {}  # id(widget) -> font chosen in the pre-pass
        self.raw_objects: dict[int, Any] = {}  # the objects behind `raw`, for a full rewrite

    # ---- object bookkeeping
    def original(self, loc: Loc) -> Any:
        from pypdf.generic import IndirectObject

        obj = self.p.reader.get_object(IndirectObject(loc[0], loc[1], self.p.reader))
        for step in loc[2]:
            obj = obj[step].get_object() if isinstance(step, int) else obj.raw_get(step).get_object()
        return obj

    def edit(self, loc: Loc) -> Any:
        """Return an editable copy of the dictionary at `loc` (copying its object once per fill)."""
        from pypdf.generic import IndirectObject, NameObject

        idnum, generation, path = loc
        if idnum not in self.objects:
            top = self.p.reader.get_object(IndirectObject(idnum, generation, self.p.reader))
            copy = _copy(top)
            for key, value in self.patches.pop(idnum, {}).items():
                if value is None:
                    copy.pop(key, None)
                else:
                    copy[NameObject(key)] = value
            self.objects[idnum] = (generation, copy)
        obj = self.objects[idnum][1]
        for step in path:
            obj = obj[step] if isinstance(step, int) else obj.raw_get(step)
        return obj

    def deref(self, obj: Any) -> Any:
        """Resolve a reference, including those to objects this fill added."""
        idnum = getattr(obj, "idnum", None)
        if idnum is None:
            return obj
        if idnum in self.objects:
            return self.objects[idnum][1]
        return obj.get_object()

    def current(self, loc: Loc) -> Any:
        return self.edit(loc) if loc[0] in self.objects or loc[0] in self.patches else self.original(loc)

    def put(self, loc: Loc, key: str, value: Any) -> None:
        """Set (or with None, remove) `key` of the dictionary at `loc`.

        A top-level dictionary is only patched: at the end its untouched entries come from a
        per-form cache of their serialized bytes, which is what makes repeated fills cheap.
        """
        from pypdf.generic import NameObject

        idnum, generation, path = loc
        if not path and idnum not in self.objects:
            self.patches.setdefault(idnum, {})[key] = value
            self.generations[idnum] = generation
            return
        target = self.edit(loc)
        if value is None:
            target.pop(key, None)
        else:
            target[NameObject(key)] = value

    def materialize(self) -> None:
        """Turn every patch into a full copy (flattening and rewriting need real objects)."""
        for idnum in list(self.patches):
            self.edit((idnum, self.generations[idnum], ()))

    def add(self, obj: Any) -> Any:
        from pypdf.generic import IndirectObject

        idnum = self.next_id
        self.next_id += 1
        self.objects[idnum] = (0, obj)
        return IndirectObject(idnum, 0, None)

    # ---- the fill
    def run(self, checked: list[tuple[_Field, str | bool]], *, flatten: bool, need_appearances: bool) -> bytes:
        from pypdf.generic import BooleanObject, DictionaryObject

        self._pick_fonts(checked)
        for f, value in checked:
            getattr(self, f"_fill_{f.type}")(f, value)
        if self.p.acroform is not None:
            acroform = self.original(self.p.acroform)
            # Viewers honouring /NeedAppearances redraw fields with the form's font and drop
            # glyphs it lacks; once every widget carries an appearance the flag only does harm.
            stale = bool(acroform.get("/NeedAppearances")) and self.p.all_have_ap and not need_appearances
            if self.p.has_xfa:
                self.put(self.p.acroform, "/XFA", None)
            if stale:
                self.put(self.p.acroform, "/NeedAppearances", None)
            if need_appearances and not flatten:
                self.put(self.p.acroform, "/NeedAppearances", BooleanObject(True))
        root = self.original(self.p.root)
        if "/NeedsRendering" in root:
            self.put(self.p.root, "/NeedsRendering", None)
        perms = root.get("/Perms")
        perms = perms.get_object() if perms is not None else None
        if hasattr(perms, "keys") and ("/UR3" in perms or "/UR" in perms):
            # a usage-rights signature covers the unfilled file: once we change it, Reader would
            # report the document as altered, so drop the signature (as Acrobat does on save)
            kept = DictionaryObject({k: perms.raw_get(k) for k in perms if k not in ("/UR3", "/UR")})
            self.put(self.p.root, "/Perms", kept if kept else None)
        if flatten:
            self.materialize()
            return self._flatten()
        if not (self.objects or self.patches or self.raw):
            return self.p.data
        if self.p.prev_xref is None:
            self.materialize()
            return self._rewrite(set())
        raw = dict(self.raw)
        for idnum, patch in self.patches.items():
            raw[idnum] = (self.generations[idnum], self._patched_bytes(idnum, patch))
        return write.incremental_update(
            self.p.data,
            self.objects,
            raw=raw,
            trailer=self.p.reader.trailer,
            prev_xref=self.p.prev_xref,
            size=self.p.size,
            xref_stream=self.p.xref_stream,
            encrypt=self.p.encrypt,
        )

    def _rewrite(self, dropped: set[int]) -> bytes:
        from pypdf.generic import IndirectObject, NullObject

        def resolve(idnum: int, generation: int) -> Any:
            if idnum in dropped:
                return None
            if idnum in self.objects:
                return self.objects[idnum][1]
            if idnum in self.raw_objects:
                return self.raw_objects[idnum]
            obj = self.p.reader.get_object(IndirectObject(idnum, generation, self.p.reader))
            return None if obj is None or isinstance(obj, NullObject) else obj

        return write.full_rewrite(resolve, trailer=self.p.reader.trailer, header=self.p.header, encrypt=self.p.encrypt)

    def _set_value(self, f: _Field, value: Any) -> None:

        for loc in f.nodes:
            self.put(loc, "/V", value)

    def _fill_text(self, f: _Field, value: str) -> None:
        self._set_value(f, _text_string(value))
        comb = f.max_length if f.flags & _COMB and f.max_length else 0
        for w in f.widgets:
            font = self.fonts[id(w)]
            width, height = _box(w)
            content = appear.text_stream(
                value, width, height, font, w.style,
                multiline=bool(f.flags & _MULTILINE), comb=comb, password=bool(f.flags & _PASSWORD),
            )
            self._set_normal_appearance(w, content, font, width, height)

    def _fill_choice(self, f: _Field, value: str) -> None:
        from pypdf.generic import ArrayObject, NumberObject

        self._set_value(f, _text_string(value))
        index = f.options.index(value) if value in f.options else None
        for loc in f.nodes:
            self.put(loc, "/I", None if index is None else ArrayObject([NumberObject(index)]))
        shown = f.display[index] if index is not None else value
        for w in f.widgets:
            width, height = _box(w)
            font = self.fonts[id(w)]
            if f.flags & _COMBO:
                content = appear.text_stream(shown, width, height, font, w.style)
            else:
                content = appear.list_stream(f.display, index, f.top_index, width, height, font, w.style)
            self._set_normal_appearance(w, content, font, width, height)

    def _fill_checkbox(self, f: _Field, value: bool) -> None:
        state = (f.options[0] if f.options else "Yes") if value else "Off"
        self._set_states(f, state)

    def _fill_radio(self, f: _Field, value: str) -> None:
        self._set_states(f, value)

    def _set_states(self, f: _Field, state: str) -> None:
        from pypdf.generic import NameObject

        self._set_value(f, NameObject("/" + state))
        for w in f.widgets:
            on = state if state in w.states else "Off"
            self.put(w.loc, "/AS", NameObject("/" + on))
            if not w.has_ap:
                self._add_check_appearance(w, state)

    def _fill_signature(self, f: _Field, value: Any) -> None:  # pragma: no cover - refused in _check
        raise FormError(f"{f.name}: signature fields cannot be filled")

    _fill_button = _fill_signature

    # ---- appearances
    def _set_normal_appearance(self, w: _Widget, content: bytes, font: Any, width: float, height: float) -> None:
        from pypdf.generic import (
            ArrayObject,
            DictionaryObject,
            FloatObject,
            NameObject,
            StreamObject,
        )

        stream = StreamObject()
        stream[NameObject("/Type")] = NameObject("/XObject")
        stream[NameObject("/Subtype")] = NameObject("/Form")
        stream[NameObject("/BBox")] = ArrayObject([FloatObject(0), FloatObject(0), _num(width), _num(height)])
        matrix = _ROTATIONS.get(w.rotation)
        if matrix:
            stream[NameObject("/Matrix")] = ArrayObject(_num(v) for v in matrix)
        font_dict = DictionaryObject({NameObject("/" + w.style.font_name): self._font_ref(font)})
        stream[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): font_dict})
        stream.set_data(content)
        ref = self.add(stream)
        self.put(w.loc, "/AP", DictionaryObject({NameObject("/N"): ref}))

    def _add_check_appearance(self, w: _Widget, state: str) -> None:
        from pypdf.generic import (
            ArrayObject,
            DictionaryObject,
            FloatObject,
            NameObject,
            StreamObject,
        )

        width, height = _box(w)
        size = min(width, height) * 0.8
        on = (
            f"q BT /ZaDb {size:.2f} Tf 0 g {(width - size * 0.7) / 2:.2f} {(height - size * 0.7) / 2:.2f} Td (4) Tj ET Q"
        ).encode()
        appearances = DictionaryObject()
        for name, content in ((state if state != "Off" else "Yes", on), ("Off", b"")):
            stream = StreamObject()
            stream[NameObject("/Type")] = NameObject("/XObject")
            stream[NameObject("/Subtype")] = NameObject("/Form")
            stream[NameObject("/BBox")] = ArrayObject([FloatObject(0), FloatObject(0), _num(width), _num(height)])
            zadb = DictionaryObject({
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/ZapfDingbats"),
            })
            stream[NameObject("/Resources")] = DictionaryObject(
                {NameObject("/Font"): DictionaryObject({NameObject("/ZaDb"): zadb})}
            )
            stream.set_data(content)
            appearances[NameObject("/" + name)] = self.add(stream)
        self.put(w.loc, "/AP", DictionaryObject({NameObject("/N"): appearances}))

    def _pick_fonts(self, checked: list[tuple[_Field, str | bool]]) -> None:
        """Choose every widget's font and number the font objects first, so that the same fonts
        get the same object numbers in every fill and their bytes can be reused."""
        for f, value in checked:
            if f.type not in ("text", "choice") or not isinstance(value, str):
                continue
            index = f.options.index(value) if f.type == "choice" and value in f.options else None
            shown = f.display[index] if index is not None else value
            for w in f.widgets:
                texts = [shown] if f.type == "text" or f.flags & _COMBO else (f.display or [value])
                font = fonts.pick_font(w.base_font, texts)
                self.fonts[id(w)] = font
                self._font_ref(font)

    def _font_ref(self, font: Any) -> Any:
        from pypdf.generic import IndirectObject

        ref = self.font_refs.get(font.key)
        if ref is not None:
            return ref
        start = self.next_id
        cached = self.p.font_cache.get((font.key, start))
        if cached is None:
            top = self.add(_font_object(self, font))
            cached = []
            for idnum in range(start, self.next_id):
                generation, obj = self.objects.pop(idnum)
                cached.append((idnum, write.object_body(idnum, generation, obj, self.p.encrypt), obj))
            self.p.font_cache[(font.key, start)] = cached
        else:
            top = IndirectObject(cached[-1][0], 0, None)
            self.next_id = cached[-1][0] + 1
        for idnum, body, obj in cached:
            self.raw[idnum] = (0, body)
            self.raw_objects[idnum] = obj
        self.font_refs[font.key] = top
        return top

    def _patched_bytes(self, idnum: int, patch: dict[str, Any]) -> bytes:
        """Return the body of dictionary `idnum` with `patch` applied, from cached entry bytes."""
        from pypdf.generic import IndirectObject, NameObject

        generation = self.generations[idnum]
        keys = frozenset(patch)
        base = self.p.entry_cache.get((idnum, keys))
        if base is None:
            original = self.p.reader.get_object(IndirectObject(idnum, generation, self.p.reader))
            base = write.entries_bytes(
                [(k, v) for k, v in original.items() if k not in keys], idnum, generation, self.p.encrypt
            )
            self.p.entry_cache[(idnum, keys)] = base
        extra = write.entries_bytes(
            [(NameObject(k), v) for k, v in sorted(patch.items()) if v is not None], idnum, generation, self.p.encrypt
        )
        return b"<<\n" + base + extra + b">>"

    # ---- flattening
    def _flatten(self) -> bytes:
        from pypdf.generic import (
            ArrayObject,
            DictionaryObject,
            IndirectObject,
            NameObject,
            StreamObject,
        )

        dropped: set[int] = set()
        for f in self.p.fields:
            for loc in f.nodes + [w.loc for w in f.widgets]:
                if loc[2] == ():
                    dropped.add(loc[0])
        for page_loc in self.p.pages:
            if page_loc[0] == 0:
                continue
            page = self.original(page_loc)
            annots_raw = page.raw_get("/Annots") if "/Annots" in page else None
            if annots_raw is None:
                continue
            annots = annots_raw.get_object() or []
            keep: list[Any] = []
            draws: list[str] = []
            xobjects: dict[str, Any] = {}
            for item in annots:
                annot = item.get_object()
                if not hasattr(annot, "get") or annot.get("/Subtype") != "/Widget":
                    keep.append(item)
                    continue
                if isinstance(item, IndirectObject):
                    annot = self.current((item.idnum, item.generation, ()))
                    dropped.add(item.idnum)
                ref = self._appearance_ref(annot)
                if ref is None or int(annot.get("/F", 0) or 0) & (2 | 32):
                    continue
                cm = _placement(annot, self.deref(ref))
                if cm is None:
                    continue
                name = f"SCFlat{len(xobjects)}"
                xobjects[name] = ref
                draws.append(f"q {' '.join(_fmtn(v) for v in cm)} cm /{name} Do Q")
            if len(keep) == len(annots):
                continue
            page = self.edit(page_loc)
            if keep:
                page[NameObject("/Annots")] = ArrayObject(keep)
            else:
                page.pop("/Annots", None)
            if not draws:
                continue
            resources = _copy(_inherited(self.original(page_loc), "/Resources") or DictionaryObject())
            xdict = resources.get("/XObject")
            xdict = _copy(xdict.get_object()) if xdict is not None else DictionaryObject()
            for name, ref in xobjects.items():
                xdict[NameObject("/" + name)] = ref
            resources[NameObject("/XObject")] = xdict
            page[NameObject("/Resources")] = resources
            contents_raw = page.raw_get("/Contents") if "/Contents" in page else None
            contents = contents_raw.get_object() if contents_raw is not None else None
            parts: list[Any] = []
            if isinstance(contents, list):
                parts = list(contents)
            elif contents is not None:
                parts = [contents_raw]
            before = StreamObject()
            before.set_data(b"q\n")
            after = StreamObject()
            after.set_data(("Q\n" + "\n".join(draws) + "\n").encode("latin-1"))
            page[NameObject("/Contents")] = ArrayObject([self.add(before), *parts, self.add(after)])
        root = self.edit(self.p.root)
        root.pop("/AcroForm", None)
        if self.p.acroform is not None and self.p.acroform[2] == ():
            dropped.add(self.p.acroform[0])
        return self._rewrite(dropped)

    def _appearance_ref(self, annot: Any) -> Any:
        from pypdf.generic import IndirectObject

        ap: Any = self.deref(annot.raw_get("/AP")) if "/AP" in annot else None
        if not hasattr(ap, "get") or "/N" not in ap:
            return None
        normal = ap.raw_get("/N")
        target: Any = self.deref(normal)
        if hasattr(target, "get_data"):
            return normal if isinstance(normal, IndirectObject) else None
        state = annot.get("/AS")
        if state is None or state not in target:
            return None
        ref = target.raw_get(state)
        return ref if isinstance(ref, IndirectObject) else None


_ROTATIONS: dict[int, tuple[int, ...]] = {90: (0, 1, -1, 0, 0, 0), 180: (-1, 0, 0, -1, 0, 0), 270: (0, -1, 1, 0, 0, 0)}


def _box(w: _Widget) -> tuple[float, float]:
    x0, y0, x1, y1 = w.rect
    width, height = x1 - x0, y1 - y0
    return (height, width) if w.rotation in (90, 270) else (width, height)


def _num(value: float) -> Any:
    from pypdf.generic import FloatObject, NumberObject

    return NumberObject(int(value)) if float(value).is_integer() else FloatObject(round(float(value), 4))


def _fmtn(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _inherited(page: Any, key: str) -> Any:
    node = page
    for _ in range(64):
        if node is None:
            return None
        if key in node:
            return node[key].get_object()
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return None


def _placement(annot: Any, stream: Any) -> tuple[float, ...] | None:
    """Return the matrix mapping the appearance's transformed /BBox onto the widget's /Rect."""
    try:
        bx0, by0, bx1, by1 = (float(v) for v in stream["/BBox"])
        a, b, c, d, e, f = (float(v) for v in stream.get("/Matrix", [1, 0, 0, 1, 0, 0]))
        rx0, ry0, rx1, ry1 = (float(v) for v in annot["/Rect"])
    except (KeyError, TypeError, ValueError):
        return None
    corners = [(x * a + y * c + e, x * b + y * d + f) for x in (bx0, bx1) for y in (by0, by1)]
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    tx0, tx1, ty0, ty1 = min(xs), max(xs), min(ys), max(ys)
    rx0, rx1 = sorted((rx0, rx1))
    ry0, ry1 = sorted((ry0, ry1))
    if tx1 - tx0 <= 0 or ty1 - ty0 <= 0:
        return None
    sx = (rx1 - rx0) / (tx1 - tx0)
    sy = (ry1 - ry0) / (ty1 - ty0)
    return (sx, 0.0, 0.0, sy, rx0 - tx0 * sx, ry0 - ty0 * sy)


def _text_string(value: str) -> Any:
    """Encode a field value: plain ASCII as is, anything else as UTF-16BE with a BOM.

    PDFDocEncoding would cover some accented letters, but UTF-16 round-trips every string
    exactly in every reader, which is what the read-back guarantee needs.
    """
    import codecs

    from pypdf.generic import TextStringObject

    text = TextStringObject(value)
    if not all(" " <= ch <= "~" or ch in "\t\n\r" for ch in value):
        text.autodetect_utf16 = True
        text.autodetect_pdfdocencoding = False
        text.utf16_bom = codecs.BOM_UTF16_BE
    return text


def _font_object(filler: _Filler, font: Any) -> Any:
    """Return the /Font dictionary for `font`, adding the embedded font's parts to the update."""
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        NameObject,
        NumberObject,
        StreamObject,
        TextStringObject,
    )

    def name(value: str) -> NameObject:
        return NameObject("/" + value)

    if isinstance(font, fonts.StandardFont):
        return DictionaryObject({
            name("Type"): name("Font"),
            name("Subtype"): name("Type1"),
            name("BaseFont"): name(font.base),
            name("Encoding"): name("WinAnsiEncoding"),
        })
    file_stream = StreamObject()
    file_stream[name("Length1")] = NumberObject(font.font_file_length1)
    file_stream[name("Filter")] = name("FlateDecode")
    file_stream._data = font.font_file
    descriptor = DictionaryObject({
        name("Type"): name("FontDescriptor"),
        name("FontName"): name(font.ps_name),
        name("Flags"): NumberObject(32),
        name("FontBBox"): ArrayObject(NumberObject(v) for v in font.bbox),
        name("ItalicAngle"): NumberObject(0),
        name("Ascent"): NumberObject(round(font.ascent * 1000)),
        name("Descent"): NumberObject(round(font.descent * 1000)),
        name("CapHeight"): NumberObject(round(font.ascent * 1000)),
        name("StemV"): NumberObject(80),
        name("FontFile2"): filler.add(file_stream),
    })
    cid = DictionaryObject({
        name("Type"): name("Font"),
        name("Subtype"): name("CIDFontType2"),
        name("BaseFont"): name(font.ps_name),
        name("CIDSystemInfo"): DictionaryObject({
            name("Registry"): TextStringObject("Adobe"),
            name("Ordering"): TextStringObject("Identity"),
            name("Supplement"): NumberObject(0),
        }),
        name("FontDescriptor"): filler.add(descriptor),
        name("CIDToGIDMap"): name("Identity"),
        name("DW"): NumberObject(1000),
        name("W"): ArrayObject([NumberObject(0), ArrayObject(NumberObject(w) for w in font.widths)]),
    })
    to_unicode = StreamObject()
    to_unicode.set_data(font.to_unicode())
    return DictionaryObject({
        name("Type"): name("Font"),
        name("Subtype"): name("Type0"),
        name("BaseFont"): name(font.ps_name),
        name("Encoding"): name("Identity-H"),
        name("DescendantFonts"): ArrayObject([filler.add(cid)]),
        name("ToUnicode"): filler.add(to_unicode),
    })
