"""Walk the variable paths a template reads (`a.b`, `items[].name`) through a render context.

Used only to explain a failed render: which of the paths read on the failing line is missing,
which one holds the offending value, and which key was probably meant. These paths are not
`sc_docs.fieldpath` paths: `[]` stands for every element of a list (or value of a mapping), a
key may be any string a template used (`x["a b"]`), and objects are read by attribute as Jinja
does, so the walk lives here.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any, Final

_SEGMENT: Final = re.compile(r"\[\]|[^.\[\]]+")


def walk(context: Any, path: str, *, every: bool) -> list[Any] | None:
    """Return the values `path` reaches in `context` (`[]` expands lists and mappings).

    With `every`, each value on the way must have the next step, else None; without it, the
    values that lack a step are dropped and None means none reached the end.
    """
    values = [context]
    for seg in _SEGMENT.findall(path):
        nxt: list[Any] = []
        for v in values:
            if seg == "[]" and isinstance(v, Mapping):
                nxt.extend(v.values())
            elif seg == "[]" and isinstance(v, (list, tuple)):
                nxt.extend(v)
            elif seg != "[]" and isinstance(v, Mapping) and seg in v:
                nxt.append(v[seg])
            elif seg != "[]" and not isinstance(v, Mapping) and hasattr(v, seg) and not seg.startswith("_"):
                nxt.append(getattr(v, seg))
            elif every:
                return None
        if not nxt and not every:
            return None
        values = nxt
    return values


def lookup(context: Any, path: str) -> list[Any]:
    """Return every value `path` reaches in `context` ([] expands lists); [] if it reaches none."""
    return walk(context, path, every=False) or []


def resolves(context: Any, path: str) -> bool:
    """True if `path` reaches a value in `context`, for every element of each list on the way."""
    return walk(context, path, every=True) is not None


def suggest(context: Any, path: str) -> str:
    parent, _, last = path.rpartition(".")
    keys: list[str] = []
    for v in lookup(context, parent) if parent else [context]:
        if isinstance(v, Mapping):
            keys.extend(str(k) for k in v)
    close = difflib.get_close_matches(last.removesuffix("[]"), sorted(set(keys)), n=1)
    if not close:
        return ""
    return f" (did you mean {(parent + '.' if parent else '') + close[0]!r}?)"


UNDEFINED_NAME: Final = re.compile(
    r"^'(?P<a>[^']+)' is undefined|has no (?:attribute|element) '?(?P<b>[^']+)'?$"
)


def last_name(path: str) -> str:
    """Return the last key of `path` (`b` for `a.b[]`): the word to look for in the text."""
    return re.split(r"[.\[\]]+", path.rstrip("[]"))[-1]
