"""The cell helpers both tabular sources (workbook, CSV roster) share."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sc_docs.sheets.cells import coerce_cell, insert_at, listify
from sc_docs.sheets.record import Location


@pytest.mark.parametrize(
    ("value", "schema", "expected"),
    [
        (95630.0, {"type": "string"}, "95630"),
        (1.5, {"type": "string"}, "1.5"),
        (dt.datetime(2026, 3, 5), {"type": "string"}, "2026-03-05"),
        (dt.datetime(2026, 3, 5, 12, 30), {"type": "string"}, "2026-03-05T12:30:00"),
        (" Yes ", {"type": "boolean"}, True),
        ("n", {"type": "boolean"}, False),
        ("maybe", {"type": "boolean"}, "maybe"),
        ("$1,250", {"type": "number"}, 1250),
        ("12.5", {"type": "number"}, 12.5),
        ("lots", {"type": "integer"}, "lots"),
        (7.0, {"enum": ["7", "8"]}, "7"),
        (True, {"type": "string"}, True),
        ("as typed", None, "as typed"),
    ],
    ids=["zip-as-number", "decimal-text", "date", "datetime", "yes", "n", "not-a-boolean", "money",
         "decimal", "not-a-number", "enum-is-text", "bool-not-text", "no-schema"],
)
def test_cells_are_read_as_the_schema_expects(value: Any, schema: dict[str, Any] | None, expected: Any) -> None:
    got = coerce_cell(value, schema)
    assert got == expected and type(got) is type(expected)


def test_insert_at_creates_sections_and_keeps_indexes_as_keys() -> None:
    root: dict[str, Any] = {}
    insert_at(root, ("applicant", "scids", 2), "B")
    insert_at(root, ("applicant", "scids", 0), "A")
    insert_at(root, ("applicant", "legal_name"), "Acme")
    assert root == {"applicant": {"scids": {2: "B", 0: "A"}, "legal_name": "Acme"}}


@given(st.dictionaries(st.integers(0, 50), st.text(max_size=3), min_size=1, max_size=20))
def test_listify_closes_gaps_in_index_order_and_moves_positions(items: dict[int, str]) -> None:
    positions = {("scids", i): Location("roster.csv", 2, f"c{i}") for i in items}
    out_pos: dict[Any, Location] = {}
    data = listify({"scids": dict(items)}, (), positions, out_pos)
    order = sorted(items)
    assert data == {"scids": [items[i] for i in order]}
    assert {path: loc.cell for path, loc in out_pos.items()} == {("scids", n): f"c{i}" for n, i in enumerate(order)}
