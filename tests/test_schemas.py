"""The schemas are the users' documentation: valid Draft 2020-12, with $id, title and descriptions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.conftest import ROOT

SCHEMAS = sorted((ROOT / "schemas").glob("*.schema.json"))


CONDITIONS = {"if", "then", "else", "not"}  # conditions restate properties; they document nothing


def properties(schema: Any, where: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Return every (location, subschema) declared under a `properties` keyword."""
    out = []
    if isinstance(schema, dict):
        for name, sub in (schema.get("properties") or {}).items():
            out.append((f"{where}.{name}", sub))
        for key, value in schema.items():
            if key not in CONDITIONS and isinstance(value, (dict, list)):
                out.extend(properties(value, f"{where}/{key}"))
    elif isinstance(schema, list):
        for i, v in enumerate(schema):
            out.extend(properties(v, f"{where}[{i}]"))
    return out


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_schema_is_documented_draft_2020_12(path: Path) -> None:
    schema = json.loads(path.read_text())
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith("/" + path.name)
    assert schema["title"] and schema["description"]
    missing = [where for where, sub in properties(schema) if not (isinstance(sub, dict) and sub.get("description"))]
    assert missing == []
