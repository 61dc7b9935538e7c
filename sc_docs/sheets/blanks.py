"""Blank values are "not given": the rule every sheet format shares.

A blank sheet from `sc-docs sheet new` leaves every field empty (`fax:`, `- ""`, an empty cell).
Left that way, an optional field must simply be absent, and a required one must say "required
field is empty" at its own line, not fail a type or pattern check on nothing. So loading removes
blanks (null, text of only spaces, and lists or sections that hold nothing else) and remembers
where each one was, for the validator to point at.
"""

from __future__ import annotations

from typing import Any

from sc_docs.sheets.record import Location, Path_


def is_blank(value: Any) -> bool:
    """Return True for a value that states nothing: null or text of only whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


def prune(
    data: dict[str, Any], positions: dict[Path_, Location]
) -> tuple[dict[str, Any], dict[Path_, Location], dict[Path_, Location]]:
    """Return `data` without blanks, its positions moved to match, and where each blank was.

    List items close up when a blank one is removed (`street: ["", "1 Main St"]` becomes one line);
    the positions of the items after it move with them. Linear in the size of `data`.
    """
    pruner = _Pruner(positions)
    out, _ = pruner.walk(data, (), ())
    if () in positions:
        pruner.new_pos[()] = positions[()]
    return (out if isinstance(out, dict) else {}), pruner.new_pos, pruner.blanks


_GONE = object()


class _Pruner:
    def __init__(self, positions: dict[Path_, Location]) -> None:
        self.positions = positions
        self.new_pos: dict[Path_, Location] = {}
        self.blanks: dict[Path_, Location] = {}

    def walk(self, value: Any, old: Path_, new: Path_) -> tuple[Any, Location | None]:
        """Return `value` pruned (or `_GONE` when nothing in it is given) and its first blank's place."""
        loc = self.positions.get(old)
        first: Location | None = None
        if isinstance(value, dict):
            kept: dict[str, Any] = {}
            for key, item in value.items():
                result, where = self.walk(item, (*old, key), (*new, key))
                first = first or where
                if result is not _GONE:
                    kept[key] = result
            if not kept and old:
                # A section has no line of its own in a workbook: use the row of its first field.
                return self._gone(new, loc or first)
            out: Any = kept
        elif isinstance(value, list):
            items: list[Any] = []
            for i, item in enumerate(value):
                result, where = self.walk(item, (*old, i), (*new, len(items)))
                first = first or where
                if result is not _GONE:
                    items.append(result)
            if not items:
                return self._gone(new, loc or first)
            out = items
        elif is_blank(value):
            # A blank list item is remembered by the index it had in the sheet: the user's numbering.
            path = (*new[:-1], old[-1]) if old and isinstance(old[-1], int) else new
            return self._gone(path, loc)
        else:
            out = value
        if loc is not None:
            self.new_pos[new] = loc
        return out, first

    def _gone(self, path: Path_, loc: Location | None) -> tuple[Any, Location | None]:
        if loc is not None:
            self.blanks.setdefault(path, loc)
        return _GONE, loc
