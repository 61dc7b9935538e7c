"""What the info-sheet schemas say about a fill-in: its allowed values and whether it is required.

Reading a document back, an alternative such as `{% if r.meter_type == "iso_polled" %}...{% else
%}...{% endif %}` says only what the value is *not*; with the schema's `enum` the one value left
can be named. The schemas stay the single source of that knowledge (no CAISO facts in code), and
they are navigated (`$ref`s followed) by `sc_docs.sheets.schema`, the one resolver.
"""

from __future__ import annotations

from typing import Any


class SchemaHints:
    """Schema facts about record paths (`applicant...` and `agreement...` of agreement `key`)."""

    def __init__(self, key: str) -> None:
        self.key = key

    def _record_path(self, path: tuple[str | int, ...]) -> tuple[str | int, ...] | None:
        if not path:
            return None
        if path[0] == "applicant":
            return path
        if path[0] == "agreement":
            from sc_docs.catalog.contract import DOCUMENTS

            return (DOCUMENTS, self.key, *path[1:])
        return None

    def _schema(self, path: tuple[str | int, ...]) -> dict[str, Any] | None:
        from sc_docs.errors import ScDocsError
        from sc_docs.sheets.schema import subschema

        try:
            return subschema(path)
        except (ScDocsError, KeyError, TypeError):
            return None

    def enum(self, path: tuple[str | int, ...]) -> list[Any] | None:
        where = self._record_path(path)
        node = self._schema(where) if where else None
        values = node.get("enum") if isinstance(node, dict) else None
        return list(values) if isinstance(values, list) else None

    def required(self, path: tuple[str | int, ...]) -> bool:
        where = self._record_path(path)
        if not where or isinstance(where[-1], int):
            return False
        parent = self._schema(where[:-1])
        return isinstance(parent, dict) and where[-1] in (parent.get("required") or [])
