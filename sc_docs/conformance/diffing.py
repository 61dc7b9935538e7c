"""Word-level differences between expected and found paragraph text, and fuzzy slot reading."""

from __future__ import annotations

import difflib
import itertools
import re
from dataclasses import dataclass
from typing import Final

from .docread import normalize
from .pattern import InlineFor, InlineIf, ParaSpec, Slot

_WORD: Final = re.compile(r"\S+")
_MAX_COMBOS: Final = 32


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
    sm = difflib.SequenceMatcher(None, [m.group() for m in a], [m.group() for m in b], autojunk=False)
    out: list[Change] = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
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
        choice = {i.id: k for i, k in zip(ifs, combo)}
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


def fuzzy_read(spec: ParaSpec, text: str) -> tuple[dict[int, str], dict[int, int], list]:
    """Return (slot id -> text, inline branch choices, skeleton pieces) for a changed paragraph.

    The paragraph's literal text is aligned with the found text; what lies where a slot stands
    is read as its value.
    """
    found = normalize(text)
    best = None
    for pieces, choice in _skeletons(spec.items):
        marks: list[str] = []
        skel = ""
        for piece in pieces:
            if isinstance(piece, str):
                skel += normalize_keep_edges(piece)
            else:
                marks.append(chr(0xE100 + len(marks)))
                skel += marks[-1]
        skel = re.sub(r" {2,}", " ", skel).strip()
        ratio = difflib.SequenceMatcher(None, skel, found, autojunk=False).ratio()
        if best is None or ratio > best[0]:
            best = (ratio, pieces, choice, skel)
    if best is None:
        return {}, {}, []
    _, pieces, choice, skel = best
    slots = [p for p in pieces if not isinstance(p, str)]
    sm = difflib.SequenceMatcher(None, skel, found, autojunk=False)
    blocks = [b for b in sm.get_matching_blocks() if b.size >= 3 or b.size == 0]
    values: dict[int, str] = {}
    for k, slot in enumerate(slots):
        pos = skel.find(chr(0xE100 + k))
        prev = max((b for b in blocks if b.a + b.size <= pos), key=lambda b: b.a, default=None)
        nxt = min((b for b in blocks if b.a > pos), key=lambda b: b.a, default=None)
        a0 = prev.a + prev.size if prev else 0
        t0 = prev.b + prev.size if prev else 0
        a1 = nxt.a if nxt else len(skel)
        t1 = nxt.b if nxt else len(found)
        segment = found[t0:t1]
        left, right = skel[a0:pos], skel[pos + 1:a1]
        if left and segment.startswith(left):
            segment = segment[len(left):]
        if right and segment.endswith(right):
            segment = segment[: len(segment) - len(right)]
        sid = slot.id if isinstance(slot, Slot) else -slot.id
        values[sid] = segment.strip()
    return values, choice, pieces


def normalize_keep_edges(text: str) -> str:
    """Collapse white space but keep a single space where the text starts or ends with one."""
    core = normalize(text)
    if not core:
        return " " if text else ""
    return (" " if text[:1].isspace() else "") + core + (" " if text[-1:].isspace() else "")


def instantiate(pieces: list, values: dict[int, str]) -> str:
    """Return the text of skeleton `pieces` with slot values filled in."""
    out = ""
    for piece in pieces:
        if isinstance(piece, str):
            out += piece
        elif isinstance(piece, Slot):
            out += values.get(piece.id, "{{ " + piece.text + " }}")
        elif isinstance(piece, InlineFor):
            out += values.get(-piece.id, "")
    return normalize(out)
