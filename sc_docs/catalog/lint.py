"""Template lint: every value a document reads exists in the schema, every required field is used.

A template reads the contract context (`sc_docs.catalog.contract`): `applicant` (the shared
facts), its own section under its kind's name (`agreement`, `letter`, `form`, `workbook`) and
`document` (its metadata). Field and cell maps may also read the record from its root
(`documents.<key>...`). Forms are linted through their field map, workbooks through their cell map.
"""

from __future__ import annotations

import re
from typing import Any

from sc_docs.catalog import Catalog, Entry, load_catalog
from sc_docs.catalog.contract import DOCUMENT_KEYS, DOCUMENTS, SECTION_NAMES
from sc_docs.sheets.schema import SchemaSet


def _parts(path: str) -> tuple[str, ...]:
    return tuple(p for p in re.split(r"\.|(?=\[\])", path) if p)


def _schemas(entry: Entry) -> SchemaSet:
    """The bundled schemas, composed with `entry` when it is not (this copy of) a bundled entry."""
    bundled = load_catalog()
    if entry.key in bundled and bundled.get(entry.key).folder == entry.folder:
        return bundled.schemas
    return Catalog([*(e for e in bundled if e.key != entry.key), entry]).schemas


def path_schema(entry: Entry, parts: tuple[str | int, ...], schemas: SchemaSet | None = None) -> dict[str, Any] | None:
    """Return the schema of a path `entry` reads (contract root or record root), or None if unknown."""
    if not parts:
        return None
    schemas = schemas or _schemas(entry)
    root, rest = parts[0], tuple(parts[1:])
    if root == "document":
        if len(rest) == 1 and rest[0] in DOCUMENT_KEYS:
            return {"type": "string"}
        return None
    if root == SECTION_NAMES[entry.meta.kind]:
        return schemas.subschema(rest, entry.schema_name)
    if root in ("applicant", DOCUMENTS):
        return schemas.subschema(parts)
    return None


def variable_problems(variables: set[str], entry: Entry) -> list[str]:
    """Return a message for every variable path of `entry`'s template that no schema describes."""
    section = SECTION_NAMES[entry.meta.kind]
    schemas = _schemas(entry)
    problems = []
    for var in sorted(variables):
        parts = _parts(var)
        root = parts[0]
        if root == "document":
            if len(parts) > 1 and parts[1] not in DOCUMENT_KEYS:
                problems.append(f"{var}: document has only {', '.join(sorted(DOCUMENT_KEYS))}")
            continue
        if root in entry.meta.inputs:
            continue  # given by the caller, not described by a schema
        if root not in ("applicant", section):
            problems.append(f"{var}: unknown root '{root}'; templates read applicant, {section} and document")
            continue
        if path_schema(entry, parts, schemas) is None:
            where = "the applicant section" if root == "applicant" else entry.schema_name
            problems.append(f"{var}: not a field of {where}")
    return problems


def unused_required(variables: set[str], entry: Entry) -> list[str]:
    """Return required fields of the entry's section that the template neither uses nor waives."""
    section = SECTION_NAMES[entry.meta.kind]
    used = {v.replace("[]", "") for v in variables}
    waived = {u.replace("[]", "") for u in entry.meta.unused_fields}
    problems = []
    for field in _schemas(entry).leaf_fields(entry.schema_name):
        if not field.required:
            continue
        path = f"{section}.{field.path}"
        flat = path.replace("[]", "")
        if flat in used or flat in waived or any(u.startswith(flat + ".") for u in used):
            continue
        problems.append(f"{path}: required by {entry.schema_name} but not used by the template (use it or list it in unused_fields)")
    return problems


def check_entry(entry: Entry) -> list[str]:
    """Return every lint problem of one catalog entry, whatever its kind."""
    from sc_docs.errors import ScDocsError

    try:
        if entry.meta.kind == "form":
            from sc_docs.catalog.formfill import check_entry_map

            return check_entry_map(entry)
        if entry.meta.kind == "workbook":
            return check_cell_map(entry)
        from sc_docs.engines.docx import compile_template

        variables = compile_template(entry.source_path).variables()
    except ScDocsError as exc:
        return [exc.format_message()]
    return variable_problems(variables, entry) + unused_required(variables, entry)


def check_cell_map(entry: Entry) -> list[str]:
    """Return the problems of a workbook's cell map: unknown paths and worksheets."""
    import openpyxl

    from sc_docs.catalog.workbook import load_cell_map

    sheets = load_cell_map(entry.file("cells"))
    book = openpyxl.load_workbook(entry.source_path, read_only=True)
    try:
        names = set(book.sheetnames)
    finally:
        book.close()
    problems = []
    for sheet in sheets:
        if sheet.name not in names:
            problems.append(f"{sheet.name}: the template has no such worksheet")
        for rule in sheet.cells:
            if path_schema(entry, rule.parts) is None:
                problems.append(f"{sheet.name}!{rule.pdf_field}: record path {rule.path} is not in the schema")
        for block in sheet.rows:
            if path_schema(entry, block.parts) is None:
                problems.append(f"{sheet.name}: rows path {block.path} is not in the schema")
                continue
            for rule in block.columns:
                if path_schema(entry, (*block.parts, "[]", *rule.parts)) is None:
                    problems.append(f"{sheet.name}!{rule.pdf_field}: {block.path}[].{rule.path} is not in the schema")
    return problems
