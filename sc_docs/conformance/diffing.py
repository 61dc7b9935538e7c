"""Word-level differences between expected and found paragraph text, and fuzzy slot reading."""

from __future__ import annotations

import difflib
import itertools
import re
from dataclasses import dataclass
from typing import Any, Final

from .docread import normalize
from .pattern import InlineFor, InlineIf, ParaSpec, Slot

_WORD: Final = re.compile(r"\S+")
_MAX_COMBOS: Final = 32
#: Largest word grid (expected words x found words) given to difflib, which is quadratic on
#: repetitive text; beyond it the differing middle is reported as one change.
MAX_GRID: Final = 250_000


def opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """Return difflib-style opcodes turning `a` into `b`, in time bounded for any input.

    The common head and tail are matched first (linear); difflib aligns what remains only
    when that is small enough, otherwise the remaining middle is one replacement.
    """
    head = 0
    while head < len(a) and head < len(b) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < len(a) - head and tail < len(b) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    mid_a, mid_b = a[head:len(a) - tail], b[head:len(b) - tail]
    out: list[tuple[str, int, int, int, int]] = []
    if head:
        out.append(("equal", 0, head, 0, head))
    if len(mid_a) * len(mid_b) <= MAX_GRID:
        sm = difflib.SequenceMatcher(None, mid_a, mid_b, autojunk=False)
        for tag, i1, i2, j1, j2 in sm.get_opcodes():
            out.append((tag, i1 + head, i2 + head, j1 + head, j2 + head))
    elif mid_a or mid_b:
        tag = "replace" if mid_a and mid_b else "delete" if mid_a else "insert"
        out.append((tag, head, len(a) - tail, head, len(b) - tail))
    if tail:
        out.append(("equal", len(a) - tail, len(a), len(b) - tail, len(b)))
    return out


def ratio(a: list[str], b: list[str]) -> float:
    """Return difflib's similarity ratio of `a` and `b`, from the bounded `opcodes`."""
    if not a and not b:
        return 1.0
    same = sum(i2 - i1 for tag, i1, i2, _, _ in opcodes(a, b) if tag == "equal")
    return 2 * same / (len(a) + len(b))


@dataclass(slots=True)
class Change:
    kind: str  # inserted, deleted, changed
    expected: str
    found: str
    start: int  # character span in the found text
    end: int


def word_changes(expected: str, found: str) -> list[Change]:
    """Return the word-level changes turning `expected` into `found` (both normalized)."""
    a = [m for m in _WORD.finditer(expected)]
    b = [m for m in _WORD.finditer(found)]
    out: list[Change] = []
    for tag, i1, i2, j1, j2 in opcodes([m.group() for m in a], [m.group() for m in b]):
        if tag == "equal":
            continue
        exp = " ".join(m.group() for m in a[i1:i2])
        got = " ".join(m.group() for m in b[j1:j2])
        if j1 < j2:
            start, end = b[j1].start(), b[j2 - 1].end()
        else:
            start = end = b[j1 - 1].end() if j1 > 0 else 0
        kind = {"replace": "changed", "delete": "deleted", "insert": "inserted"}[tag]
        out.append(Change(kind, exp, got, start, end))
    return out


def snippet_before(text: str, at: int, width: int = 50) -> str:
    s = text[max(0, at - width):at]
    if at - width > 0 and " " in s:
        s = s[s.index(" ") + 1:]
    return s.strip()


def snippet_after(text: str, at: int, width: int = 50) -> str:
    s = text[at:at + width]
    if at + width < len(text) and " " in s:
        s = s[: s.rindex(" ")]
    return s.strip()


# -- reading the fill-ins of a changed paragraph ----------------------------------------------


def _skeletons(items: list, chosen: dict[int, int] | None = None):
    """Yield (pieces, branch choices) for every combination of inline alternatives."""
    ifs = [i for i in items if isinstance(i, InlineIf)]
    ranges = [range(len(i.branches)) for i in ifs]
    for combo in itertools.islice(itertools.product(*ranges), _MAX_COMBOS):
        choice = {i.id: k for i, k in zip(ifs, combo, strict=True)}
        pieces: list = []
        ok = True
        for item in items:
            if isinstance(item, InlineIf):
                sub = list(_skeletons(item.branches[choice[item.id]]))
                if not sub:
                    ok = False
                    break
                inner, inner_choice = sub[0]
                pieces.extend(inner)
                choice.update(inner_choice)
            else:
                pieces.append(item)
        if ok:
            yield pieces, choice


def fuzzy_read(spec: ParaSpec, text: str) -> Reading:
    """Return what can be read from a changed paragraph: slot values, alternatives, pieces.

    The longest run of items at each end that still matches is read exactly (so an edit in the
    middle of a long preamble leaves the fill-ins around it intact); the rest is aligned word by
    word with the found text, and what lies where a slot stands is read as its value. `pieces`
    rebuild the expected text: found text kept as is at both ends, template items between.
    """
    from .match import squash
    from .program import compile_items

    text = squash(text)
    items = spec.items
    values: dict[int, str] = {}
    choice: dict[int, int] = {}
    k1, head_end, head = 0, 0, None
    for k in range(len(items), 0, -1):
        if not isinstance(items[k - 1], str):
            continue
        m = compile_items(items[:k], lead=True, trail=False, to_end=False).match(text)
        if m:
            k1, head_end, head = k, m.end(), m
            break
    k2, tail_start, tail = len(items), len(text), None
    for k in range(k1, len(items)):
        if not isinstance(items[k], str):
            continue
        m = compile_items(items[k:], lead=False, trail=True, to_end=True).search(text, head_end)
        if m:
            k2, tail_start, tail = k, m.start(), m
            break
    for m, part in ((head, items[:k1]), (tail, items[k2:])):
        if m is not None:
            _read_groups(m, part, values, choice)
    middle_values, middle_choice, middle = _word_read(items[k1:k2], text[head_end:tail_start])
    exact = set(values)
    values.update(middle_values)
    choice.update(middle_choice)
    pieces: list = []
    if head is not None:
        pieces.append(Found(text[:head_end], head, items[:k1]))
    pieces.extend(middle)
    if tail is not None:
        pieces.append(Found(text[tail_start:], tail, items[k2:], offset=tail_start))
    return Reading(values, exact, choice, pieces)


@dataclass(slots=True)
class Reading:
    """What a changed paragraph tells: slot values (`exact`: read by the pattern itself)."""

    values: dict[int, str]
    exact: set[int]
    choice: dict[int, int]
    pieces: list


@dataclass(slots=True)
class Found:
    """Found text kept in an expected text; its slots' spans let fill-in conflicts be corrected."""

    text: str
    match: Any  # a match.Found: spans in the squashed text
    items: list
    offset: int = 0


def _read_groups(m: Any, items: list, values: dict[int, str], choice: dict[int, int]) -> None:
    groups = m.groupdict()
    for item in items:
        if isinstance(item, Slot) and groups.get(item.group) is not None:
            values[item.id] = normalize(groups[item.group])
        elif isinstance(item, InlineIf):
            for k, branch in enumerate(item.branches):
                if groups.get(f"b{item.id}_{k}") is not None:
                    choice[item.id] = k
                    _read_groups(m, branch, values, choice)
                    break


def _word_read(items: list, found_text: str) -> tuple[dict[int, str], dict[int, int], list]:
    """Align `items` with `found_text` word by word; return slot values, choices and pieces."""
    found = found_text.split()
    best = None
    for pieces, choice in _skeletons(items):
        words: list[str] = []
        slots = []
        for piece in pieces:
            if isinstance(piece, str):
                words.extend(piece.split())
            else:
                slots.append(piece)
                words.append(chr(0xE100 + len(slots) - 1))
        score = ratio(words, found)
        if best is None or score > best[0]:
            best = (score, pieces, choice, words, slots)
    if best is None:
        return {}, {}, []
    _, pieces, choice, words, slots = best
    values: dict[int, str] = {}
    for tag, i1, i2, j1, j2 in opcodes(words, found):
        if tag == "equal":
            continue
        marks = [i for i in range(i1, i2) if len(words[i]) == 1 and 0xE100 <= ord(words[i]) < 0xE100 + len(slots)]
        if not marks:
            continue
        got = found[j1:j2]
        if len(marks) == 1:
            # the block's literal words before and after the slot take as many found words
            before, after = marks[0] - i1, i2 - marks[0] - 1
            lo = min(before, len(got))
            hi = max(lo, len(got) - after)
            values[_sid(slots[ord(words[marks[0]]) - 0xE100])] = " ".join(got[lo:hi])
        else:
            for i in marks:  # several slots in one edited block: each gets the block, roughly
                values[_sid(slots[ord(words[i]) - 0xE100])] = " ".join(got)
    return values, choice, pieces


def _sid(piece: Slot | InlineFor) -> int:
    return piece.id if isinstance(piece, Slot) else -piece.id


def _slots_in(items: list) -> list[Slot]:
    out: list[Slot] = []
    for item in items:
        if isinstance(item, Slot):
            out.append(item)
        elif isinstance(item, InlineIf):
            for b in item.branches:
                out.extend(_slots_in(b))
    return out


def normalize_keep_edges(text: str) -> str:
    """Collapse white space but keep a single space where the text starts or ends with one."""
    core = normalize(text)
    if not core:
        return " " if text else ""
    return (" " if text[:1].isspace() else "") + core + (" " if text[-1:].isspace() else "")


def instantiate(pieces: list, values: dict[int, str]) -> str:
    """Return the text of `pieces` with slot values filled in (found text corrected where a
    fill-in reads differently from its other places)."""
    out = ""
    for piece in pieces:
        if isinstance(piece, str):
            out += piece
        elif isinstance(piece, Found):
            text = piece.text
            edits = []
            groups = piece.match.groupdict()
            for slot in _slots_in(piece.items):
                if groups.get(slot.group) is not None and slot.id in values and values[slot.id] != normalize(groups[slot.group]):
                    start, end = piece.match.span(slot.group)
                    edits.append((start - piece.offset, end - piece.offset, values[slot.id]))
            for start, end, value in sorted(edits, reverse=True):
                text = text[:start] + value + text[end:]
            out += text
        elif isinstance(piece, Slot):
            out += values.get(piece.id, "{{ " + piece.text + " }}")
        elif isinstance(piece, InlineFor):
            out += values.get(-piece.id, "")
    return normalize(out)
