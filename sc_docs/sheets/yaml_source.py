"""Read YAML info sheets safely, keeping the line of every value.

Only the safe YAML subset is accepted: custom tags (`!!python/object`, `!Ref`) are refused, aliases
may be used but the expanded document is capped (an alias bomb fails fast), duplicate keys and
NaN/Infinity are errors, and dates stay the strings the user typed.
"""

from __future__ import annotations

import math
from typing import Any

import yaml

from sc_docs.errors import SheetError
from sc_docs.sheets.record import Location, Path_

MAX_NODES = 100_000
MAX_DEPTH = 40

_STD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")}

try:  # the C loader is several times faster on large batches
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


class _Walker:
    def __init__(self, file: str) -> None:
        self.file = file
        self.count = 0
        self.positions: dict[Path_, Location] = {}
        self.constructor = yaml.constructor.SafeConstructor()

    def fail(self, message: str, node: yaml.Node) -> SheetError:
        return SheetError(message, file=self.file, line=node.start_mark.line + 1)

    def walk(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(f"the sheet expands to more than {MAX_NODES:,} values (an alias bomb?)", node)
        if depth > MAX_DEPTH:
            raise self.fail(f"the sheet is nested more than {MAX_DEPTH} levels deep", node)
        if node.tag not in _ALLOWED_TAGS:
            raise self.fail(f"custom YAML tag {node.tag!r} is not allowed in an info sheet", node)
        self.positions.setdefault(path, Location(self.file, node.start_mark.line + 1))
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == _STD + "merge":
                    raise self.fail("YAML merge keys (<<) are not allowed in an info sheet", key_node)
                if not isinstance(key_node, yaml.ScalarNode):
                    raise self.fail("a field name must be plain text", key_node)
                key = key_node.value
                if key in out:
                    raise self.fail(f"field {key!r} appears twice in the same section", key_node)
                child = (*path, key)
                self.positions[child] = Location(self.file, key_node.start_mark.line + 1)
                out[key] = self.walk(value_node, child, depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self.scalar(node)

    def scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag in (_STD + "str", _STD + "timestamp"):
            return node.value  # dates stay as typed; the schema checks their form
        value = self.constructor.construct_object(node)
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(f"{node.value!r} is not a number an info sheet can hold", node)
        return value


def parse_yaml(text: str, file: str) -> tuple[Any, dict[Path_, Location]]:
    """Return the data of YAML `text` and the line of every value; raise `SheetError` when unsafe."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise SheetError(f"invalid YAML: {problem}", file=file, line=line) from None
    except yaml.YAMLError as exc:
        raise SheetError(f"invalid YAML: {exc}", file=file) from None
    except RecursionError:
        raise SheetError(f"the sheet is nested more than {MAX_DEPTH} levels deep", file=file) from None
    if root is None:
        raise SheetError("the file is empty", file=file)
    walker = _Walker(file)
    return walker.walk(root, (), 0), walker.positions


def positions_only(text: str, file: str) -> dict[Path_, Location]:
    """Best-effort line numbers for text another parser already accepted (JSON)."""
    try:
        root = yaml.compose(text, Loader=_Loader)
        if root is None:
            return {}
        walker = _Walker(file)
        walker.walk(root, (), 0)
        return walker.positions
    except (yaml.YAMLError, SheetError, RecursionError, ValueError):
        return {}
