"""The edit form, generated from the composed JSON Schema, and the record it posts back.

Nothing here knows a section by name: every object in the schema becomes a fieldset, every list
gets add/remove rows, enums become selects, `format: date` a date input, and each field's
`description` its help text. When the record layout moves (say `agreements.<key>` to
`documents.<key>`), the form follows the schema.

Input names are field paths (`applicant.scids[0]`), parsed and set with `sc_docs.fieldpath`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sc_docs import fieldpath

FieldPath = tuple[str | int, ...]
PLACEHOLDER = "__I{depth}__"
_INT = re.compile(r"-?\d{1,18}")
_NUM = re.compile(r"-?\d{1,18}(\.\d{1,12})?")


@cache
def root_schema() -> dict[str, Any]:
    """Return the record schema with every `$ref` inlined (built once per process)."""
    from sc_docs.sheets.schema import ROOT, inline_refs, load_schemas

    return inline_refs(load_schemas()[ROOT], ROOT)  # type: ignore[no-any-return]


def _type(schema: dict[str, Any]) -> str:
    t = schema.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), "string")
    if t is None and "properties" in schema:
        return "object"
    if t is None and "const" in schema:
        return "integer" if isinstance(schema["const"], int) else "string"
    return str(t or "string")


# Words a field name spells in lower case that a label writes as the industry does.
_ACRONYMS = {"scid": "SCID", "scids": "SCIDs", "id": "ID", "ids": "IDs", "zip": "ZIP", "uaa": "UAA", "rims": "RIMS",
             "pki": "PKI", "eft": "EFT", "ecn": "ECN", "iso": "ISO", "sc": "SC", "url": "URL", "eim": "EIM"}


def label_of(key: str | int, schema: dict[str, Any]) -> str:
    """Return a field's label: its schema `title`, else its name in words (`rims_project_code`: RIMS project code)."""
    if schema.get("title"):
        return str(schema["title"])
    words = [_ACRONYMS.get(w, w) for w in str(key).split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


@dataclass
class Widget:
    """One rendered piece of the form: a section, a list or a field, at a concrete path."""

    kind: str  # "section" | "list" | "field"
    name: str  # the field path as text (input name); may hold index placeholders
    label: str
    help: str
    required: bool
    open: bool = True
    children: list[Widget] = field(default_factory=list)  # section: fields; list: rows
    template: Widget | None = None  # list: an empty row with a placeholder index
    placeholder: str = ""
    input: str = "text"  # "text" | "date" | "select" | "textarea"
    options: list[tuple[str, str]] = field(default_factory=list)
    value: str = ""
    depth: int = 0


def build(data: dict[str, Any] | None, *, fresh: bool = False) -> list[Widget]:
    """Return the form's top-level sections filled with `data` (`fresh`: a new, blank record)."""
    schema = root_schema()
    data = data if isinstance(data, dict) else {}
    needed = set(schema.get("required", []))
    out = []
    for key, sub in schema.get("properties", {}).items():
        out.append(_widget(sub, (key,), data.get(key), key in needed, 0, fresh))
    return out


def _widget(schema: dict[str, Any], path: FieldPath, value: Any, required: bool, depth: int, fresh: bool) -> Widget:
    name = fieldpath.format(path)
    key = path[-1]
    kind = _type(schema)
    label = label_of(key, schema) if not isinstance(key, int) else f"{label_of(path[-2], schema)} {key + 1}"
    help_ = str(schema.get("description", ""))
    if kind == "object" and "properties" in schema:
        needed = set(schema.get("required", []))
        values = value if isinstance(value, dict) else {}
        w = Widget("section", name, label, help_, required, open=required or bool(values), depth=depth)
        for child, sub in schema["properties"].items():
            w.children.append(_widget(sub, (*path, child), values.get(child), child in needed, depth, fresh))
        return w
    if kind == "array" and isinstance(schema.get("items"), dict):
        items = schema["items"]
        rows = value if isinstance(value, list) else ([] if value in (None, "") else [value])
        w = Widget("list", name, label, help_, required, depth=depth, placeholder=PLACEHOLDER.format(depth=depth))
        count = max(len(rows), 1 if required or fresh else 0)
        for i in range(count):
            w.children.append(_widget(items, (*path, i), rows[i] if i < len(rows) else None, False, depth + 1, fresh))
        template = _widget(items, path, None, False, depth + 1, fresh)
        template = _rename(template, name, f"{name}[{w.placeholder}]")
        w.template = template
        return w
    w = Widget("field", name, label, help_, required, depth=depth)
    w.value = _text(value if value is not None else (schema.get("const") if fresh and "const" in schema else None))
    if "enum" in schema or kind == "boolean":
        choices = [(str(v), str(v)) for v in schema["enum"]] if "enum" in schema else [("true", "yes"), ("false", "no")]
        if w.value and w.value not in {c for c, _ in choices}:
            choices.append((w.value, f"{w.value} (not allowed)"))  # keep what the file holds
        w.input, w.options = "select", [("", "(not given)"), *choices]
    elif schema.get("format") == "date" and (not w.value or _is_date(w.value)):
        w.input = "date"
    elif kind == "string" and int(schema.get("maxLength", 0)) > 400:
        w.input = "textarea"
    return w


def _rename(w: Widget, old: str, new: str) -> Widget:
    """Re-root a template row's names from `old` to `new` (which holds the placeholder)."""
    w.name = new + w.name[len(old):] if w.name.startswith(old) else w.name
    w.label = re.sub(r" \d+$", "", w.label) if w.kind != "field" else w.label
    for child in w.children:
        _rename(child, old, new)
    if w.template is not None:
        _rename(w.template, old, new)
    return w


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
        return len(text) == 10
    except ValueError:
        return False


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return ""  # a section where a value belongs: the validator names it
    return str(value)


def leaf_schema(path: FieldPath) -> dict[str, Any] | None:
    """Return the schema of the value at `path`, or None where the schema has no such field."""
    schema: Any = root_schema()
    for part in path:
        if isinstance(part, int):
            schema = schema.get("items") if isinstance(schema, dict) else None
        else:
            props = schema.get("properties") if isinstance(schema, dict) else None
            schema = props.get(part) if isinstance(props, dict) else None
        if not isinstance(schema, dict):
            return None
    return schema  # type: ignore[no-any-return]


def coerce(text: str, schema: dict[str, Any] | None) -> Any:
    """Return the typed value of `text` for `schema`; text that does not fit stays text."""
    kind = _type(schema or {})
    if kind == "boolean" and text in ("true", "false"):
        return text == "true"
    if kind == "integer" and _INT.fullmatch(text.strip()):
        return int(text)
    if kind == "number" and _NUM.fullmatch(text.strip()):
        return float(text) if "." in text else int(text)
    return text


def to_record(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Return the record a posted form describes; blanks mean "not given", other names are ignored."""
    data: dict[str, Any] = {}
    for name, text in pairs:
        if not text or name.startswith("_") or "__I" in name:
            continue
        try:
            path = fieldpath.parse(name)
        except ValueError:
            continue
        schema = leaf_schema(path)
        if schema is None or any(isinstance(p, int) and p > 999 for p in path):
            continue
        try:
            fieldpath.set(data, path, coerce(text, schema))
        except (TypeError, AttributeError, IndexError):
            continue  # two inputs claim the same spot as a value and as a section
    return _compact(data)  # type: ignore[no-any-return]


def _compact(node: Any) -> Any:
    """Drop removed list rows (left as None) and sections left empty."""
    if isinstance(node, dict):
        out = {k: _compact(v) for k, v in node.items()}
        return {k: v for k, v in out.items() if v not in ({}, [], None)}
    if isinstance(node, list):
        items = [_compact(v) for v in node]
        return [v for v in items if v not in ({}, [], None)]
    return node


def keep_unknown(old: Any, new: Any, schema: dict[str, Any] | None = None) -> Any:
    """Return `new` plus whatever `old` holds that the form cannot show (keys the schema lacks)."""
    schema = root_schema() if schema is None else schema
    if isinstance(old, dict) and isinstance(new, dict):
        props = schema.get("properties", {}) if isinstance(schema, dict) else {}
        out = dict(new)
        for key, value in old.items():
            if key not in props:
                out.setdefault(key, value)
            elif key in new:
                out[key] = keep_unknown(value, new[key], props[key])
        return out
    if isinstance(old, list) and isinstance(new, list):
        items = schema.get("items", {}) if isinstance(schema, dict) else {}
        return [keep_unknown(o, n, items) for o, n in zip(old, new)] + new[len(old):]
    return new


def unknown_paths(data: Any, schema: dict[str, Any] | None = None, path: FieldPath = ()) -> list[str]:
    """Return the paths in `data` the form has no field for (kept on save, shown as a note)."""
    schema = root_schema() if schema is None else schema
    out: list[str] = []
    if isinstance(data, dict):
        props = schema.get("properties", {}) if isinstance(schema, dict) else {}
        for key, value in data.items():
            if key not in props:
                out.append(fieldpath.format((*path, str(key))))
            else:
                out.extend(unknown_paths(value, props[key], (*path, key)))
    elif isinstance(data, list) and isinstance(schema.get("items"), dict):
        for i, value in enumerate(data):
            out.extend(unknown_paths(value, schema["items"], (*path, i)))
    return out
