"""Sensitive values (bank account and routing numbers): found by the schema, masked everywhere but the document.

A schema marks such a field `"x-sensitive": true`. The document that needs the value (the payment
form) prints it; every message shows it masked (`****6789`), and anything sc-docs stores about
an applicant (the tracker's copy of its facts) holds it masked. Which fields are sensitive is
data, so a new form with an account number needs no code.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from sc_docs.sheets.schema import SchemaSet

MARK = "x-sensitive"


def mask(value: Any) -> str:
    """Return `value` with all but its last four characters hidden: `****6789`."""
    text = str(value)
    return "****" + text[-4:] if len(text) > 4 else "****"


def sensitive_paths(schemas: SchemaSet | None = None) -> list[tuple[str, ...]]:
    """Return the record paths (with `[]` for list items) of every field marked sensitive."""
    if schemas is None:
        from sc_docs.catalog import load_catalog

        schemas = load_catalog().schemas
    out = []
    for field in schemas.leaf_fields():
        if field.schema.get(MARK):
            out.append(tuple(p for p in field.path.replace("[]", ".[]").split(".") if p))
    return out


def walk(node: Any, parts: tuple[str, ...], prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[Any, Any, tuple[str | int, ...]]]:
    """Yield (container, key, concrete path) of every value at `parts` (`[]` steps into each list item)."""
    if not parts:
        return
    head, rest = parts[0], parts[1:]
    children: list[tuple[str | int, Any]]
    if head == "[]":
        children = list(enumerate(node)) if isinstance(node, list) else []
    else:
        children = [(head, node[head])] if isinstance(node, dict) and head in node else []
    for key, child in children:
        if rest:
            yield from walk(child, rest, (*prefix, key))
        else:
            yield node, key, (*prefix, key)


def redact(data: Any, schemas: SchemaSet | None = None) -> Any:
    """Return a copy of record `data` with every sensitive value masked."""
    out = copy.deepcopy(data)
    for path in sensitive_paths(schemas):
        for container, key, _ in walk(out, path):
            if container[key] is not None:
                container[key] = mask(container[key])
    return out


def sensitive_values(data: Any, schemas: SchemaSet | None = None) -> list[str]:
    """Return the full sensitive values of record `data` (for tests and for checks of outputs)."""
    found = []
    for path in sensitive_paths(schemas):
        found += [str(c[k]) for c, k, _ in walk(data, path) if c[k] is not None]
    return found
