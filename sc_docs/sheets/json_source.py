"""Read JSON info sheets strictly: duplicate keys, NaN and Infinity are errors."""

from __future__ import annotations

import json
from typing import Any

from sc_docs.errors import SheetError
from sc_docs.sheets.record import Location, Path_
from sc_docs.sheets.yaml_source import MAX_DEPTH, positions_only


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def parse_json(text: str, file: str) -> tuple[Any, dict[Path_, Location]]:
    """Return the data of JSON `text` and the line of each value (best effort)."""
    if not text.strip():
        raise SheetError("the file is empty", file=file)

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise SheetError(f"field {key!r} appears twice in the same object", file=file)
            out[key] = value
        return out

    def constant(name: str) -> Any:
        raise SheetError(f"{name} is not a number an info sheet can hold", file=file)

    try:
        # strict=False lets raw control characters inside strings through to the validator,
        # which names the field holding them (the control-character policy) instead of a
        # bare "invalid JSON" here.
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=constant, strict=False)
    except json.JSONDecodeError as exc:
        raise SheetError(f"invalid JSON: {exc.msg}", file=file, line=exc.lineno) from None
    except RecursionError:
        raise SheetError(f"the sheet is nested more than {MAX_DEPTH} levels deep", file=file) from None
    except ValueError:  # an integer of more than 4,300 digits
        raise SheetError("holds a number too long for an info sheet", file=file) from None
    _check_depth(data, file)
    positions = positions_only(text, file)
    if not positions:
        positions = {(): Location(file, 1)}
    return data, positions


def _check_depth(data: Any, file: str) -> None:
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise SheetError(f"the sheet is nested more than {MAX_DEPTH} levels deep", file=file)
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
