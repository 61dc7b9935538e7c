"""Certifications a record answers `false`: a warning by default, an error under `--strict`.

A schema marks a yes/no field that certifies something to CAISO with `"x-certification": true`
(the application form's customer certifications, the officer certification, ...). CAISO expects
each to be true; a false one is legal to submit but needs an explanation, so `validate` warns,
`validate --strict` fails, and a packet lists it. Which fields certify is data, not code.
"""

from __future__ import annotations

from sc_docs.catalog.sensitive import walk
from sc_docs.sheets.problems import Problem
from sc_docs.sheets.record import ApplicantRecord
from sc_docs.sheets.schema import SchemaSet

MARK = "x-certification"
RULE = "false-certification"


def false_certifications(record: ApplicantRecord, schemas: SchemaSet | None = None) -> list[Problem]:
    """Return one problem (rule `false-certification`) per certification the record answers false."""
    if schemas is None:
        from sc_docs.catalog import load_catalog

        schemas = load_catalog().schemas
    found = []
    for field in schemas.leaf_fields():
        if not field.schema.get(MARK):
            continue
        parts = tuple(p for p in field.path.replace("[]", ".[]").split(".") if p)
        for container, key, path in walk(record.data, parts):
            if container[key] is not False:
                continue
            loc = record.locate(path)
            what = field.description.rstrip(".") or field.path
            found.append(Problem(
                loc.file, loc.line, _format(path),
                f"certification answered false: \"{what}\"; CAISO expects it true: correct it or explain why",
                RULE, loc.cell,
            ))
    return sorted(found, key=Problem.sort_key)


def _format(path: tuple[str | int, ...]) -> str:
    from sc_docs import fieldpath

    return fieldpath.format(path)
