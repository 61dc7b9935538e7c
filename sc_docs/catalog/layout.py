"""Read sheets written in the old record layout, with one notice saying how to move on.

Today every document's section is `documents.<key>`. Sheets written before kept agreements under
`agreements.<key>` and forms at the top level (`<key>:`). `upgrade_layout` moves those sections
into `documents` as the sheet is loaded, moving their source positions too, so every problem
still points at the line the user wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from sc_docs.catalog.contract import DOCUMENTS

LEGACY_AGREEMENTS: Final = "agreements"
NOTICE: Final = (
    "notice: this sheet uses the old layout ({old}); it was read as documents.<key>. "
    "Move those sections under a top-level `documents:` section; the old layout will stop loading in a later version"
)

Positions = dict[tuple[str | int, ...], Any]


def upgrade_layout(data: dict[str, Any], positions: Positions, keys: Iterable[str] | None = None) -> str | None:
    """Move old-layout sections of `data` under `documents` in place; return the notice, or None.

    `keys` are the catalog's document keys (default: the bundled catalog's); a top-level section
    named like one of them is a document section of the old layout. A section already present
    under `documents` is left where it is, so the schema reports the duplicate.
    """
    if keys is None:
        from sc_docs.catalog import load_catalog

        keys = list(load_catalog().entries)
    moves: list[tuple[tuple[str, ...], str]] = []
    legacy = data.get(LEGACY_AGREEMENTS)
    if isinstance(legacy, dict):
        moves += [((LEGACY_AGREEMENTS, key), key) for key in legacy]
    moves += [((key,), key) for key in keys if key in data and key not in ("applicant", DOCUMENTS)]
    if not moves:
        return None
    documents = data.get(DOCUMENTS)
    if documents is None:
        documents = data[DOCUMENTS] = {}
        _move_position(positions, (LEGACY_AGREEMENTS,) if isinstance(legacy, dict) else moves[0][0], (DOCUMENTS,))
    if not isinstance(documents, dict):
        return None
    moved: list[str] = []
    for old, key in moves:
        if key in documents:
            continue
        parent = data[old[0]] if len(old) == 2 else data
        documents[key] = parent.pop(old[-1])
        _move_prefix(positions, old, (DOCUMENTS, key))
        moved.append(".".join(str(p) for p in old))
    if isinstance(legacy, dict) and not legacy:
        del data[LEGACY_AGREEMENTS]
        positions.pop((LEGACY_AGREEMENTS,), None)
    if not moved:
        return None
    return NOTICE.format(old=", ".join(moved))


def _move_position(positions: Positions, old: tuple[str | int, ...], new: tuple[str | int, ...]) -> None:
    if old in positions and new not in positions:
        positions[new] = positions[old]


def _move_prefix(positions: Positions, old: tuple[str | int, ...], new: tuple[str | int, ...]) -> None:
    n = len(old)
    for path in [p for p in positions if p[:n] == old]:
        positions[new + path[n:]] = positions.pop(path)


def upgrade_path(path: tuple[str | int, ...], keys: Iterable[str] | None = None) -> tuple[str | int, ...]:
    """Return the new-layout path of an old-layout one (`agreements.sca.x` -> `documents.sca.x`)."""
    if len(path) >= 2 and path[0] == LEGACY_AGREEMENTS:
        return (DOCUMENTS, *path[1:])
    if keys is None:
        from sc_docs.catalog import load_catalog

        keys = load_catalog().entries
    if path and isinstance(path[0], str) and path[0] in set(keys) and path[0] not in ("applicant", DOCUMENTS):
        return (DOCUMENTS, *path)
    return path
