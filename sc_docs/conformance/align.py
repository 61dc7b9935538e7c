"""Align a document's paragraphs with a template's pattern, allowing for edits.

The pattern is a program over paragraphs (see `pattern`): paragraph instructions consume one
document paragraph, loops and alternatives are jumps. The alignment is the cheapest run of that
program over the document, where a paragraph may match its pattern (cost 0), be changed
(`SUB_COST`), be missing (`DEL_COST`) or be extra (`INS_COST`): an edit distance to a regular
language, computed column by column (one column per document paragraph).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Final

from sc_docs.errors import UnreadableFileError

from .docread import CELL, Paragraph, normalize
from .match import Found, squash
from .pattern import Pattern

DEL_COST: Final = 1.0
INS_COST: Final = 1.0
#: Between one and two: a changed paragraph is preferred to a deletion plus an insertion.
SUB_COST: Final = 1.5
_INF: Final = float("inf")
#: Most cells (document paragraphs x template steps) an alignment may take: about 100 MB.
MAX_CELLS: Final = 20_000_000
_EPS, _DEL, _MATCH, _SUB, _INS = 1, 2, 3, 4, 5
_NAMES: Final = {_EPS: "eps", _DEL: "del", _MATCH: "match", _SUB: "sub", _INS: "ins"}


@dataclass(slots=True)
class Step:
    """One aligned item: `match`, `sub` (changed), `del` (template paragraph missing) or `ins`."""

    op: str
    pid: int | None  # the template paragraph (None for `ins`)
    doc: int | None  # index into the aligned document paragraphs (for `del`: the next one)
    loops: dict[int, int] = field(default_factory=dict)  # loop id -> iteration (0-based)
    match: Found | None = None  # spans in the squashed text


@dataclass(slots=True)
class Alignment:
    steps: list[Step]
    branches: list[tuple[int, int, dict[int, int], int]]  # (if id, branch taken, loop iterations, first step)
    iterations: dict[tuple[int, tuple[tuple[int, int], ...]], int]  # (loop id, outer iterations) -> count
    cost: float


def align(pattern: Pattern, paragraphs: list[Paragraph]) -> Alignment:
    """Return the cheapest alignment of `paragraphs` (non-empty ones) with `pattern`."""
    program = pattern.program
    texts = [squash(p.text) for p in paragraphs]
    norm = [normalize(t) for t in texts]
    n, size = len(texts), len(program)
    matches: dict[tuple[int, int], Found] = {}  # only the successes are kept
    if (n + 1) * size > MAX_CELLS:
        raise UnreadableFileError(
            f"too large to verify: {n} paragraphs against a template of {size} steps "
            f"(limit {MAX_CELLS:,} alignment cells)"
        )

    def try_match(pid: int, j: int) -> Found | None:
        spec = pattern.paras[pid]
        if spec.prefix and not norm[j].startswith(spec.prefix):
            return None
        m = spec.matcher.fullmatch(texts[j])
        if m is not None:
            matches[(pid, j)] = m
        return m

    markers = {pid: spec.items == [CELL] for pid, spec in pattern.paras.items()}
    # Costs need two columns; the way back is kept compactly: the previous program counter and
    # the operation (eps and del stay in the column, the others come from the previous one).
    col = [_INF] * size
    col[0] = 0.0
    back_pc = [array("i", bytes(4 * size)) for _ in range(n + 1)]
    back_op = [bytearray(size) for _ in range(n + 1)]
    for j in range(n + 1):
        bpc, bop = back_pc[j], back_op[j]
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
                        bpc[pc + 1], bop[pc + 1] = pc, _DEL
                elif op == "split" or op == "jump":
                    for t in (ins[1] if op == "split" else (ins[1],)):
                        if c < col[t]:
                            col[t] = c
                            bpc[t], bop[t] = pc, _EPS
                            again = again or t < pc
                elif op != "end":
                    if c < col[pc + 1]:
                        col[pc + 1] = c
                        bpc[pc + 1], bop[pc + 1] = pc, _EPS
        if j == n:
            break
        nxt = [_INF] * size
        bpc, bop = back_pc[j + 1], back_op[j + 1]
        for pc in range(size):
            c = col[pc]
            if c == _INF:
                continue
            if program[pc][0] == "para":
                pid = program[pc][1]
                m = try_match(pid, j)
                if m is None and markers[pid] != paragraphs[j].marker:
                    s = _INF  # a cell boundary is never "changed" into text
                else:
                    s = c if m is not None else c + SUB_COST
                if s < nxt[pc + 1]:
                    nxt[pc + 1] = s
                    bpc[pc + 1], bop[pc + 1] = pc, (_MATCH if m is not None else _SUB)
            if c + INS_COST < nxt[pc]:
                nxt[pc] = c + INS_COST
                bpc[pc], bop[pc] = pc, _INS
        col = nxt
    total = col[size - 1]

    # Walk back from the end state, then replay forwards to number loop iterations.
    trail: list[tuple[int, int, str]] = []
    pc, j = size - 1, n
    while back_op[j][pc]:
        op = back_op[j][pc]
        prev = back_pc[j][pc]
        if op not in (_EPS, _DEL):
            j -= 1
        trail.append((prev, j, _NAMES[op]))
        pc = prev
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
    return Alignment(steps, branches, iterations, total)
