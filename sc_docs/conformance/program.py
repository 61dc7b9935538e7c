"""Compile a paragraph's items (literal text, fill-ins, inline alternatives and loops) to a
`match.Program`: the linear-time replacement of one big regular expression per paragraph."""

from __future__ import annotations

import re
from typing import Any

from .match import DIGITS, GREEDY, HUMANIZED, JMP, LAZY, SPLIT, WS, ATOM, ATOM_WIDTH, Builder, Program
from .pattern import InlineFor, InlineIf, Slot, branch_order


def compile_items(items: list[Any], *, lead: bool, trail: bool, to_end: bool) -> Program:
    """Return the program of `items`; `lead` / `trail` allow white space around, `to_end`
    requires the match to reach the end of the text (fullmatch, or a search anchored at the end)."""
    b = Builder()
    if lead:
        b.emit(WS, 0)  # optional white space
    _items(b, items, named=True)
    if trail:
        b.emit(WS, 0)
    # Literal text outside alternatives must be in any text that matches: a cheap pre-check.
    return b.finish(to_end=to_end, required=b.required)


def _items(b: Builder, items: list[Any], *, named: bool) -> None:
    for item in items:
        if isinstance(item, str):
            b.literal(item)
        elif isinstance(item, Slot):
            if named:
                b.save(item.group, False)
            _slot(b, item.shape)
            if named:
                b.save(item.group, True)
        elif isinstance(item, InlineIf):
            order = branch_order(item.tests, [len("".join(i for i in br if isinstance(i, str)).strip())
                                               for br in item.branches])
            _alternatives(b, [(f"b{item.id}_{k}" if named else None, item.branches[k]) for k in order], named)
        elif isinstance(item, InlineFor):
            if named:
                b.save(f"f{item.id}", False)
            loop = b.emit(SPLIT, ())
            body = len(b.code)
            b.depth += 1
            _items(b, item.body, named=False)
            b.depth -= 1
            b.emit(JMP, loop)
            b.code[loop] = (SPLIT, (len(b.code), body))  # lazy: as few iterations as will do
            if named:
                b.save(f"f{item.id}", True)


def _alternatives(b: Builder, branches: list[tuple[str | None, list[Any]]], named: bool) -> None:
    split = b.emit(SPLIT, ())
    b.depth += 1
    targets, jumps = [], []
    for marker, body in branches:
        targets.append(len(b.code))
        if marker is not None:
            b.save(marker, False)
            b.save(marker, True)
        _items(b, body, named=named)
        jumps.append(b.emit(JMP, -1))
    b.depth -= 1
    for j in jumps:
        b.code[j] = (JMP, len(b.code))
    b.code[split] = (SPLIT, tuple(targets))


def _slot(b: Builder, shape: tuple[Any, ...]) -> None:
    kind = shape[0]
    if kind == "literal":
        b.literal(shape[1])
    elif kind == "choices":
        _alternatives(b, [(None, [c]) for c in shape[1]], named=False)
    elif kind == "atom":
        b.emit(ATOM, re.compile(shape[1], re.DOTALL), ATOM_WIDTH)
    elif kind == "digits":
        b.emit(DIGITS)
    elif kind == "humanized":
        b.emit(HUMANIZED)
    elif kind == "greedy":
        b.emit(GREEDY)
    else:
        b.emit(LAZY)
