"""The one field path syntax of sc-docs: `applicant.scids[0]`, `documents.msa_sc.resources[1].resource_id`.

A path is a tuple of parts: a `str` names a key of a mapping, an `int` an index of a list. Every
module that reads, writes, prints or parses such a path goes through this one; nothing else
re-implements it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from typing import Any, Final

Part = str | int
FieldPath = tuple[Part, ...]

_TOKEN: Final = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)")
_INDEX: Final = re.compile(r"\[(\d+)\]")
_MISSING: Final = object()


def parse(text: str) -> FieldPath:
    """Parse `a.b[0].c` into `("a", "b", 0, "c")`; raise `ValueError` when `text` is not a path."""
    parts: list[Part] = []
    for token in text.split("."):
        match = _TOKEN.fullmatch(token)
        if match is None:
            raise ValueError(f"not a field path: {text!r}")
        parts.append(match.group(1))
        parts.extend(int(i) for i in _INDEX.findall(match.group(2)))
    return tuple(parts)


def format(path: FieldPath) -> str:  # noqa: A001 - the module's verb, used as fieldpath.format
    """Return `path` as users write it; the empty path is `(top level)`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def get(data: Any, path: FieldPath | str, default: Any = _MISSING) -> Any:
    """Return the value at `path` in `data`; a missing step returns `default` or raises `KeyError`."""
    parts = parse(path) if isinstance(path, str) else path
    node = data
    for part in parts:
        if isinstance(part, int):
            ok = isinstance(node, list) and 0 <= part < len(node)
        else:
            ok = isinstance(node, Mapping) and part in node
        if not ok:
            if default is _MISSING:
                raise KeyError(format(parts))
            return default
        node = node[part]
    return node


def has(data: Any, path: FieldPath | str) -> bool:
    """Return whether `path` exists in `data`."""
    marker = object()
    return get(data, path, marker) is not marker


def set(data: MutableMapping[str, Any], path: FieldPath | str, value: Any) -> None:  # noqa: A001
    """Set `value` at `path`, creating mappings and growing lists (with `None`) on the way."""
    parts = parse(path) if isinstance(path, str) else path
    if not parts:
        raise ValueError("cannot set the top level")
    node: Any = data
    for part, nxt in zip(parts, parts[1:]):
        empty: Any = [] if isinstance(nxt, int) else {}
        if isinstance(part, int):
            while len(node) <= part:
                node.append(None)
            if node[part] is None:
                node[part] = empty
        else:
            if node.get(part) is None:
                node[part] = empty
        node = node[part]
    last = parts[-1]
    if isinstance(last, int):
        while len(node) <= last:
            node.append(None)
    node[last] = value
