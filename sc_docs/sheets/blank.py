"""Blank info sheets generated from the schemas, so a new applicant sees every field it must fill."""

from __future__ import annotations

import json
from typing import Any

from sc_docs.sheets.schema import ROOT, leaf_fields, load_schemas, subschema

_LIST_ROWS = {"street": 2, "scids": 2, "scid_choices": 3, "resources": 2, "contacts": 10, "contacts_24x7": 3,
              "affiliates": 3, "instruments": 3, "requested_scids": 3, "credit_ratings": 3}


def _placeholder(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if "const" in schema:
        return json.dumps(schema["const"])
    if kind == "boolean":
        return "false"
    if kind in ("number", "integer"):
        return ""
    return ""


def _describe(schema: dict[str, Any], required: bool) -> str:
    text = schema.get("description", "")
    if "enum" in schema:
        text += f" One of: {', '.join(map(str, schema['enum']))}."
    return ("(required) " if required else "(optional) ") + text


def blank_yaml() -> str:
    """Return a commented YAML sheet with every field of the applicant schema."""
    root = load_schemas()[ROOT]
    lines = [
        f"# {root['title']}: {root['description']}",
        "# Fill every (required) field; delete optional ones you do not need. Quote text that looks like",
        "# a number or a date (ZIP codes, phone numbers) so it stays text. Validate with: sc-docs validate FILE",
    ]
    _yaml_object(subschema(()) or {}, (), 0, lines, required=True)
    return "\n".join(lines) + "\n"


def _yaml_object(schema: dict[str, Any], path: tuple[str, ...], indent: int, lines: list[str], required: bool) -> None:
    needed = set(schema.get("required", []))
    pad = "  " * indent
    for name, _ in schema.get("properties", {}).items():
        sub = subschema((*path, name)) or {}
        req = required and name in needed
        desc = _describe(sub, req)
        kind = sub.get("type")
        lines.append(f"{pad}# {desc}")
        if kind == "object":
            lines.append(f"{pad}{name}:")
            _yaml_object(sub, (*path, name), indent + 1, lines, req)
        elif kind == "array":
            item = subschema((*path, name, 0)) or {}
            lines.append(f"{pad}{name}:")
            for _ in range(_LIST_ROWS.get(name, 1)):
                if item.get("type") == "object":
                    first = True
                    for child in item.get("properties", {}):
                        child_schema = subschema((*path, name, 0, child)) or {}
                        lead = f"{pad}  - " if first else f"{pad}    "
                        lines.append(f"{lead}{child}: {_placeholder(child_schema)}  # {_describe(child_schema, child in item.get('required', []))}")
                        first = False
                else:
                    lines.append(f"{pad}  - \"\"")
        else:
            lines.append(f"{pad}{name}: {_placeholder(sub)}".rstrip())


def blank_xlsx() -> bytes:
    """Return a workbook in the documented layout with one row per field (lists get spare rows)."""
    from sc_docs.sheets.schema import Field
    from sc_docs.sheets.xlsx_source import write_xlsx

    rows: list[Field] = []
    for f in leaf_fields():
        if "[]" in f.path or f.schema.get("type") == "array":
            base = f.path
            list_name = base.split("[]")[0].rsplit(".", 1)[-1] if "[]" in base else base.rsplit(".", 1)[-1]
            for i in range(_LIST_ROWS.get(list_name, 1)):
                path = base.replace("[]", f"[{i}]", 1) if "[]" in base else f"{base}[{i}]"
                if "[]" in base and f.schema.get("type") == "array":  # a list inside each list item
                    inner = base.rsplit(".", 1)[-1]
                    rows += [Field(f"{path}[{j}]", f.schema, False) for j in range(_LIST_ROWS.get(inner, 1))]
                    continue
                rows.append(Field(path, f.schema, f.required and i == 0))
        else:
            rows.append(f)
    return write_xlsx(None, rows)
