"""Match a paragraph's text against its pattern in time linear in the text, never backtracking.

A paragraph pattern is literal text and fill-ins; most fill-ins match any text (`.*?`), so with
Python's `re` an opening paragraph with four of them, fed an address that repeats ", a b" a
thousand times, backtracks through every way of splitting the text: effectively forever. Here the
pattern is compiled to a small program run by a backtracking search that remembers every
(instruction, position) it has tried, as RE2's "bit state" engine does: a state that failed once
fails again, so each is tried once and the work is bounded by instructions x characters, while
the result (which fill-in gets which text) is the same leftmost-first one `re` would give.

White space is collapsed first (`squash`: each run becomes one space, or one tab if it holds a
tab), so a run of white space can be split only one way; every span reported is in the squashed
text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

_WS_RUN: Final = re.compile(r"\s+")
_SPACE: Final = re.compile(r"\s")
_HUMANIZED: Final = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")
_DIGITS: Final = re.compile(r"\d+")
#: Longest text a bounded fill-in (a date, an amount) may take.
ATOM_WIDTH: Final = 80

# Instructions are tuples; the first item is the opcode.
LIT, WS, TAB, LAZY, GREEDY, ATOM, HUMANIZED, DIGITS, SPLIT, JMP, SAVE, MATCH = range(12)


def squash(text: str) -> str:
    """Collapse each run of white space to one space (one tab if the run holds a tab)."""
    return _WS_RUN.sub(lambda m: "\t" if "\t" in m.group() else " ", text)


class Found:
    """A successful match: the spans of its named groups, like `re.Match` (the part used here)."""

    __slots__ = ("string", "_caps", "_names", "_end")

    def __init__(self, string: str, caps: list[int], names: dict[str, int], end: int) -> None:
        self.string = string
        self._caps = caps
        self._names = names
        self._end = end

    def span(self, name: str | int = 0) -> tuple[int, int]:
        if name == 0:
            return self._caps[0], self._end
        i = self._names[str(name)]
        return self._caps[2 * i], self._caps[2 * i + 1]

    def start(self, name: str | int = 0) -> int:
        return self.span(name)[0]

    def end(self, name: str | int = 0) -> int:
        return self.span(name)[1]

    def group(self, name: str | int = 0) -> str | None:
        a, b = self.span(name)
        return None if a < 0 or b < 0 else self.string[a:b]

    def groupdict(self) -> dict[str, str | None]:
        return {name: self.group(name) for name in self._names if name}


class Program:
    """A compiled pattern: `match` (anchored at a position), `fullmatch`, `search`."""

    def __init__(self, code: list[tuple[Any, ...]], names: dict[str, int], *, to_end: bool) -> None:
        self.code = code
        self.names = names
        self.to_end = to_end
        self.required: list[re.Pattern[str]] = []
        self._first_lit = [self._next_literal(pc) for pc in range(len(code))]

    def _next_literal(self, pc: int) -> tuple[str, Any] | None:
        """What must follow a lazy fill-in at `pc`, to skip ahead to it: a word ("lit"),
        white space ("ws"), or only trailing white space ("end"); None if anything may."""
        nxt, hops, optional_ws = pc + 1, 0, False
        while nxt < len(self.code) and hops < 64:
            ins = self.code[nxt]
            if ins[0] == SAVE:
                nxt += 1
            elif ins[0] == JMP:
                nxt, hops = ins[1], hops + 1
            elif ins[:2] == (WS, 0):
                nxt, optional_ws = nxt + 1, True
            else:
                break
        if nxt >= len(self.code) or hops >= 64:
            return None
        ins = self.code[nxt]
        if ins[0] == MATCH:
            return ("end", None) if self.to_end else None
        if optional_ws:
            return None
        if ins[0] == LIT:
            return ("lit", ins[2]) if ins[2] else ("ws", None)
        if ins[0] == TAB or ins[:2] == (WS, 1):
            return ("ws", None)
        return None

    def fullmatch(self, text: str) -> Found | None:
        for regex in self.required:
            if regex.search(text) is None:
                return None  # a literal every match must contain is missing: no need to run
        return self._run(text, 0, True, set())

    def match(self, text: str, pos: int = 0) -> Found | None:
        return self._run(text, pos, self.to_end, set())

    def search(self, text: str, pos: int = 0) -> Found | None:
        """Return the match starting leftmost at or after `pos` (failures are shared across starts)."""
        seen: set[int] = set()
        for start in range(pos, len(text) + 1):
            found = self._run(text, start, self.to_end, seen)
            if found is not None:
                return found
        return None

    def _run(self, text: str, start: int, to_end: bool, seen: set[int]) -> Found | None:
        code, n, width = self.code, len(text), len(text) + 1
        caps = [-1] * (2 * len(self.names))
        if caps:
            caps[0] = start
        stack: list[Any] = [(0, start)]
        while stack:
            job = stack.pop()
            if job[0] == -1:  # restore a capture on the way back
                caps[job[1]] = job[2]
                continue
            if job[0] == -2:  # the next candidate end of a many-ended instruction
                _, pc, ends = job
                q = next(ends, None)
                if q is not None:
                    stack.append(job)
                    stack.append((pc + 1, q))
                continue
            pc, pos = job
            key = pc * width + pos
            if key in seen:
                continue
            seen.add(key)
            ins = code[pc]
            op = ins[0]
            if op == LIT:
                m = ins[1].match(text, pos)
                if m is not None:
                    stack.append((pc + 1, m.end()))
            elif op == WS:
                if pos < n and text[pos].isspace():
                    if ins[1] == 0:
                        stack.append((pc + 1, pos))
                    stack.append((pc + 1, pos + 1))
                elif ins[1] == 0:
                    stack.append((pc + 1, pos))
            elif op == TAB:
                if pos < n and text[pos] == "\t":
                    stack.append((pc + 1, pos + 1))
            elif op == LAZY:
                skip = self._first_lit[pc]
                if skip is None:
                    if pos < n:
                        stack.append((pc, pos + 1))
                    stack.append((pc + 1, pos))
                else:
                    if skip[0] == "end":
                        q = max(pos, len(text.rstrip()))
                    else:
                        q = text.find(skip[1], pos) if skip[0] == "lit" else _find_space(text, pos)
                    if q >= 0:
                        if q < n:
                            stack.append((pc, q + 1))
                        stack.append((pc + 1, q))
            elif op == GREEDY:
                stack.append((-2, pc, iter(range(n, pos - 1, -1))))
            elif op in (ATOM, HUMANIZED, DIGITS):
                stack.append((-2, pc, _ends(op, ins, text, pos)))
            elif op == SPLIT:
                for target in reversed(ins[1]):
                    stack.append((target, pos))
            elif op == JMP:
                stack.append((ins[1], pos))
            elif op == SAVE:
                slot = ins[1]
                stack.append((-1, slot, caps[slot]))
                caps[slot] = pos
                stack.append((pc + 1, pos))
            elif op == MATCH:
                if not to_end or pos == n:
                    return Found(text, list(caps), self.names, pos)
        return None


def _find_space(text: str, pos: int) -> int:
    m = _SPACE.search(text, pos)
    return -1 if m is None else m.start()


def _ends(op: int, ins: tuple[Any, ...], text: str, pos: int) -> Iterator[int]:
    """Candidate ends of a bounded fill-in at `pos`, longest first (as greedy `re` tries them)."""
    if op == ATOM:
        regex, width = ins[1], ins[2]
        for q in range(min(len(text), pos + width), pos - 1, -1):
            if regex.fullmatch(text, pos, q):
                yield q
        return
    m = (_HUMANIZED if op == HUMANIZED else _DIGITS).match(text, pos)
    if m is None:
        return
    for q in range(m.end(), pos, -1):
        if text[q - 1] != " ":
            yield q


class Builder:
    """Assemble a program; `pattern.py` feeds it the paragraph's items."""

    def __init__(self) -> None:
        self.code: list[tuple[Any, ...]] = []
        self.names: dict[str, int] = {"": 0}
        self.depth = 0  # inside alternatives or loops: literal text there is optional
        self.required: list[re.Pattern[str]] = []

    def emit(self, *ins: Any) -> int:
        self.code.append(ins)
        return len(self.code) - 1

    def literal(self, text: str) -> None:
        """Literal text: words exact, white space as one white space character (a tab as a tab).

        In squashed text this regular expression can match in one way only, so it never
        backtracks; `(LIT, regex, first word)` keeps the first word for skipping ahead.
        """
        if not text:
            return
        out = []
        for piece in re.split(r"(\s+)", text):
            if piece:
                out.append(("\t" if "\t" in piece else r"\s") if piece.isspace() else re.escape(piece))
        first = "" if text[0].isspace() else text.split()[0]
        regex = re.compile("".join(out))
        if self.depth == 0 and first:
            self.required.append(regex)
        self.emit(LIT, regex, first)

    def group(self, name: str) -> int:
        if name not in self.names:
            self.names[name] = len(self.names)
        return self.names[name]

    def save(self, name: str, end: bool) -> None:
        self.emit(SAVE, 2 * self.group(name) + (1 if end else 0))

    def finish(self, *, to_end: bool, required: list[re.Pattern[str]] | None = None) -> Program:
        self.emit(MATCH)
        program = Program(self.code, self.names, to_end=to_end)
        program.required = required or []
        return program
