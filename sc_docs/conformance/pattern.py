"""Turn a DOCX template into a pattern: paragraphs of literal text and fill-in slots.

The template's parts go through docxtpl's own preprocessing (so `{%tr %}`, `{%p %}` and split
runs are handled exactly as when rendering), are reduced to text by the walker of `docread`
(one private character marks each paragraph end), and the result is parsed by the engine's Jinja
environment. The Jinja tree becomes a small program over paragraphs:

- a paragraph with no block tags is a `ParaSpec`: literal pieces, slots (`{{ expr }}`) and inline
  `{% if %}` / `{% for %}` that stay within the paragraph, compiled to one regular expression;
- `{% for %}` / `{% if %}` whose bodies hold whole paragraphs (as `{%p %}` and `{%tr %}` make
  them) become loops and alternatives of paragraphs, matched by `align`.
"""

from __future__ import annotations


from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Final, Union

from jinja2 import nodes

from sc_docs.errors import TemplateError

from .docread import CELL, PARA, Walker, normalize
from .locate import Location
from .expressions import LoopRef, Segment, expr_text, path_text, resolve
from .package import DocPackage

if TYPE_CHECKING:
    from .match import Program

_FILTER_RE: Final = {
    "long_date": r"the \d{1,2}(?:st|nd|rd|th) day of [A-Z][a-z]+,\s+\d{4}",
    "us_date": r"[A-Z][a-z]+\s+\d{1,2},\s+\d{4}",
    "currency": r"-?\$[\d,]+\.\d{2}",
}
_LOOP_ATTRS: Final = frozenset({"index", "index0", "revindex", "revindex0", "length"})




@dataclass(slots=True)
class LoopSpec:
    id: int
    target: str | None
    path: tuple[Segment, ...] | None  # what it iterates over
    text: str


@dataclass(slots=True)
class Slot:
    """One `{{ expr }}`: where its value comes from and how to invert what it displays."""

    id: int
    node: nodes.Expr
    text: str  # the expression as written
    path: tuple[Segment, ...] | None  # the variable it displays, through loops
    filters: tuple[tuple[str, tuple[Any, ...] | None], ...]  # innermost first; None args: not constant
    loop_attr: tuple[int, str] | None  # loop.index & co: (loop id, attribute)
    scope: tuple[LoopSpec, ...]  # enclosing loops, outermost first
    shape: tuple[Any, ...]  # what text it can take: see `program.compile_items`
    literal: str | None = None  # a constant expression's text

    @property
    def group(self) -> str:
        return f"s{self.id}"


@dataclass(slots=True)
class InlineIf:
    id: int
    tests: list[nodes.Expr | None]  # None: the else branch
    branches: list[list[Any]]  # inline items of each branch, in template order
    scope: tuple[LoopSpec, ...]


@dataclass(slots=True)
class InlineFor:
    id: int
    loop: LoopSpec
    body: list[Any]
    scope: tuple[LoopSpec, ...]


Inline = Union[str, Slot, InlineIf, InlineFor]


@dataclass
class ParaSpec:
    """One paragraph of the template: its inline items and the location of its heading."""

    pid: int
    part: str
    items: list[Inline]
    location: Location
    scope: tuple[LoopSpec, ...]
    formatting: tuple | None = None  # (style, alignment, run formats) for --strict

    @cached_property
    def matcher(self) -> Program:
        """The paragraph's pattern as a linear-time program (match it against `squash`ed text)."""
        from .program import compile_items

        return compile_items(self.items, lead=True, trail=True, to_end=True)

    @cached_property
    def literal(self) -> str:
        """The paragraph's literal text only (slots dropped): for headings and similarity."""
        return normalize("".join(_literal(i) for i in self.items))

    @cached_property
    def prefix(self) -> str:
        """Literal text every match starts with (cheap pre-check before the regex)."""
        first = self.items[0] if self.items else ""
        return normalize(first)[:24] if isinstance(first, str) else ""

    def slots(self) -> list[Slot]:
        out: list[Slot] = []
        _collect_slots(self.items, out)
        return out


@dataclass(slots=True)
class IfSpec:
    id: int
    tests: list[nodes.Expr | None]
    scope: tuple[LoopSpec, ...]
    pids: list[list[int]] = field(default_factory=list)  # paragraphs of each branch (block ifs)


# Program instructions (tuples keep the alignment loop fast):
#   ("para", pid) ("split", [targets]) ("jump", target) ("loop", id) ("iter", id)
#   ("endloop", id) ("branch", if id, branch number) ("end",)
Instr = tuple


@dataclass
class Pattern:
    """A compiled template: its program, paragraphs, loops and alternatives."""

    name: str
    program: list[Instr]
    paras: dict[int, ParaSpec]
    loops: dict[int, LoopSpec]
    ifs: dict[int, IfSpec]
    slots: dict[int, Slot] = field(default_factory=dict)

    def literal_text(self) -> str:
        return " ".join(p.literal for p in self.paras.values())


class Unsupported(Exception):
    """The template uses a construct verification cannot follow."""


# -- building ---------------------------------------------------------------------------------


def build_pattern(package: DocPackage, name: str) -> Pattern:
    """Return the pattern of the template in `package` (labelled `name` in errors)."""
    from lxml import etree

    from sc_docs.engines.docx import make_environment
    from sc_docs.engines.docx.reader import PARSER, preprocess_template_xml, unescape_braces

    env = make_environment()
    builder = _Builder(name)
    for part_name, kind in package.text_parts():
        root = package.xml(part_name)
        xml = etree.tostring(root, encoding="unicode")
        if "{" in xml:
            try:
                root = etree.fromstring(preprocess_template_xml(xml).encode("utf-8"), PARSER)
            except etree.XMLSyntaxError as exc:
                raise TemplateError(f"{part_name}: template XML broken by preprocessing: {exc}", template=name) from None
        walker = Walker(kind, tags=True, styles=package.stylesheet)
        walker.walk(root)
        source = "".join(walker.source)
        try:
            tree = env.parse(source)
        except Exception as exc:  # a syntax error the engine would also refuse
            raise TemplateError(f"{part_name}: cannot parse the template: {exc}", template=name) from None
        unescape_braces(tree)
        builder.part = kind
        builder.location = Location(kind)
        builder.walked = walker.paragraphs
        builder.real = 0
        try:
            builder.body(tree.body, ())
            builder.flush(())
        except Unsupported as exc:
            raise TemplateError(f"{part_name}: verification cannot follow this template: {exc}", template=name) from None
    builder.program.append(("end",))
    return Pattern(name, builder.program, builder.paras, builder.loops, builder.ifs, builder.slot_index)


def _has_para(node_list: list[nodes.Node]) -> bool:
    for n in node_list:
        for data in ([n] if isinstance(n, nodes.TemplateData) else list(n.find_all(nodes.TemplateData))):
            if PARA in data.data:
                return True
    return False


class _Builder:
    def __init__(self, name: str) -> None:
        self.name = name
        self.program: list[Instr] = []
        self.paras: dict[int, ParaSpec] = {}
        self.loops: dict[int, LoopSpec] = {}
        self.ifs: dict[int, IfSpec] = {}
        self.slot_index: dict[int, Slot] = {}
        self.cur: list[Inline] = []
        self.part = "document"
        self.location = Location()
        self.walked: list = []  # the part's paragraphs as the walker read them (formatting)
        self.real = 0  # paragraphs of the part seen so far (cell markers not counted)
        self._ids = 0

    def _next(self) -> int:
        self._ids += 1
        return self._ids

    def _open_if(self, node: nodes.If, scope: tuple[LoopSpec, ...]) -> tuple[int, list[nodes.Expr | None], list[list[nodes.Node]]]:
        """Register `node`'s alternatives and return (id, tests, bodies).

        An `if` without `else` gets an empty one: showing nothing is one of its alternatives.
        """
        tests, bodies = _if_branches(node)
        if tests[-1] is not None:
            tests.append(None)
            bodies.append([])
        if_id = self._next()
        self.ifs[if_id] = IfSpec(if_id, tests, scope)
        return if_id, tests, bodies

    # -- paragraphs --
    def flush(self, scope: tuple[LoopSpec, ...]) -> None:
        items = _merge_literals(self.cur)
        self.cur = []
        formatting = None
        if items != [CELL]:
            if self.real < len(self.walked):
                formatting = self.walked[self.real].formatting
            self.real += 1
        if not any(not isinstance(i, str) or i.strip() for i in items):
            return  # an empty paragraph: spacing, not text
        pid = self._next()
        spec = ParaSpec(pid, self.part, items, self.location, scope, formatting)
        self.paras[pid] = spec
        self.program.append(("para", pid))
        self.location = self.location.after(spec.literal)
        spec.location = self.location

    def _blank(self) -> bool:
        return all(isinstance(i, str) and not i.strip() for i in self.cur)

    # -- statements --
    def body(self, body: list[nodes.Node], scope: tuple[LoopSpec, ...]) -> None:
        for node in body:
            if isinstance(node, nodes.Output):
                for child in node.nodes:
                    if isinstance(child, nodes.TemplateData):
                        pieces = child.data.split(PARA)
                        self.cur.append(pieces[0])
                        for piece in pieces[1:]:
                            self.flush(scope)
                            self.cur.append(piece)
                    else:
                        self.cur.append(self.slot(child, scope))
            elif isinstance(node, nodes.If):
                if _has_para(_if_bodies(node)):
                    self.block_if(node, scope)
                else:
                    self.cur.append(self.inline_if(node, scope))
            elif isinstance(node, nodes.For):
                if _has_para(node.body + node.else_):
                    self.block_for(node, scope)
                else:
                    self.cur.append(self.inline_for(node, scope))
            elif isinstance(node, (nodes.Assign, nodes.AssignBlock, nodes.Macro, nodes.Filter, nodes.With,
                                   nodes.CallBlock, nodes.Scope, nodes.ScopedEvalContextModifier)):
                if isinstance(node, (nodes.Scope, nodes.ScopedEvalContextModifier, nodes.With)):
                    self.body(node.body, scope)
                # {% set %} and macros render nothing by themselves
            else:
                raise Unsupported(f"unexpected {{% {type(node).__name__.lower()} %}}")

    def _require_boundary(self, what: str) -> None:
        if not self._blank():
            raise Unsupported(f"{what} starts in the middle of a paragraph and spans paragraphs")
        self.cur = []

    def block_if(self, node: nodes.If, scope: tuple[LoopSpec, ...]) -> None:
        self._require_boundary("an {% if %}")
        if_id, tests, bodies = self._open_if(node, scope)
        order = branch_order(tests, [_specificity(b) for b in bodies])
        split_at = len(self.program)
        self.program.append(("split", []))
        jumps: list[int] = []
        targets: list[int] = []
        start_loc = self.location
        end_loc = start_loc
        self.ifs[if_id].pids = [[] for _ in bodies]
        for k in order:
            self.location = start_loc
            targets.append(len(self.program))
            self.program.append(("branch", if_id, k))
            first = len(self.program)
            self.body(bodies[k], scope)
            self.ifs[if_id].pids[k] = [ins[1] for ins in self.program[first:] if ins[0] == "para"]
            if not self._blank():
                raise Unsupported("an {% if %} branch ends in the middle of a paragraph")
            self.cur = []
            jumps.append(len(self.program))
            self.program.append(("jump", -1))
            if k == 0:
                end_loc = self.location
        end = len(self.program)
        for j in jumps:
            self.program[j] = ("jump", end)
        self.program[split_at] = ("split", targets)
        self.location = end_loc

    def block_for(self, node: nodes.For, scope: tuple[LoopSpec, ...]) -> None:
        self._require_boundary("a {% for %}")
        loop = self.loop_spec(node, scope)
        inner = scope + (loop,)
        self.program.append(("loop", loop.id))
        head = len(self.program)
        self.program.append(("split", []))
        body_at = len(self.program)
        self.program.append(("iter", loop.id))
        self.body(node.body, inner)
        if not self._blank():
            raise Unsupported("a {% for %} body ends in the middle of a paragraph")
        self.cur = []
        self.program.append(("jump", head))
        exit_at = len(self.program)
        self.program[head] = ("split", [body_at, exit_at])
        self.program.append(("endloop", loop.id))
        if node.else_:
            # Shown only when the loop is empty; treated as optional text.
            if_id = self._next()
            self.ifs[if_id] = IfSpec(if_id, [None, None], scope)
            split_at = len(self.program)
            self.program.append(("split", []))
            first = len(self.program)
            self.program.append(("branch", if_id, 0))
            self.body(node.else_, scope)
            self.cur = []
            end = len(self.program)
            self.program[split_at] = ("split", [first, end])

    def loop_spec(self, node: nodes.For, scope: tuple[LoopSpec, ...]) -> LoopSpec:
        target = node.target.name if isinstance(node.target, nodes.Name) else None
        path, filters, _ = resolve(node.iter, scope)
        if filters:
            path = None  # iterating a filtered value: items do not map back to a path
        loop = LoopSpec(self._next(), target, path, expr_text(node.iter))
        self.loops[loop.id] = loop
        return loop

    # -- inline --
    def inline(self, body: list[nodes.Node], scope: tuple[LoopSpec, ...]) -> list[Inline]:
        saved, self.cur = self.cur, []
        self.body(body, scope)
        items, self.cur = self.cur, saved
        return _merge_literals(items)

    def inline_if(self, node: nodes.If, scope: tuple[LoopSpec, ...]) -> InlineIf:
        if_id, tests, bodies = self._open_if(node, scope)
        return InlineIf(if_id, tests, [self.inline(b, scope) for b in bodies], scope)

    def inline_for(self, node: nodes.For, scope: tuple[LoopSpec, ...]) -> InlineFor:
        loop = self.loop_spec(node, scope)
        return InlineFor(loop.id, loop, self.inline(node.body, scope + (loop,)), scope)

    def slot(self, node: nodes.Expr, scope: tuple[LoopSpec, ...]) -> Slot:
        path, filters, loop_attr = resolve(node, scope)
        literal = None
        shape: tuple[Any, ...]
        if isinstance(node, nodes.Const):
            literal = str(node.value)
            shape = ("literal", literal)
        elif loop_attr is not None and not filters and loop_attr[1] in _LOOP_ATTRS:
            shape = ("digits",)
        elif filters and filters[-1][0] in _FILTER_RE:
            shape = ("atom", _FILTER_RE[filters[-1][0]])
        elif filters and filters[-1][0] == "replace" and filters[-1][1] and filters[-1][1][:2] == ("_", " "):
            shape = ("humanized",)  # an identifier made readable (power_marketer -> power marketer)
        elif filters and filters[-1][0] in ("join", "join_list"):
            shape = ("greedy",)  # a joined list holds its own separators: take the longest reading
        elif isinstance(node, nodes.CondExpr) and all(
            isinstance(n, nodes.Const) and isinstance(n.value, str) for n in (node.expr1, node.expr2) if n is not None
        ) and node.expr2 is not None:
            consts: list[Any] = [node.expr1, node.expr2]
            shape = ("choices", tuple(sorted({str(c.value) for c in consts}, key=len, reverse=True)))
        else:
            shape = ("lazy",)
        slot = Slot(self._next(), node, expr_text(node), path, tuple(filters), loop_attr, scope, shape, literal)
        self.slot_index[slot.id] = slot
        return slot


def _if_bodies(node: nodes.If) -> list[nodes.Node]:
    out: list[nodes.Node] = list(node.body)
    for elif_ in node.elif_:
        out.extend(elif_.body)
    out.extend(node.else_)
    return out


def _if_branches(node: nodes.If) -> tuple[list[nodes.Expr | None], list[list[nodes.Node]]]:
    tests: list[nodes.Expr | None] = [node.test]  # type: ignore[list-item]
    bodies = [list(node.body)]
    for elif_ in node.elif_:
        tests.append(elif_.test)  # type: ignore[arg-type]
        bodies.append(list(elif_.body))
    if node.else_:
        tests.append(None)
        bodies.append(list(node.else_))
    return tests, bodies


def branch_order(tests: list, literal_sizes: list[int]) -> list[int]:
    """Order in which alternatives are tried: more literal text first; on a tie the `else`
    branch (the usual case: `{% if type == "other" %}` is the exception) and then template order.
    """
    return sorted(range(len(tests)), key=lambda k: (-literal_sizes[k], tests[k] is not None, k))


def _specificity(body: list[nodes.Node]) -> int:
    """Literal characters in a branch: more specific branches are tried first."""
    return sum(len(d.data.strip()) for n in body for d in ([n] if isinstance(n, nodes.TemplateData) else n.find_all(nodes.TemplateData)))


def _merge_literals(items: list[Inline]) -> list[Inline]:
    out: list[Inline] = []
    for item in items:
        if isinstance(item, str):
            if not item:
                continue
            if out and isinstance(out[-1], str):
                out[-1] += item
                continue
        out.append(item)
    return out


def _literal(item: Inline) -> str:
    return item if isinstance(item, str) else " "  # a fill-in: a word break


def _collect_slots(items: list[Inline], out: list[Slot]) -> None:
    for item in items:
        if isinstance(item, Slot):
            out.append(item)
        elif isinstance(item, InlineIf):
            for b in item.branches:
                _collect_slots(b, out)
