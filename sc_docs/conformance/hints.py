"""What the info-sheet schemas say about a fill-in: its allowed values and whether it is required.

Reading a document back, an alternative such as `{% if r.meter_type == "iso_polled" %}...{% else
%}...{% endif %}` says only what the value is *not*; with the schema's `enum` the one value left
can be named. The schemas stay the single source of that knowledge (no CAISO facts in code).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any


@cache
def _load(name: str) -> dict[str, Any] | None:
    from sc_docs.paths import schemas_dir

    try:
        return json.loads((schemas_dir() / Path(name).name).read_text(encoding="utf-8"))
    except (OSError, ValueError, FileNotFoundError):
        return None


def _resolve(node: Any, file: str) -> tuple[Any, str]:
    """Follow `$ref`s (relative file names and JSON pointers) from `node` in `file`."""
    for _ in range(20):
        if not isinstance(node, dict) or "$ref" not in node:
            break
        target, _, pointer = str(node["$ref"]).partition("#")
        file = target or file
        doc: Any = _load(file)
        for part in [p for p in pointer.split("/") if p]:
            doc = doc.get(part.replace("~1", "/").replace("~0", "~")) if isinstance(doc, dict) else None
        node = doc
    return node, file


class SchemaHints:
    """Schema facts about record paths (`applicant...` and `agreement...` of agreement `key`)."""

    def __init__(self, key: str) -> None:
        self.key = key

    def _node(self, path: tuple[str | int, ...]) -> tuple[Any, Any, str | int | None]:
        """Return (schema of `path`, schema of its parent, last segment)."""
        if not path:
            return None, None, None
        segments: list[str | int] = (["applicant", *path[1:]] if path[0] == "applicant"
                                     else ["documents", self.key, *path[1:]] if path[0] == "agreement" else [])
        if not segments:
            return None, None, None
        node, file = _resolve(_load("applicant.schema.json"), "applicant.schema.json")
        parent = None
        for seg in segments:
            parent = node
            if not isinstance(node, dict):
                return None, None, None
            node = node.get("items") if isinstance(seg, int) else (node.get("properties") or {}).get(seg)
            node, file = _resolve(node, file)
        return node, parent, segments[-1]

    def enum(self, path: tuple[str | int, ...]) -> list[Any] | None:
        node, _, _ = self._node(path)
        values = node.get("enum") if isinstance(node, dict) else None
        return list(values) if isinstance(values, list) else None

    def required(self, path: tuple[str | int, ...]) -> bool:
        _, parent, last = self._node(path)
        return isinstance(parent, dict) and last in (parent.get("required") or [])
