"""Fill-in values: read them back from displayed text, rebuild the context, re-check displays.

Rendering turns a context value into displayed text through filters; reading it back inverts
the filters that can be inverted (`long_date`, `us_date`: the ISO date; `currency`: the amount;
`join`: the list) or guesses (`replace(a, b)`: swapped back) and keeps the displayed text for the
rest (`upper_name`, computed expressions). Each value is then displayed again through its
expression, so a fill-in edited in one place but not another shows up as a deviation.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from jinja2 import nodes

from sc_docs import fieldpath

from .docread import normalize
from .pattern import LoopRef, Segment, Slot

# Where a value came from, best first (a lower rank wins when occurrences disagree).
SEEDED: Final = 0  # known without reading the document (the catalog's document facts)
EXACT: Final = 1  # displayed as is, in a paragraph that matched its pattern
INVERTED: Final = 2  # displayed through an invertible filter (a date)
GUESSED: Final = 3  # displayed through a filter inverted by a guess (join, replace)
INFERRED: Final = 4  # implied by the alternative the document shows ({% if x == "other" %})
FUZZY: Final = 5  # read from a changed paragraph: its neighbours were edited
DISPLAYED: Final = 9  # only the displayed text is known

_IDENTITY: Final = {"string", "trim", "e", "escape", "safe", "default", "d"}
_MONTHS: Final = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
# The date filters' displays, by filter name ("the 5th day of March, 2026", "March 5, 2026").
_DATES: Final = {
    "long_date": re.compile(r"the\s+(?P<day>\d{1,2})\s*(?:st|nd|rd|th)?\s+day\s+of\s+(?P<month>[A-Za-z]+),?\s+(?P<year>\d{4})", re.I),
    "us_date": re.compile(r"(?P<month>[A-Za-z]+)\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})"),
}


def _iso_date(filter_name: str, display: str) -> str | None:
    """Return the YYYY-MM-DD date that `filter_name` displayed as `display`, or None."""
    m = _DATES[filter_name].fullmatch(display.strip())
    if m is None:
        return None
    try:
        return dt.date(int(m["year"]), _MONTHS.get(m["month"].lower(), 0), int(m["day"])).isoformat()
    except ValueError:
        return None


def invert(display: str, filters: tuple[tuple[str, tuple[Any, ...] | None], ...]) -> tuple[Any, int]:
    """Return (source value, rank) of a displayed value, undoing `filters` outermost first."""
    value: Any = display
    rank = EXACT
    for name, args in reversed(filters):
        if name in _IDENTITY:
            continue
        if not isinstance(value, str):
            return display, DISPLAYED
        if name in _DATES:
            iso = _iso_date(name, value)
            if iso is None:
                return display, DISPLAYED
            value, rank = iso, max(rank, INVERTED)
        elif name == "currency":
            try:
                amount = Decimal(value.replace("$", "").replace(",", "").strip())
            except InvalidOperation:
                return display, DISPLAYED
            value = int(amount) if amount == amount.to_integral_value() else float(amount)
            rank = max(rank, INVERTED)
        elif name == "state_name":
            # The filter returns unknown codes unchanged, so a name it does not know is its own code.
            value, rank = _state_codes().get(value.strip().lower(), value.strip()), max(rank, INVERTED)
        elif name == "join" and args is not None:
            sep = args[0] if args else ""
            if not isinstance(sep, str) or not sep.strip():
                return display, DISPLAYED  # white space is collapsed in the text read back
            value, rank = [v.strip() for v in value.split(sep.strip())], max(rank, GUESSED)
        elif name == "join_list":
            conj = args[0] if args else "and"
            head, _, last = value.rpartition(f" {conj} ")
            value = ([*head.split(", "), last] if head else [last])
            rank = max(rank, GUESSED)
        elif name == "replace" and args is not None and len(args) >= 2 and all(isinstance(a, str) for a in args[:2]):
            old, new = args[0], args[1]
            if not new:
                return display, DISPLAYED
            value, rank = value.replace(new, old), max(rank, GUESSED)
        else:
            return display, DISPLAYED
    return value, rank


def _state_codes() -> dict[str, str]:
    """Return {state name (lower case): postal code}, from the engine's `state_name` table."""
    from sc_docs.engines.docx.reader import US_STATES

    return {name.lower(): code for code, name in US_STATES.items()}


def concrete(path: tuple[Segment, ...], loops: dict[int, int]) -> tuple[str | int, ...] | None:
    """Return `path` with each loop item replaced by its iteration number (None if unknown)."""
    out: list[str | int] = []
    for seg in path:
        if isinstance(seg, LoopRef):
            if seg.loop not in loops:
                return None
            out.append(loops[seg.loop])
        else:
            out.append(seg)
    return tuple(out)


def dotted(path: tuple[str | int, ...]) -> str:
    """Return a concrete path as users write it (`applicant.scids[0]`)."""
    return fieldpath.format(path)


@dataclass(slots=True)
class Occurrence:
    """One slot as found in the document."""

    slot: Slot
    loops: dict[int, int]
    display: str  # normalized displayed text
    step: int  # index of the alignment step
    exact: bool  # False: read from a changed paragraph


class Facts:
    """Values learnt from the document, by concrete path, best source kept."""

    def __init__(self) -> None:
        self.values: dict[tuple[str | int, ...], tuple[int, Any]] = {}
        self.lengths: dict[tuple[str | int, ...], int] = {}
        self._votes: dict[tuple[str | int, ...], dict[str, list[Any]]] = {}

    def offer(self, path: tuple[str | int, ...], value: Any, rank: int) -> None:
        """Take `value` for `path` if its source ranks better; among equals the majority wins,
        so a fill-in edited in one of three places is reported there, not in the other two."""
        old = self.values.get(path)
        if old is not None and rank > old[0]:
            return
        votes = self._votes.setdefault(path, {})
        if old is not None and rank < old[0]:
            votes.clear()
        entry = votes.setdefault(repr(value), [0, len(votes), value])
        entry[0] += 1
        best = max(votes.values(), key=lambda e: (e[0], -e[1]))
        self.values[path] = (rank, best[2])

    def seed(self, root: str, value: Any) -> None:
        self.values[(root,)] = (SEEDED, value)

    def tree(self, *, max_rank: int = DISPLAYED) -> dict[str, Any]:
        """Return the values as nested dicts and lists (lists from integer keys)."""
        root: dict[Any, Any] = {}
        for path, (rank, value) in sorted(self.values.items(), key=lambda kv: len(kv[0])):
            if rank > max_rank:
                continue
            node: Any = root
            for seg in path[:-1]:
                child = node.get(seg)
                if isinstance(child, list):
                    child = dict(enumerate(child))
                    node[seg] = child
                elif not isinstance(child, dict):
                    child = {}
                    node[seg] = child
                node = child
            last = path[-1]
            if isinstance(node.get(last), dict) and isinstance(value, dict):
                node[last].update(value)
            elif last not in node or not isinstance(node[last], dict):
                node[last] = value
        for path, n in self.lengths.items():
            node = root
            for seg in path[:-1]:
                node = node.setdefault(seg, {}) if isinstance(node, dict) else {}
            if not isinstance(node, dict):
                continue
            seq = node.get(path[-1])
            if n == 0 and (seq is None or seq == {}):
                node[path[-1]] = []  # a loop shown with no items: an empty list
            elif isinstance(seq, dict) or seq is None:
                seq = node.setdefault(path[-1], {})
                for i in range(n):
                    seq.setdefault(i, {})
        return _listify(root)


def _listify(node: Any) -> Any:
    if isinstance(node, dict):
        if node and all(isinstance(k, int) for k in node):
            size = max(node) + 1
            return [_listify(node.get(i)) for i in range(size)]
        return {k: _listify(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_listify(v) for v in node]
    return node


# -- evaluating expressions -----------------------------------------------------------------


class Evaluator:
    """Display slot expressions and branch tests again from a context, as the engine would."""

    def __init__(self) -> None:
        from sc_docs.engines.docx import make_environment

        self.env = make_environment()
        self._compiled: dict[int, tuple[nodes.Expr, Any]] = {}
        self._tests: dict[int, nodes.CondExpr] = {}

    def _template(self, node: nodes.Expr) -> Any:
        # Keyed by identity, and the node is kept alive with its entry so the id is never reused.
        hit = self._compiled.get(id(node))
        if hit is None or hit[0] is not node:
            tree = nodes.Template([nodes.Output([node])])
            tree.set_environment(self.env)
            code = self.env.compile(tree)
            hit = (node, self.env.template_class.from_code(self.env, code, self.env.make_globals(None)))
            self._compiled[id(node)] = hit
        return hit[1]

    def display(self, node: nodes.Expr, context: dict[str, Any]) -> str | None:
        """Return the normalized text `node` displays in `context`; None if it cannot."""
        try:
            out = self._template(node).render(context)
        except Exception:  # undefined values, type errors: this expression cannot be checked
            return None
        return normalize(html.unescape(out))

    def test(self, node: nodes.Expr, context: dict[str, Any]) -> bool | None:
        cond = self._tests.get(id(node))
        if cond is None or cond.test is not node:
            cond = nodes.CondExpr(node, nodes.Const("1"), nodes.Const("0"))
            self._tests[id(node)] = cond
        out = self.display(cond, context)
        return None if out is None else out == "1"


def loop_context(scope: tuple[Any, ...], loops: dict[int, int], counts: dict[int, int], base: dict[str, Any]) -> dict[str, Any]:
    """Return `base` plus each enclosing loop's variable and `loop` for the innermost."""
    ctx = dict(base)
    for loop in scope:
        i = loops.get(loop.id)
        if i is None:
            continue
        if loop.target and loop.path is not None:
            seq = lookup(ctx, loop.path, loops)
            if isinstance(seq, list) and i < len(seq):
                ctx[loop.target] = seq[i]
        n = counts.get(loop.id, i + 1)
        ctx["loop"] = {"index": i + 1, "index0": i, "first": i == 0, "last": i == n - 1, "length": n,
                       "revindex": n - i, "revindex0": n - i - 1}
    return ctx


def lookup(ctx: Any, path: tuple[Segment, ...], loops: dict[int, int]) -> Any:
    """Return the value at `path` in `ctx`, loop items numbered by `loops`; None if missing."""
    where = concrete(path, loops)
    return None if where is None else fieldpath.get(ctx, where, None)


def equality(test: nodes.Expr | None) -> tuple[nodes.Node, Any] | None:
    """Return (expression, constant) of a test `x == "const"` (to infer x when it held)."""
    if isinstance(test, nodes.Compare) and len(test.ops) == 1 and test.ops[0].op == "eq":
        if isinstance(test.ops[0].expr, nodes.Const):
            return test.expr, test.ops[0].expr.value
    return None
