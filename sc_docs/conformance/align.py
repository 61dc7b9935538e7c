"""Align a document's paragraphs with a template's pattern, allowing for edits.

The pattern is a program over paragraphs (see `pattern`): paragraph instructions consume one
document paragraph, loops and alternatives are jumps. The alignment is the cheapest run of that
program over the document, where a paragraph may match its pattern (cost 0), be changed
(`SUB_COST`), be missing (`DEL_COST`) or be extra (`INS_COST`): an edit distance to a regular
language, computed column by column (one column per document paragraph).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from .docread import CELL, Paragraph, normalize
from .pattern import Pattern

DEL_COST: Final = 1.0
INS_COST: Final = 1.0
#: Between one and two: a changed paragraph is preferred to a deletion plus an insertion.
SUB_COST: Final = 1.5
_INF: Final = float("inf")


@dataclass(slots=True)
class Step:
    """One aligned item: `match`, `sub` (changed), `del` (template paragraph missing) or `ins`."""

    op: str
    pid: int | None  # the template paragraph (None for `ins`)
    doc: int | None  # index into the aligned document paragraphs (for `del`: the next one)
    loops: dict[int, int] = field(default_factory=dict)  # loop id -> iteration (0-based)
    match: re.Match[str] | None = None


@dataclass(slots=True)
class Alignment:
    steps: list[Step]
    branches: list[tuple[int, int, dict[int, int], int]]  # (if id, branch taken, loop iterations, first step)
    iterations: dict[tuple[int, tuple[tuple[int, int], ...]], int]  # (loop id, outer iterations) -> count
    cost: float


def align(pattern: Pattern, paragraphs: list[Paragraph]) -> Alignment:
    """Return the cheapest alignment of `paragraphs` (non-empty ones) with `pattern`."""
    program = pattern.program
    texts = [p.text for p in paragraphs]
    norm = [normalize(t) for t in texts]
    n, size = len(texts), len(program)
    matches: dict[tuple[int, int], re.Match[str] | None] = {}

    def try_match(pid: int, j: int) -> re.Match[str] | None:
        key = (pid, j)
        if key in matches:
            return matches[key]
        spec = pattern.paras[pid]
        m = None
        if not spec.prefix or norm[j].startswith(spec.prefix):
            m = spec.regex.fullmatch(texts[j])
        matches[key] = m
        return m

    markers = {pid: spec.items == [CELL] for pid, spec in pattern.paras.items()}
    cost = [[_INF] * size for _ in range(n + 1)]
    back: list[list[tuple[int, int, str] | None]] = [[None] * size for _ in range(n + 1)]
    cost[0][0] = 0.0
    for j in range(n + 1):
        col, bcol = cost[j], back[j]
        again = True
        while again:
            again = False
            for pc in range(size):
                c = col[pc]
                if c == _INF:
                    continue
                ins = program[pc]
                op = ins[0]
                if op == "para":
                    if c + DEL_COST < col[pc + 1]:
                        col[pc + 1] = c + DEL_COST
                        bcol[pc + 1] = (pc, j, "del")
                elif op == "split":
                    for t in ins[1]:
                        if c < col[t]:
                            col[t] = c
                            bcol[t] = (pc, j, "eps")
                            again = again or t < pc
                elif op == "jump":
                    t = ins[1]
                    if c < col[t]:
                        col[t] = c
                        bcol[t] = (pc, j, "eps")
                        again = again or t < pc
                elif op != "end":
                    if c < col[pc + 1]:
                        col[pc + 1] = c
                        bcol[pc + 1] = (pc, j, "eps")
        if j == n:
            break
        nxt, bnxt = cost[j + 1], back[j + 1]
        for pc in range(size):
            c = col[pc]
            if c == _INF:
                continue
            if program[pc][0] == "para":
                m = try_match(program[pc][1], j)
                if m is None and markers[program[pc][1]] != paragraphs[j].marker:
                    s = _INF  # a cell boundary is never "changed" into text
                else:
                    s = c if m is not None else c + SUB_COST
                if s < nxt[pc + 1]:
                    nxt[pc + 1] = s
                    bnxt[pc + 1] = (pc, j, "match" if m is not None else "sub")
            if c + INS_COST < nxt[pc]:
                nxt[pc] = c + INS_COST
                bnxt[pc] = (pc, j, "ins")

    # Walk back from the end state, then replay forwards to number loop iterations.
    trail: list[tuple[int, int, str]] = []
    pc, j = size - 1, n
    while back[j][pc] is not None:
        prev = back[j][pc]
        assert prev is not None
        trail.append(prev)
        pc, j = prev[0], prev[1]
    trail.reverse()

    steps: list[Step] = []
    branches: list[tuple[int, int, dict[int, int], int]] = []
    iterations: dict[tuple[int, tuple[tuple[int, int], ...]], int] = {}
    stack: list[list[int]] = []  # [loop id, iteration]
    for pc, j, op in trail:
        ins = program[pc]
        loops = {lid: it for lid, it in stack}
        if op == "eps":
            if ins[0] == "loop":
                stack.append([ins[1], -1])
                iterations[(ins[1], tuple(sorted(loops.items())))] = 0
            elif ins[0] == "iter":
                stack[-1][1] += 1
                outer = {lid: it for lid, it in stack[:-1]}
                iterations[(ins[1], tuple(sorted(outer.items())))] = stack[-1][1] + 1
            elif ins[0] == "endloop":
                stack.pop()
            elif ins[0] == "branch":
                branches.append((ins[1], ins[2], loops, len(steps)))
        elif op == "ins":
            steps.append(Step("ins", None, j, loops))
        elif op == "del":
            steps.append(Step("del", ins[1], j, loops))
        else:
            steps.append(Step(op, ins[1], j, loops, matches.get((ins[1], j))))
    return Alignment(steps, branches, iterations, cost[n][size - 1])
