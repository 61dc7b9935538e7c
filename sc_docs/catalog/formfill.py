"""Fill a catalog entry of kind `form` from an applicant record, through its field map.

The PDF engine knows fields, not applicants; this module knows both. A form's folder holds the
PDF and `fields.yaml`, which names for every PDF field the path its value comes from and small
transforms (join, date, map, format, optional). Paths start at the record (`applicant.*`,
`documents.<key>.*`) or at the entry's contract context (`form.*` for its own section,
`document.*` for its metadata). Changing a form or the record layout is a data change, and
`check_field_map` lints one against the other. The same rules fill workbook cells.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sc_docs import fieldpath
from sc_docs.errors import CatalogError, FormError

if TYPE_CHECKING:
    from sc_docs.catalog import Entry

_TRANSFORMS = {"path", "join", "date", "map", "format", "optional"}
SchemaLookup = Callable[[tuple[str | int, ...]], "dict[str, Any] | None"]


@dataclass(frozen=True)
class FieldRule:
    """How one PDF field gets its value: a record path and the transforms to apply."""

    pdf_field: str
    path: str
    join: str | None = None
    date: str | None = None
    map: Mapping[Any, str] | None = None
    format: str | None = None
    optional: bool = False
    parts: tuple[str | int, ...] = field(default=(), compare=False)


FieldMap = list[FieldRule]


def parse_field_map(data: Any, *, source: str = "fields.yaml") -> FieldMap:
    """Return the rules of a field map (`fields.yaml` content); raise `CatalogError` if malformed."""
    if not isinstance(data, Mapping):
        raise CatalogError(f"{source}: must map PDF field names to record paths")
    rules: FieldMap = []
    for name, spec in data.items():
        if isinstance(spec, str):
            spec = {"path": spec}
        if not isinstance(spec, Mapping) or not isinstance(spec.get("path"), str):
            raise CatalogError(f"{source}: {name}: give a record path, or a mapping with `path`")
        unknown = set(spec) - _TRANSFORMS
        if unknown:
            first = min(unknown)
            near = difflib.get_close_matches(first, _TRANSFORMS, n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            raise CatalogError(f"{source}: {name}: unknown transform {first!r}{hint}")
        fmt = spec.get("format")
        if fmt is not None:
            _check_format(str(fmt), f"{source}: {name}")
        rules.append(FieldRule(
            pdf_field=str(name), path=spec["path"], join=spec.get("join"), date=spec.get("date"),
            map=spec.get("map"), format=fmt, optional=bool(spec.get("optional", False)),
            parts=_parse_path(spec["path"], f"{source}: {name}"),
        ))
    return rules


def _check_format(fmt: str, where: str) -> None:
    """Allow only `{}`/`{name}` replacement fields with a format spec: no attribute or index access."""
    try:
        parsed = list(string.Formatter().parse(fmt))
    except ValueError as exc:
        raise CatalogError(f"{where}: bad format text: {exc}") from None
    for _, name, _, conversion in parsed:
        if name is None:
            continue
        if conversion or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*|", name):
            raise CatalogError(f"{where}: format fields must be {{}} or {{name}}, not {{{name}}}")


def _parse_path(path: str, where: str) -> tuple[str | int, ...]:
    try:
        return fieldpath.parse(path)
    except ValueError:
        raise CatalogError(f"{where}: bad record path {path!r}") from None


_MISSING = object()


def apply_rule(rule: FieldRule, value: Any) -> str | bool:
    """Return the form value for record `value` under `rule`'s transforms."""
    if rule.join is not None and isinstance(value, list):
        value = rule.join.join(str(v) for v in value)
    if rule.date is not None:
        when = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        value = when.strftime(rule.date)
    if rule.map is not None:
        if value in rule.map:
            value = rule.map[value]
        elif str(value) in rule.map:
            value = rule.map[str(value)]
        else:
            raise FormError(f"{rule.path}: no form option for {value!r} (field {rule.pdf_field})")
    if rule.format is not None:
        value = rule.format.format_map(value) if isinstance(value, Mapping) else rule.format.format(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, (Mapping, list)):
        raise FormError(f"{rule.path}: is a {type(value).__name__}; field {rule.pdf_field} needs a join or format")
    return str(value)


def form_values(record: Mapping[str, Any], mapping: FieldMap | Mapping[str, Any]) -> dict[str, str | bool]:
    """Return {PDF field: value} for `record` (an applicant record's data) under `mapping`.

    A path the record lacks is skipped when its rule is `optional`, else it is an error naming
    the path and the field.
    """
    rules = mapping if isinstance(mapping, list) else parse_field_map(mapping)
    values: dict[str, str | bool] = {}
    missing: list[str] = []
    for rule in rules:
        value = fieldpath.get(record, rule.parts, _MISSING)
        if value is _MISSING or value is None:
            if not rule.optional:
                missing.append(f"{rule.path}: missing in the record (needed for form field {rule.pdf_field})")
            continue
        values[rule.pdf_field] = apply_rule(rule, value)
    if missing:
        raise FormError("\n".join(missing))  # one problem per line
    return values


# --------------------------------------------------------------------------- the bundled form


@lru_cache(maxsize=8)
def _load_map(path: str, mtime: float) -> FieldMap:
    import yaml

    from sc_docs import yamlfile

    try:
        data = yamlfile.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"{path}: cannot read the field map: {exc}") from None
    return parse_field_map(data, source=path)


def load_field_map(path: Path) -> FieldMap:
    """Return the parsed field map at `path` (cached while the file is unchanged)."""
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read the field map: {exc.strerror or exc}") from None
    return _load_map(str(path), mtime)


def lookup_root(entry: Entry, record: Mapping[str, Any]) -> dict[str, Any]:
    """Return what map paths start from: the record, plus the entry's contract context."""
    from sc_docs.catalog.contract import build_context

    return {**record, **build_context(entry, record)}


def fill_form(entry: Entry, record: Mapping[str, Any], *, flatten: bool = False) -> bytes:
    """Return the PDF form of `entry` filled from `record` (an applicant record's data)."""
    from sc_docs.engines.pdf import open_form

    mapping = load_field_map(entry.file("fields"))
    form = open_form(entry.source_path)
    return form.fill(form_values(lookup_root(entry, record), mapping), flatten=flatten)


def warm(entries: list[Entry]) -> None:
    """Parse the forms of `entries` and read their field maps once, for a worker's start-up."""
    from sc_docs.engines.pdf import open_form, preload_fonts

    preload_fonts()
    for entry in entries:
        load_field_map(entry.file("fields"))
        open_form(entry.source_path)


# --------------------------------------------------------------------------- lint


def check_field_map(form: Any, mapping: FieldMap | Mapping[str, Any], schema_of: SchemaLookup) -> list[str]:
    """Return every problem between a form, its field map and the schema (`schema_of` a path).

    Every mapped field must exist in the PDF with a type its value fits (a boolean for a
    checkbox, an offered option for a radio group or dropdown, short enough text); every path
    must be known to `schema_of` (which returns None for an unknown path); every fillable field
    should be mapped.
    """
    rules = mapping if isinstance(mapping, list) else parse_field_map(mapping)
    infos = {i.name: i for i in form.fields()}
    problems: list[str] = []
    for rule in rules:
        info = infos.get(rule.pdf_field)
        if info is None:
            near = difflib.get_close_matches(rule.pdf_field, infos, n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            problems.append(f"{rule.pdf_field}: no such field in the PDF{hint}")
        target = schema_of(rule.parts)
        if target is None:
            problems.append(f"{rule.pdf_field}: record path {rule.path} is not in the schema")
            continue
        if info is not None:
            problems += _type_problems(rule, info, target)
    mapped = {r.pdf_field for r in rules}
    for name, info in infos.items():
        if name not in mapped and info.type not in ("button", "signature"):
            problems.append(f"{name}: form field is not mapped to any record path")
    return problems


def _type_problems(rule: FieldRule, info: Any, target: dict[str, Any]) -> list[str]:
    kind = target.get("type")
    produces_bool = kind == "boolean" and rule.map is None
    where = f"{rule.pdf_field}: {rule.path}"
    if info.type == "checkbox":
        return [] if produces_bool else [f"{where}: a checkbox needs a true/false value"]
    if produces_bool:
        return [f"{where}: a true/false value needs a checkbox or a `map`, not a {info.type} field"]
    if info.type in ("radio", "choice"):
        choices = _choices(rule, target)
        if choices is None:
            return [f"{where}: a {info.type} field needs an enum or a `map` to its options"]
        missing = sorted(str(c) for c in choices if c not in info.options)
        return [f"{where}: {', '.join(missing)} not offered by the {info.type} field"] if missing else []
    if info.type == "text" and kind in ("object", "array") and rule.join is None and rule.format is None:
        return [f"{where}: is an {kind}; add a join or format"]
    if info.type == "text" and info.max_length is not None:
        longest = _max_length(rule, target)
        if longest is not None and longest > info.max_length:
            return [f"{where}: values up to {longest} characters do not fit MaxLen {info.max_length}"]
    return []


def _choices(rule: FieldRule, target: dict[str, Any]) -> list[Any] | None:
    """Return every form value the rule can produce, or None when it cannot be known."""
    if rule.map is not None:
        return list(rule.map.values())
    if "enum" in target:
        return list(target["enum"])
    return None


def _max_length(rule: FieldRule, target: dict[str, Any]) -> int | None:
    if rule.date is not None or rule.map is not None or rule.format is not None or rule.join is not None:
        return None
    return target.get("maxLength")


def check_entry_map(entry: Entry) -> list[str]:
    """Return the lint problems of a catalog entry of kind `form` (its PDF against its field map)."""
    from sc_docs.catalog.lint import path_schema
    from sc_docs.engines.pdf import open_form

    mapping = load_field_map(entry.file("fields"))
    return check_field_map(open_form(entry.source_path), mapping, lambda parts: path_schema(entry, parts))
