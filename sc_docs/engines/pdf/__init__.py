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
    (text/choice: str or None; checkbox: bool, or the state's name when it has several on-states;
    radio: the selected option or None), `options` (a checkbox's on-states, a radio group's
    states, a choice's export values), `page` (1-based, of the first widget on a page; None when
    no widget is on any page), `max_length`, `multiline`, `readonly` and `orphan` (a widget on a
    page that /AcroForm /Fields does not reach, as XFA converters leave: listed and fillable).

`Form.fill(values, **options) -> bytes` and `Form.fill_report(values, **options) -> FillReport`
    `values` maps field names to a `str` (text, choice, radio option, a checkbox's on-state) or
    a `bool` (checkbox; true only when it has exactly one on-state). Every value is checked
    first; any unknown name (with a did-you-mean), wrong type, value not offered (an editable
    combo box takes any text), text longer than /MaxLen or read-only field (unless
    `include_readonly=True`) raises one `FormError` listing every problem and what is valid, and
    nothing is written. Radio groups and checkboxes get /V and /AS on every widget (a widget with
    no appearance gets a drawn ZapfDingbats check); text and choice widgets get a new normal
    appearance (/AP /N) in a standard font (bold and italic kept) when WinAnsi covers the value,
    else the form's own Unicode (UniJIS/UniGB/...) font, else embedded subsets from a fallback
    chain (`SC_DOCS_PDF_FONT`, DejaVu, Noto Sans CJK; a value no single font covers is drawn in
    runs). A character no font covers raises `MissingGlyphError` unless
    `allow_missing_glyphs=True`. Text is shrunk to fit but never below `min_font_size` (6 pt);
    a value that still does not fit goes whole onto an addendum page appended to the document
    and its field reads "see Addendum, item N" (`FillReport.addendum`). Active content
    (/OpenAction, /AA, document JavaScript, JavaScript or launch actions on widgets) is removed
    unless `keep_scripts=True` (`FillReport.scripts_removed`). `FillReport.warnings` names filled
    fields with no widget on any page.
    The result is an incremental update: the original bytes followed by the changed objects and a
    new cross-reference section (table or stream, matching the original). Owner-password files
    stay encrypted with the same key. Hybrid XFA forms lose /XFA so the AcroForm values show.
    `flatten=True` draws every widget's appearance into its page as a form XObject and rewrites the
    file without widgets or /AcroForm. `need_appearances=True` also sets /NeedAppearances; it is
    off by default because viewers then redraw every field with the form's own font, which can
    lack the glyphs we embedded, and Acrobat asks to save on closing.
    Output is deterministic: same form and values give byte-identical bytes.

`preload_fonts()`
    Build the embedded Latin subset now: for a worker's start-up, so its first fill is not slower.

`share_font_subsets(folder)`
    Processes given the same folder build each embedded subset once between them (a batch's workers).

Speed: parsing, the serialized bytes of untouched dictionary entries and of embedded fonts are
cached per form, so a repeated fill costs a few milliseconds (`benchmarks/fill.py` compares it
with pypdf's clone-and-write). Fills of one cached form take turns under a lock.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sc_docs.engines.pdf import _font, _subsets
from sc_docs.engines.pdf._fill import Filler, Options
from sc_docs.engines.pdf._parse import (
    EDIT,
    MULTILINE,
    READONLY,
    FieldType,
    ParsedField,
    ParsedForm,
    UnreadableFormError,
    parse_form,
    quiet,
)
from sc_docs.errors import FormError

__all__ = [
    "AddendumItem", "FieldInfo", "FillReport", "Form", "FormError", "MissingGlyphError", "UnreadableFormError",
    "open_form", "preload_fonts", "share_font_subsets",
]

MissingGlyphError = _font.MissingGlyphError
DEFAULT_MIN_FONT_SIZE = 6.0

_CACHE_SIZE = 16
MAX_FORM_BYTES = 100 * 1024 * 1024  # far above any real form, far below running out of memory


# Plain frozen dataclasses, not pydantic models: a packet with a form would otherwise import
# pydantic for these three records alone (a tenth of a one-sheet packet's time).
@dataclass(frozen=True)
class FieldInfo:
    """One fillable field as a user sees it."""

    name: str
    type: FieldType
    value: str | bool | None = None
    options: list[str] = field(default_factory=list)
    page: int | None = None
    max_length: int | None = None
    multiline: bool = False
    readonly: bool = False
    orphan: bool = False  # a widget on a page that the form's field list does not reach

    def model_dump(self) -> dict[str, Any]:
        """Return the fields as a dict, in order (what `sc-docs fields --json` prints)."""
        return asdict(self)


@dataclass(frozen=True)
class AddendumItem:
    """A value too long for its field at the minimum font size, printed on the addendum page."""

    item: int
    field: str
    characters: int


@dataclass(frozen=True)
class FillReport:
    """What one fill produced: the PDF, and what a person should know about it."""

    data: bytes
    warnings: list[str] = field(default_factory=list)
    addendum: list[AddendumItem] = field(default_factory=list)
    scripts_removed: int = 0


def preload_fonts() -> None:
    """Build the embedded Latin font subset now (a worker's start-up), not on the first fill."""
    _font.preload()


def share_font_subsets(folder: str | os.PathLike[str] | None) -> None:
    """Share embedded font subsets with the other processes given the same `folder` (None: stop).

    The first process that needs a subset builds it and leaves it there; the others read it back
    instead of spending a second of CPU on the same CJK subset.
    """
    _subsets.share_in(folder)


_cache: OrderedDict[bytes, ParsedForm] = OrderedDict()
# (path, device, inode, size, modified, changed) -> the form last read from that file, so a
# packet naming the same file again neither reads nor hashes it
_by_stamp: OrderedDict[tuple[Any, ...], ParsedForm] = OrderedDict()
_lock = threading.Lock()


def open_form(source: str | Path | bytes, name: str | None = None) -> Form:
    """Return the form in `source` (a path or PDF bytes), parsing each distinct PDF once."""
    stamp: tuple[Any, ...] | None = None
    parsed: ParsedForm | None = None
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        label = name or "<form>"
        with _lock:  # the very bytes a form was parsed from need no hashing
            parsed = next((p for p in _cache.values() if p.data is data), None)
    else:
        path = Path(source)
        label = name or str(path)
        stamp = _stamp(path)
        with _lock:
            parsed = _by_stamp.get(stamp) if stamp is not None else None
        if parsed is None:
            data = _read_limited(path, label)
    if parsed is None:
        digest = hashlib.sha256(data).digest()
        with _lock:
            parsed = _cache.get(digest)
            if parsed is not None:
                _cache.move_to_end(digest)
        if parsed is None:
            parsed = parse_form(data, label)
            with _lock:
                _cache[digest] = parsed
                while len(_cache) > _CACHE_SIZE:
                    _cache.popitem(last=False)
        if stamp is not None:
            with _lock:
                _by_stamp[stamp] = parsed
                while len(_by_stamp) > _CACHE_SIZE:
                    _by_stamp.popitem(last=False)
    return Form(parsed, label)


def _stamp(path: Path) -> tuple[Any, ...] | None:
    """Return what identifies the file's current content without reading it, or None."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (str(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _read_limited(path: Path, label: str) -> bytes:
    """Read at most `MAX_FORM_BYTES` (+1 to notice more): a pipe or `/dev/zero` reports size 0."""
    too_big = f"is larger than {MAX_FORM_BYTES:,} bytes, the limit for PDF forms"
    try:
        if path.stat().st_size > MAX_FORM_BYTES:
            raise UnreadableFormError(too_big, form=label)
        with path.open("rb") as fh:
            data = fh.read(MAX_FORM_BYTES + 1)
    except IsADirectoryError:
        raise UnreadableFormError("is a folder, not a PDF form", form=label) from None
    except OSError as exc:
        raise UnreadableFormError(f"cannot read the form: {exc.strerror or exc}", form=label) from None
    if len(data) > MAX_FORM_BYTES:
        raise UnreadableFormError(too_big, form=label)
    return data


class Form:
    """A parsed AcroForm PDF; cheap to create, safe to fill many times."""

    def __init__(self, parsed: ParsedForm, name: str) -> None:
        self._parsed = parsed
        self.name = name

    @property
    def sha256(self) -> str:
        return self._parsed.digest.hex()

    def fields(self) -> list[FieldInfo]:
        """Return the fields in document order, one per fully qualified name."""
        return [_info(f) for f in self._parsed.fields]

    def fill(self, values: Mapping[str, str | bool], **options: Any) -> bytes:
        """Return the PDF with `values` filled in; `options` are `fill_report`'s keywords."""
        return self.fill_report(values, **options).data

    def fill_report(
        self,
        values: Mapping[str, str | bool],
        *,
        flatten: bool = False,
        need_appearances: bool = False,
        keep_scripts: bool = False,
        include_readonly: bool = False,
        allow_missing_glyphs: bool = False,
        min_font_size: float = DEFAULT_MIN_FONT_SIZE,
    ) -> FillReport:
        """Fill `values` and return the PDF with warnings and addendum items.

        `keep_scripts=False` removes active content (/OpenAction, /AA, JavaScript): a filled
        form is a record, not a program. Read-only fields are refused unless
        `include_readonly`. A character no font covers is an error unless
        `allow_missing_glyphs`. Text is never drawn below `min_font_size`: a value that does
        not fit goes to an addendum page and its field says where.
        """
        if min_font_size <= 0 or min_font_size > 72:
            raise FormError(f"the minimum font size must be between 0 and 72 points, not {min_font_size}",
                            form=self.name)
        checked = self._check(values, include_readonly=include_readonly)
        options = Options(flatten=flatten, need_appearances=need_appearances, keep_scripts=keep_scripts,
                          allow_missing_glyphs=allow_missing_glyphs, min_font_size=float(min_font_size))
        try:
            with self._parsed.lock, quiet():
                filler = Filler(self._parsed)
                data = filler.run(checked, options)
        except FormError as exc:
            if exc.form is None:  # name the form, keeping the kind of error (MissingGlyphError ...)
                exc.form = exc.file = self.name
            raise
        except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on damaged objects
            raise FormError(f"cannot fill the form: {type(exc).__name__}: {exc}", form=self.name) from None
        outcome = filler.outcome
        return FillReport(
            data=data,
            warnings=list(outcome.warnings),
            addendum=[AddendumItem(item=n, field=name, characters=len(v)) for n, name, v in outcome.addendum],
            scripts_removed=outcome.scripts_removed,
        )

    def _check(self, values: Mapping[str, str | bool], *, include_readonly: bool = False) -> list[tuple[ParsedField, str | bool]]:
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
            if problem is None and f.flags & READONLY and not include_readonly:
                problem = "is read-only (the form fills it itself); pass --include-readonly to fill it anyway"
            if problem:
                problems.append(f"{key}: {problem}")
        if problems:
            # One problem per line, each naming the form, as `validate` prints sheet problems.
            raise FormError(f"\n{self.name}: ".join(problems), form=self.name)
        wanted = {k: v for k, v in values.items()}
        return [(f, wanted[f.name]) for f in self._parsed.fields if f.name in wanted]


def _unknown(key: str, names: list[str]) -> str:
    if not names:
        return f"unknown field {key!r}: this PDF has no fillable fields"
    near = difflib.get_close_matches(key, names, n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(repr(n) for n in near)}?)" if near else ""
    shown = ", ".join(names[:25]) + (f", ... ({len(names) - 25} more)" if len(names) > 25 else "")
    return f"unknown field {key!r}{hint}; fields are: {shown}"


def _check_value(f: ParsedField, value: object) -> str | None:
    """Return why `value` does not fit `f`, or None."""
    kind = f.type
    if kind in ("signature", "button"):
        return f"is a {kind} field and cannot be filled"
    if kind == "checkbox":
        if isinstance(value, bool):
            if value and len(f.options) > 1:
                return (f"has several on-states ({', '.join(f.options)}): give one of them by name, "
                        "not true")
            return None
        if isinstance(value, str) and (value in f.options or value == "Off") and len(f.options) > 1:
            return None
        if isinstance(value, str) and value in f.options:
            return None
        if len(f.options) > 1:
            return f"takes one of its states {', '.join(repr(o) for o in f.options)} or false, not {_short(value)}"
        return f"a checkbox takes true or false, not {_short(value)}"
    if not isinstance(value, str):
        expected = {"text": "text", "radio": "one of the options", "choice": "one of the options"}[kind]
        return f"a {kind} field takes {expected} (a string), not {_short(value)}"
    if kind == "text":
        if f.max_length is not None and len(value) > f.max_length:
            return f"takes at most {f.max_length} characters, got {len(value)} ({_short(value)})"
        return None
    if kind == "choice" and f.flags & EDIT:
        return None
    if value not in f.options:
        return f"{_short(value)} is not offered; options are: {', '.join(repr(o) for o in f.options)}"
    return None


def _short(value: object, limit: int = 40) -> str:
    """Return `repr(value)`, cut to `limit` characters: an error line must stay a line."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def _info(f: ParsedField) -> FieldInfo:
    return FieldInfo(
        name=f.name,
        type=f.type,
        value=f.value,
        options=list(f.options),
        page=next((w.page for w in f.widgets if w.page is not None), None),
        max_length=f.max_length,
        multiline=bool(f.type == "text" and f.flags & MULTILINE),
        readonly=bool(f.flags & READONLY),
        orphan=f.orphan,
    )
