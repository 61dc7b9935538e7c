"""Blank info sheets generated from the schemas, so a new applicant sees every field it must fill.

The blank sheet and the validator must agree: every field starts empty (an empty field is "not
given"), and a field is marked required exactly when the validator will ask for it, including
fields required only once their optional section (`application`, an agreement) is filled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sc_docs.sheets.schema import ROOT, leaf_fields, load_schemas, subschema

_LIST_ROWS = {"street": 2, "scids": 2, "scid_choices": 3, "resources": 2, "contacts": 10, "contacts_24x7": 3,
              "affiliates": 3, "instruments": 3, "requested_scids": 3, "credit_ratings": 3}


@dataclass(frozen=True)
class BlankRow:
    """One row of the blank workbook: the field path, its schema and when it is required.

    `required` is "yes", "if <section> is given" or "" (optional).
    """

    path: str
    schema: dict[str, Any]
    required: str


def _steps(path: str) -> list[str | int]:
    """Split `a.b[].c` (or `a.b[0].c`) into the parts `subschema` walks, `[]` as index 0."""
    parts: list[str | int] = []
    for piece in path.split("."):
        name, _, rest = piece.partition("[")
        if name:
            parts.append(name)
        if rest:
            parts.append(0)
    return parts


def requirement(path: str) -> str:
    """Return when the field at `path` is required: "yes", "if SECTION is given" or ""."""
    steps = _steps(path)
    last_optional: int | None = None
    for i, step in enumerate(steps):
        if isinstance(step, int):
            continue  # an item is as required as its list
        parent = subschema(steps[:i]) or {}
        if step not in parent.get("required", []):
            last_optional = i
    if last_optional is None:
        return "yes"
    if last_optional == len(steps) - 1:
        return ""
    section = ".".join(str(s) for s in steps[: last_optional + 1] if isinstance(s, str))
    return f"if {section} is given"


def describe(schema: dict[str, Any]) -> str:
    """Return a field's description with what it accepts: its values, true/false, its date form."""
    text = str(schema.get("description", "")).strip()
    extra = ""
    if "enum" in schema:
        extra = f"One of: {', '.join(map(str, schema['enum']))}."
    elif schema.get("type") == "boolean":
        extra = "true or false."
    elif schema.get("format") == "date":
        extra = "Date as YYYY-MM-DD, e.g. 2027-01-15."
    if extra and extra.rstrip(".") not in text:
        text = f"{text} {extra}".strip()
    return text


def _label(required: str) -> str:
    if required == "yes":
        return "(required) "
    if required:
        return f"(required {required}) "
    return "(optional) "


def blank_yaml() -> str:
    """Return a commented YAML sheet with every field of the applicant schema, all left blank."""
    root = load_schemas()[ROOT]
    lines = [
        f"# {root['title']}: {root['description']}",
        "# Fill every (required) field. An empty field counts as not given: leave optional ones empty",
        "# or delete them. Quote text that looks like a number or a date (ZIP codes, phone numbers) so",
        "# it stays text. Validate with: sc-docs validate FILE",
    ]
    _yaml_object(subschema(()) or {}, (), 0, lines)
    return "\n".join(lines) + "\n"


def _yaml_object(schema: dict[str, Any], path: tuple[str, ...], indent: int, lines: list[str]) -> None:
    pad = "  " * indent
    for name in schema.get("properties", {}):
        here = (*path, name)
        sub = subschema(here) or {}
        req = requirement(".".join(here))
        kind = sub.get("type")
        head = f"{pad}# {_label(req)}{describe(sub)}"
        if kind == "object" and not req:
            head += " An optional section: leave it empty, or fill all its (required) fields."
        lines.append(head)
        if kind == "object":
            lines.append(f"{pad}{name}:")
            _yaml_object(sub, here, indent + 1, lines)
        elif kind == "array":
            item = subschema((*here, 0)) or {}
            lines.append(f"{pad}{name}:")
            for _ in range(_LIST_ROWS.get(name, 1)):
                if item.get("type") == "object":
                    for n, child in enumerate(item.get("properties", {})):
                        child_schema = subschema((*here, 0, child)) or {}
                        lead = f"{pad}  - " if n == 0 else f"{pad}    "
                        label = _label(requirement(".".join((*here, "[]", child)).replace(".[]", "[]")))
                        lines.append(f"{lead}{child}:  # {label}{describe(child_schema)}")
                else:
                    lines.append(f"{pad}  - \"\"")
        elif "const" in sub:
            import json

            lines.append(f"{pad}{name}: {json.dumps(sub['const'])}")
        else:
            lines.append(f"{pad}{name}:")


def blank_rows() -> list[BlankRow]:
    """Return the rows of the blank workbook: one per field, lists with spare numbered rows."""
    rows: list[BlankRow] = []
    for f in leaf_fields():
        required = requirement(f.path)
        if "[]" in f.path or f.schema.get("type") == "array":
            base = f.path
            list_name = base.split("[]")[0].rsplit(".", 1)[-1] if "[]" in base else base.rsplit(".", 1)[-1]
            item = f.schema if "[]" in base else (subschema((*_steps(base), 0)) or {})
            list_schema = subschema(_steps(base.split("[]")[0])) or {}
            needed = max(int(list_schema.get("minItems", 1)), 1)
            for i in range(max(_LIST_ROWS.get(list_name, 1), needed if required else 1)):
                path = base.replace("[]", f"[{i}]", 1) if "[]" in base else f"{base}[{i}]"
                if "[]" in base and f.schema.get("type") == "array":  # a list inside each list item
                    inner = base.rsplit(".", 1)[-1]
                    inner_item = subschema((*_steps(base), 0)) or {}
                    rows += [BlankRow(f"{path}[{j}]", {**inner_item, "description": f.description},
                                      required if i < needed and j == 0 else "")
                             for j in range(_LIST_ROWS.get(inner, 1))]
                    continue
                rows.append(BlankRow(path, {**item, "description": f.description}, required if i < needed else ""))
        else:
            rows.append(BlankRow(f.path, f.schema, required))
    return rows


def blank_xlsx() -> bytes:
    """Return a workbook in the documented layout with one row per field (lists get spare rows)."""
    from sc_docs.sheets.workbook import write_blank_workbook

    return write_blank_workbook(blank_rows())
