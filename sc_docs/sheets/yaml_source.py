"""Read YAML info sheets safely, keeping the line of every value.

Only the safe YAML subset is accepted: custom tags (`!!python/object`, `!Ref`) are refused, aliases
may be used but the expanded document is capped (an alias bomb fails fast), duplicate keys and
NaN/Infinity are errors, and dates stay the strings the user typed.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from typing import Any, Final

import yaml

from sc_docs.errors import SheetError
from sc_docs.sheets.record import Location, Path_

MAX_NODES = 100_000
MAX_DEPTH = 40
# Text a sheet may expand to. Without aliases a sheet holds less than its file (20 MB at most);
# with them, one long string named 100,000 times would keep the validator busy for many minutes.
MAX_TEXT = 20 * 1024 * 1024

_STD = "tag:yaml.org,2002:"
_MERGE: Final = _STD + "merge"
_TEXT_TAGS: Final = (_STD + "str", _STD + "timestamp")
_ALLOWED_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")}

try:  # the C loader is several times faster on large batches
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


# Characters the YAML reader refuses outright. Pasted from spreadsheets they would make the whole
# sheet "invalid YAML"; instead they are swapped for private-use stand-ins while parsing and put
# back afterwards, so the validator names the field that holds them (the control-character policy).
_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_STAND_IN_RANGE = re.compile("[\U0010f000-\U0010ffff]")


def _stand_in(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return chr(0x10FC00 + code)
    if 0xD800 <= code <= 0xDFFF:
        return chr(0x10F000 + code - 0xD800)
    return chr(0x10F800 + code - 0xFFFE)


def _protect(text: str) -> tuple[str, dict[int, str] | None]:
    """Return `text` with refused characters swapped for stand-ins, and the table undoing it."""
    found = set(_REFUSED.findall(text))
    if not found or _STAND_IN_RANGE.search(text):
        return text, None
    forward = {ord(ch): _stand_in(ch) for ch in found}
    return text.translate(forward), {ord(v): chr(k) for k, v in forward.items()}


def _check_shape(text: str, file: str) -> None:
    """Refuse too deep or too large documents from the event stream, before composing any node.

    The C composer recurses once per nesting level without Python's recursion guard, so a sheet
    such as `[[[[...` 50,000 levels deep would crash the interpreter instead of raising.
    """
    depth = 0
    starts = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
    ends = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
    for events, event in enumerate(yaml.parse(text, Loader=_Loader), start=1):
        if isinstance(event, starts):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else None
                raise SheetError(f"the sheet is nested more than {MAX_DEPTH} levels deep", file=file, line=line)
        elif isinstance(event, ends):
            depth -= 1
        if events > 4 * MAX_NODES:
            raise SheetError(f"the sheet holds more than {MAX_NODES:,} values", file=file)


class _Walker:
    def __init__(self, file: str, restore: dict[int, str] | None = None, max_depth: int = MAX_DEPTH) -> None:
        self.file = file
        self.max_depth = max_depth
        self.count = 0
        self.positions: dict[Path_, Location] = {}
        self.constructor = yaml.constructor.SafeConstructor()
        self.restore = restore
        self.text_size = 0

    def text(self, value: str) -> str:
        return value.translate(self.restore) if self.restore else value

    def fail(self, message: str, node: yaml.Node) -> SheetError:
        return SheetError(message, file=self.file, line=node.start_mark.line + 1)

    def walk(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(f"the sheet expands to more than {MAX_NODES:,} values (an alias bomb?)", node)
        if depth > self.max_depth:
            raise self.fail(f"the sheet is nested more than {MAX_DEPTH} levels deep", node)
        if node.tag not in _ALLOWED_TAGS:
            raise self.fail(f"custom YAML tag {node.tag!r} is not allowed in an info sheet", node)
        positions = self.positions
        if path not in positions:  # a field's value is placed at its key's line already
            positions[path] = Location(self.file, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE:
                    raise self.fail("YAML merge keys (<<) are not allowed in an info sheet", key_node)
                if not isinstance(key_node, yaml.ScalarNode):
                    raise self.fail("a field name must be plain text", key_node)
                key = self.text(key_node.value)
                if key in out:
                    raise self.fail(f"field {key!r} appears twice in the same section", key_node)
                child = (*path, key)
                positions[child] = Location(self.file, key_node.start_mark.line + 1)
                out[key] = self.walk(value_node, child, depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)  # the only kind left
        return self.scalar(node)

    def scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag in _TEXT_TAGS:
            self.text_size += len(node.value)
            if self.text_size > MAX_TEXT:
                raise self.fail(f"the sheet expands to more than {MAX_TEXT:,} characters of text (an alias bomb?)", node)
            return self.text(node.value)  # dates stay as typed; the schema checks their form
        try:
            value = self.constructor.construct_object(node)
        except ValueError:  # e.g. an integer of more than 4,300 digits
            raise self.fail(f"{node.value[:20]!r}... is not a number an info sheet can hold", node) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(f"{node.value!r} is not a number an info sheet can hold", node)
        return value


def parse_yaml(text: str, file: str) -> tuple[Any, dict[Path_, Location]]:
    """Return the data of YAML `text` and the line of every value; raise `SheetError` when unsafe."""
    text, restore = _protect(text)
    if len(text) <= _SHORT and _composer_limited():
        fast = _parse_short(text, file, restore)
        if fast is not None:
            return fast
    try:
        _check_shape(text, file)
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        if "nesting depth" in problem:  # PyYAML >= 6.0.4 has a nesting limit of its own
            raise SheetError(f"the sheet is nested more than {MAX_DEPTH} levels deep", file=file, line=line) from None
        raise SheetError(f"invalid YAML: {problem}", file=file, line=line) from None
    except yaml.YAMLError as exc:
        raise SheetError(f"invalid YAML: {exc}", file=file) from None
    except RecursionError:
        raise SheetError(f"the sheet is nested more than {MAX_DEPTH} levels deep", file=file) from None
    if root is None:
        raise SheetError("the file is empty", file=file)
    walker = _Walker(file, restore)
    return walker.walk(root, (), 0), walker.positions


# A text this short cannot make the 4 * MAX_NODES events `_check_shape` stops at (a YAML event
# takes at least half a character), so only its nesting check is left to make before composing.
_SHORT: Final = MAX_NODES


@functools.cache
def _composer_limited() -> bool:
    """True when libyaml refuses deep nesting itself (0.2.5 on), so composing cannot crash.

    Checked by trying, not by version: 3,000 levels are harmless to compose either way.
    """
    if _Loader is not getattr(yaml, "CSafeLoader", None):
        return False
    try:
        yaml.compose("[" * 3000 + "]" * 3000, Loader=_Loader)
    except yaml.YAMLError:
        return True
    return False


def _parse_short(text: str, file: str, restore: dict[int, str] | None) -> tuple[Any, dict[Path_, Location]] | None:
    """Parse a short sheet without the separate event pass; None sends it down the checked path.

    Only a sheet that the checked path accepts is answered here, with the same data and lines: a
    sheet nested near the limit, or with any error at all, goes the checked way, which words the
    error as it always has (the first problem in the file, the line of the too-deep level).
    """
    try:
        root = yaml.compose(text, Loader=_Loader)
    except (yaml.YAMLError, RecursionError):
        return None
    if root is None:
        return None
    walker = _Walker(file, restore, max_depth=MAX_DEPTH - 1)
    try:
        return walker.walk(root, (), 0), walker.positions
    except Exception:  # noqa: BLE001 - the checked path raises what it always raised
        return None


def positions_only(text: str, file: str) -> dict[Path_, Location]:
    """Best-effort line numbers for text another parser already accepted (JSON)."""
    text, restore = _protect(text)
    try:
        _check_shape(text, file)
        root = yaml.compose(text, Loader=_Loader)
        if root is None:
            return {}
        walker = _Walker(file, restore)
        walker.walk(root, (), 0)
        return walker.positions
    except (yaml.YAMLError, SheetError, RecursionError, ValueError):
        return {}


_RESOLVER = yaml.resolver.Resolver()
_UNSURE = object()


def quick_legal_name(text: str) -> tuple[bool, str | None]:
    """Return `(True, applicant.legal_name)` as `parse_yaml` would read it (None: not text, or absent),
    reading only up to that field; `(False, None)` when unsure (anything unusual on the way).

    For a batch's planning: the slug of every applicant is needed up front, the rest of the sheet
    only by the worker that makes the packet. The answer holds only if the whole sheet then loads;
    the caller checks that before relying on it.
    """
    if _REFUSED.search(text):
        return False, None
    try:
        events = yaml.parse(text, Loader=_Loader)
        if not isinstance(next(events), yaml.StreamStartEvent) or not isinstance(next(events), yaml.DocumentStartEvent):
            return False, None
        facts = _section_value(events, "applicant", next(events))
        if facts is _UNSURE:
            return False, None
        if not isinstance(facts, yaml.MappingStartEvent):
            return True, None  # absent, or not a section: the file's name stands in
        name = _section_value(events, "legal_name", facts)
    except (yaml.YAMLError, StopIteration, RecursionError):
        return False, None
    if name is _UNSURE:
        return False, None
    if not isinstance(name, yaml.ScalarEvent):
        return True, None
    tag = name.tag if name.tag not in (None, "!") else _RESOLVER.resolve(yaml.ScalarNode, name.value, name.implicit)
    if tag not in _ALLOWED_TAGS:
        return False, None
    if tag not in _TEXT_TAGS:
        return True, None
    return True, unicodedata.normalize("NFC", name.value)


def _section_value(events: Any, field: str, start: yaml.Event) -> yaml.Event | None | object:
    """Return the first event of `field`'s value in the mapping opened by `start` (None: absent).

    Other fields' values are skipped without being built. `_UNSURE` for what a quick reading does
    not judge: aliases, tags, keys that are not plain text.
    """
    if not isinstance(start, yaml.MappingStartEvent) or start.tag not in (None, _STD + "map"):
        return _UNSURE
    while True:
        key = next(events)
        if isinstance(key, yaml.MappingEndEvent):
            return None
        if not isinstance(key, yaml.ScalarEvent) or key.tag is not None or key.value == "<<":
            return _UNSURE
        value = next(events)
        if isinstance(value, yaml.AliasEvent):
            return _UNSURE
        if key.value == field:
            return value
        _skip(events, value)


def _skip(events: Any, first: yaml.Event) -> None:
    """Consume the rest of the node that `first` opens."""
    depth = 1 if isinstance(first, (yaml.SequenceStartEvent, yaml.MappingStartEvent)) else 0
    while depth:
        event = next(events)
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1
