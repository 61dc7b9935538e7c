"""Template lint: every variable a template reads exists in its schema, every required field is used.

A template reads three roots: `applicant` (the shared facts), `agreement` (its own section, described
by the schema its `meta.yaml` names) and `document` (its metadata). Forms are linted through their
field map (`sc_docs.catalog.formfill.check_field_map`).
"""

from __future__ import annotations

import re

from sc_docs.catalog import Entry
from sc_docs.sheets.schema import leaf_fields, subschema

DOCUMENT_KEYS = {"key", "title", "tariff_appendix", "version", "as_of"}


def _parts(path: str) -> tuple[str, ...]:
    return tuple(p for p in re.split(r"\.|(?=\[\])", path) if p)


def variable_problems(variables: set[str], schema_file: str) -> list[str]:
    """Return a message for every variable path that no schema describes."""
    problems = []
    for var in sorted(variables):
        root, *rest = _parts(var)
        if root == "document":
            if rest and rest[0] not in DOCUMENT_KEYS:
                problems.append(f"{var}: document has only {', '.join(sorted(DOCUMENT_KEYS))}")
            continue
        if root == "applicant":
            found = subschema(("applicant", *rest))
        elif root == "agreement":
            found = subschema(tuple(rest), base=schema_file)
        else:
            problems.append(f"{var}: unknown root '{root}'; templates read applicant, agreement and document")
            continue
        if found is None:
            problems.append(f"{var}: not a field of the {'applicant section' if root == 'applicant' else schema_file}")
    return problems


def unused_required(variables: set[str], entry: Entry) -> list[str]:
    """Return required fields of the agreement's section that the template neither uses nor waives."""
    used = {v.replace("[]", "") for v in variables}
    waived = {u.replace("[]", "") for u in entry.meta.unused_fields}
    problems = []
    for field in leaf_fields(entry.meta.schema_):
        if not field.required:
            continue
        path = "agreement." + field.path
        flat = path.replace("[]", "")
        if flat in used or flat in waived or any(u.startswith(flat + ".") for u in used):
            continue
        problems.append(f"{path}: required by {entry.meta.schema_} but not used by the template (use it or list it in unused_fields)")
    return problems


def check_entry(entry: Entry) -> list[str]:
    """Return every lint problem of one catalog entry (an agreement template or a form)."""
    from sc_docs.errors import ScDocsError

    try:
        if entry.meta.kind == "form":
            from sc_docs.catalog.formfill import check_entry_map

            return check_entry_map(entry)
        from sc_docs.engines.docx import compile_template

        variables = compile_template(entry.source_path).variables()
    except ScDocsError as exc:
        return [exc.format_message()]
    return variable_problems(variables, entry.meta.schema_) + unused_required(variables, entry)
