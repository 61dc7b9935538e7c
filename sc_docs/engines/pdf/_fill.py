"""One fill of a parsed form: the changed dictionaries, new appearances and fonts, and the output.

Top-level dictionaries are patched rather than copied: their untouched entries are serialized
(and encrypted) once per form and reused, which is most of why a repeated fill is cheap.
Flattening materializes every change and rewrites the file without the form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    StreamObject,
)

from sc_docs.engines.pdf import _appear as appear
from sc_docs.engines.pdf import _font as fonts
from sc_docs.engines.pdf import _write as write
from sc_docs.engines.pdf._addendum import add_addendum
from sc_docs.engines.pdf._flatten import flatten as flatten_form
from sc_docs.engines.pdf._formfont import FormFont
from sc_docs.engines.pdf._objects import ROTATIONS, box, copy_object, font_object, num, text_string
from sc_docs.engines.pdf._parse import (
    COMB,
    COMBO,
    MULTILINE,
    PASSWORD,
    Loc,
    ParsedField,
    ParsedForm,
    Widget,
)
from sc_docs.errors import FormError


@dataclass(frozen=True)
class Options:
    """How one fill behaves (see `Form.fill`)."""

    flatten: bool = False
    need_appearances: bool = False
    keep_scripts: bool = False
    allow_missing_glyphs: bool = False
    min_font_size: float = 6.0


@dataclass
class Outcome:
    """What a fill did besides the bytes: warnings, and values moved to the addendum."""

    warnings: list[str] = field(default_factory=list)
    addendum: list[tuple[int, str, str]] = field(default_factory=list)  # (item, field, value)
    scripts_removed: int = 0


_HEADS_LIMIT = 65536  # cached appearance heads per form: a few per widget
_N = NameObject("/N")


class Filler:
    """One fill: the copied objects it changes and the objects it adds."""

    def __init__(self, parsed: ParsedForm) -> None:
        self.p = parsed
        self.objects: dict[int, tuple[int, Any]] = {}  # copied or new objects, serialized at the end
        self.raw: dict[int, tuple[int, bytes]] = {}  # objects already serialized
        # top-level dictionaries changed only in a few keys: {idnum: {key: value or None}}
        self.patches: dict[int, dict[str, Any]] = {}
        self.generations: dict[int, int] = {}
        self.next_id = parsed.size
        self.font_refs: dict[str, Any] = {}
        self.fonts: dict[int, Any] = {}  # id(widget) -> font chosen in the pre-pass
        self.refs_of: dict[str, tuple[tuple[int, int], ...]] = {}  # font key -> its objects' numbers
        self.raw_objects: dict[int, Any] = {}  # the objects behind `raw`, for a full rewrite
        self.options = Options()
        self.outcome = Outcome()
        self.direct = False

    # ---- object bookkeeping
    def original(self, loc: Loc) -> Any:
        obj = self.p.reader.get_object(IndirectObject(loc[0], loc[1], self.p.reader))
        for step in loc[2]:
            obj = obj[step].get_object() if isinstance(step, int) else obj.raw_get(step).get_object()
        return obj

    def edit(self, loc: Loc) -> Any:
        """Return an editable copy of the dictionary at `loc` (copying its object once per fill)."""
        idnum, generation, path = loc
        if idnum not in self.objects:
            top = self.p.reader.get_object(IndirectObject(idnum, generation, self.p.reader))
            copy = copy_object(top)
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
        idnum = self.next_id
        self.next_id += 1
        self.objects[idnum] = (0, obj)
        return IndirectObject(idnum, 0, None)

    # ---- the fill
    def run(self, checked: list[tuple[ParsedField, str | bool]], options: Options) -> bytes:
        self.options = options
        flatten, need_appearances = options.flatten, options.need_appearances
        # flattening and rewriting need real objects; an incremental update takes bytes
        self.direct = not flatten and self.p.prev_xref is not None
        self._pick_fonts(checked)
        for f, value in checked:
            if all(w.page is None for w in f.widgets):
                self.outcome.warnings.append(f"{f.name}: the field has no widget on any page, so its value "
                                             "is stored but not shown")
            self._fillers[f.type](self, f, value)
        if self.outcome.addendum:
            add_addendum(self, self.outcome.addendum)
        if not options.keep_scripts:
            for loc, key in self.p.scripts:
                self.put(loc, key, None)
            self.outcome.scripts_removed = len(self.p.scripts)
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
            return flatten_form(self)
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
            seed=self.p.digest,
        )

    def _rewrite(self, dropped: set[int]) -> bytes:
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

    def _set_value(self, f: ParsedField, value: Any) -> None:

        for loc in f.nodes:
            self.put(loc, "/V", value)

    def _fill_text(self, f: ParsedField, value: str) -> None:
        self._set_value(f, text_string(value))
        comb = f.max_length if f.flags & COMB and f.max_length else 0
        multiline, password = bool(f.flags & MULTILINE), bool(f.flags & PASSWORD)
        floor = self.options.min_font_size
        contents: list[tuple[Widget, Any, bytes | None]] = []
        fits = True
        for w in f.widgets:
            font = self.fonts[id(w)]
            width, height = box(w)
            content = appear.text_stream(value, width, height, font, w.style, multiline=multiline, comb=comb,
                                         password=password, floor=floor)
            if content is None and w.page is not None:
                fits = False
            contents.append((w, font, content))
        if not fits:
            note = self._to_addendum(f, value)
            shown: list[tuple[Widget, Any, bytes | None]] = []
            for w, font, _content in contents:
                if not isinstance(font, fonts.StandardFont):
                    font = fonts.StandardFont(fonts.standard_font_for(w.base_font))
                    self._font_ref(font)
                width, height = box(w)
                shown.append((w, font, appear.text_stream(note, width, height, font, w.style, multiline=multiline,
                                                          floor=floor, force=True)))
            contents = shown
        for w, font, content in contents:
            width, height = box(w)
            if content is None:  # a widget on no page: nobody sees it, draw it at the floor
                content = appear.text_stream(value, width, height, font, w.style, multiline=multiline,
                                             floor=floor, force=True)
            self._set_normal_appearance(w, content or b"", font, width, height)

    def _to_addendum(self, f: ParsedField, value: str) -> str:
        """Queue `value` for the addendum page; return the note the field shows instead."""
        item = len(self.outcome.addendum) + 1
        self.outcome.addendum.append((item, f.name, value))
        return f"see Addendum, item {item}"

    def _fill_choice(self, f: ParsedField, value: str) -> None:
        self._set_value(f, text_string(value))
        index = f.options.index(value) if value in f.options else None
        for loc in f.nodes:
            self.put(loc, "/I", None if index is None else ArrayObject([NumberObject(index)]))
        shown = f.display[index] if index is not None else value
        floor = self.options.min_font_size
        for w in f.widgets:
            width, height = box(w)
            font = self.fonts[id(w)]
            # a list or an offered option has finitely many looks: each drawn once per process
            key = (w.loc, font.key, index, floor) if index is not None else None
            content = self.p.choices.get(key) if key is not None else None
            if content is None:
                if f.flags & COMBO:
                    content = appear.text_stream(shown, width, height, font, w.style, floor=floor, force=True)
                else:
                    content = appear.list_stream(f.display, index, f.top_index, width, height, font, w.style)
                content = content or b""
                if key is not None and len(self.p.choices) < _HEADS_LIMIT:
                    self.p.choices[key] = content
            self._set_normal_appearance(w, content, font, width, height)

    def _fill_checkbox(self, f: ParsedField, value: bool | str) -> None:
        if isinstance(value, str):
            state = value
        else:
            state = (f.options[0] if f.options else "Yes") if value else "Off"
        self._set_states(f, state)

    def _fill_radio(self, f: ParsedField, value: str) -> None:
        self._set_states(f, value)

    def _set_states(self, f: ParsedField, state: str) -> None:
        self._set_value(f, NameObject("/" + state))
        for w in f.widgets:
            if not w.has_ap:
                # no appearance to pick a state from: draw a check for this state, as viewers do
                on = state if f.type == "checkbox" or len(f.widgets) == 1 else "Off"
                self.put(w.loc, "/AS", NameObject("/" + on))
                self._add_check_appearance(w, state)
                continue
            on = state if state in w.states else "Off"
            self.put(w.loc, "/AS", NameObject("/" + on))

    def _fill_signature(self, f: ParsedField, value: Any) -> None:  # pragma: no cover - refused in _check
        raise FormError(f"{f.name}: signature fields cannot be filled")

    _fill_button = _fill_signature
    _fillers: ClassVar[dict[str, Any]] = {
        "text": _fill_text, "choice": _fill_choice, "checkbox": _fill_checkbox, "radio": _fill_radio,
        "signature": _fill_signature, "button": _fill_button,
    }

    # ---- appearances
    def _set_normal_appearance(self, w: Widget, content: bytes, font: Any, width: float, height: float) -> None:
        if self.direct:
            # an incremental update: the stream's bytes straight from the widget's cached head
            refs = self._font_refs(font)
            key = (w.loc, w.style.font_name, refs)
            head = self.p.heads.get(key)
            if head is None:
                head = write.stream_head(self._appearance(w, font, width, height))
                if len(self.p.heads) < _HEADS_LIMIT:
                    self.p.heads[key] = head
            idnum = self.next_id
            self.next_id += 1
            encrypt = self.p.encrypt
            data = content if encrypt is None else encrypt.stream_data(content, idnum, 0)
            self.raw[idnum] = (0, write.stream_bytes(head, data))
            self.put(w.loc, "/AP", write.Raw(b"<</N %d 0 R\n>>" % idnum))  # as serialize writes it
            return
        stream = self._appearance(w, font, width, height)
        stream.set_data(content)
        self.put(w.loc, "/AP", DictionaryObject({_N: self.add(stream)}))

    def _appearance(self, w: Widget, font: Any, width: float, height: float) -> Any:
        """Return the normal appearance stream of `w` in `font`, without its content."""
        stream = StreamObject()
        stream[NameObject("/Type")] = NameObject("/XObject")
        stream[NameObject("/Subtype")] = NameObject("/Form")
        stream[NameObject("/BBox")] = ArrayObject([FloatObject(0), FloatObject(0), num(width), num(height)])
        matrix = ROTATIONS.get(w.rotation)
        if matrix:
            stream[NameObject("/Matrix")] = ArrayObject(num(v) for v in matrix)
        stream[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): self.font_resources(w.style.font_name, font)})
        return stream

    def _font_refs(self, font: Any) -> tuple[tuple[int, int], ...]:
        """Return the object numbers of `font`'s members (the key of a cached stream head)."""
        key = font.key
        refs = self.refs_of.get(key)
        if refs is None:
            members = getattr(font, "members", None) or (font,)
            refs = tuple((ref.idnum, ref.generation) for ref in map(self._font_ref, members))
            self.refs_of[key] = refs
        return refs

    def _add_check_appearance(self, w: Widget, state: str) -> None:
        width, height = box(w)
        size = min(width, height) * 0.8
        on = (
            f"q BT /ZaDb {size:.2f} Tf 0 g {(width - size * 0.7) / 2:.2f} {(height - size * 0.7) / 2:.2f} Td (4) Tj ET Q"
        ).encode()
        appearances = DictionaryObject()
        for name, content in ((state if state != "Off" else "Yes", on), ("Off", b"")):
            stream = StreamObject()
            stream[NameObject("/Type")] = NameObject("/XObject")
            stream[NameObject("/Subtype")] = NameObject("/Form")
            stream[NameObject("/BBox")] = ArrayObject([FloatObject(0), FloatObject(0), num(width), num(height)])
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

    def _pick_fonts(self, checked: list[tuple[ParsedField, str | bool]]) -> None:
        """Choose every widget's font and number the font objects first, so that the same fonts
        get the same object numbers in every fill and their bytes can be reused."""
        for f, value in checked:
            if f.type not in ("text", "choice") or not isinstance(value, str):
                continue
            index = f.options.index(value) if f.type == "choice" and value in f.options else None
            shown = f.display[index] if index is not None else value
            for w in f.widgets:
                texts = [shown] if f.type == "text" or f.flags & COMBO else (f.display or [value])
                try:
                    font = fonts.pick_font(w.base_font, texts, allow_missing=self.options.allow_missing_glyphs,
                                           own=w.own_font)
                except fonts.MissingGlyphError as exc:
                    raise fonts.MissingGlyphError(exc.chars, field=f.name) from None
                self.fonts[id(w)] = font
                for member in getattr(font, "members", None) or (font,):
                    self._font_ref(member)

    def font_resources(self, name: str, font: Any) -> Any:
        """Return a /Font resource dictionary naming `font` (each member of a chain) `name`, `name_1`, ..."""
        members = getattr(font, "members", None) or (font,)
        return DictionaryObject({
            NameObject("/" + (name if i == 0 else f"{name}_{i}")): self._font_ref(member)
            for i, member in enumerate(members)
        })

    def _font_ref(self, font: Any) -> Any:
        ref = self.font_refs.get(font.key)
        if ref is not None:
            return ref
        if isinstance(font, FormFont):  # the form's own font object: referenced, not copied
            ref = IndirectObject(font.ref[0], font.ref[1], None)
            self.font_refs[font.key] = ref
            return ref
        start = self.next_id
        cached = self.p.font_cache.get((font.key, start))
        if cached is None:
            top = self.add(font_object(self, font))
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
        generation = self.generations[idnum]
        keys = tuple(sorted(patch))
        base = self.p.entry_cache.get((idnum, keys))
        if base is None:
            original = self.p.reader.get_object(IndirectObject(idnum, generation, self.p.reader))
            base = write.entries_bytes(
                [(k, v) for k, v in original.items() if k not in keys], idnum, generation, self.p.encrypt
            )
            self.p.entry_cache[(idnum, keys)] = base
        encrypt = self.p.encrypt
        parts = [b"<<\n", base]
        for key in keys:
            value = patch[key]
            if value is None:
                continue
            if encrypt is not None:
                value = encrypt(value, idnum, generation)
            parts.append(b"%s %s\n" % (write.name_bytes(key), write.serialize(value)))
        parts.append(b">>")
        return b"".join(parts)
