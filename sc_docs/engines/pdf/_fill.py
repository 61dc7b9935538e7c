"""One fill of a parsed form: the changed dictionaries, new appearances and fonts, and the output.

Top-level dictionaries are patched rather than copied: their untouched entries are serialized
(and encrypted) once per form and reused, which is most of why a repeated fill is cheap.
Flattening materializes every change and rewrites the file without the form.
"""

from __future__ import annotations

from typing import Any

from sc_docs.engines.pdf import _appear as appear
from sc_docs.engines.pdf import _font as fonts
from sc_docs.engines.pdf import _write as write
from sc_docs.engines.pdf._parse import (
    _COMB,
    _COMBO,
    _MULTILINE,
    _PASSWORD,
    Loc,
    _Field,
    _Parsed,
    _Widget,
)
from sc_docs.errors import FormError


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
        perms: Any = root.get("/Perms")
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
