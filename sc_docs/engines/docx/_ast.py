"""What the DOCX engine learns from a part's Jinja syntax tree, once, at compile time.

- `VariableCollector`: every variable path a template reads (`applicant.legal_name`,
  `agreement.scids[].scid`), with the template lines that read it.
- `check_balance`: refuse blocks (`{% if %}`, `{% for %}` ...) whose skipped or repeated XML
  would leave the document malformed, e.g. an `{% if %}` opening in one table cell and closing
  in the next. A block may span paragraphs only if it closes and reopens the same elements.
- `check_node`: refuse `{% include %}`, `{% import %}`, `{% extends %}` (a template is one
  self-contained DOCX and the engine has no loader) and `{% autoescape %}` (values are always
  escaped: unescaped data would be raw XML in the document). The same walk resolves escapes:
  `&amp;` & co. in string literals become the characters Word escaped, so `{{ "A & B" }}` prints `A & B` (escaped once), not `A &amp; B`; docxtpl's `{_{` `}_}`
  `{_%` `%_}` escapes for literal braces apply to the template's own text only, so a value
  can never turn into a tag.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from jinja2 import nodes
from lxml import etree

from ._limits import ENGINE_FILTERS


class AstProblem(Exception):
    """A structural problem found at `lineno` of the template source."""

    def __init__(self, message: str, lineno: int, needle: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.lineno = lineno
        self.needle = needle


Scope = dict[str, "str | None"]


class VariableCollector:
    """Collect dotted paths read by a template, resolving loop variables to `iterable[]`."""

    def __init__(self, globals_: Iterable[str]) -> None:
        self.ignore = set(globals_) | {"loop", "caller", "varargs", "kwargs"}
        self.lines: dict[str, set[int]] = {}

    def collect(self, tree: nodes.Template) -> None:
        self._stmts(tree.body, {})

    def _add(self, path: str, lineno: int) -> None:
        self.lines.setdefault(path, set()).add(lineno)

    def _path(self, node: nodes.Node, scope: Scope) -> str | None:
        """Return the path `node` denotes if it is a name/attribute/item chain, else None."""
        if isinstance(node, nodes.Filter) and node.name in ENGINE_FILTERS and node.node:
            return self._path(node.node, scope)  # the engine's own bounds are transparent
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name]
            return None if node.name in self.ignore else node.name
        if isinstance(node, nodes.Getattr):
            base = self._path(node.node, scope)
            return None if base is None else f"{base}.{node.attr}"
        if isinstance(node, nodes.Getitem):
            base = self._path(node.node, scope)
            if base is None:
                return None
            arg = node.arg
            if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                return f"{base}.{arg.value}"
            return f"{base}[]"
        return None

    def _index_args(self, node: nodes.Node, scope: Scope) -> None:
        """Record what the subscripts of a chain read (`a[b.c]` reads `b.c`)."""
        while isinstance(node, (nodes.Getattr, nodes.Getitem)):
            if isinstance(node, nodes.Getitem) and not isinstance(node.arg, nodes.Const):
                self._expr(node.arg, scope)
            node = node.node

    def _expr(self, node: nodes.Node, scope: Scope) -> None:
        path = self._path(node, scope)
        if path is not None:
            self._add(path, node.lineno)
            self._index_args(node, scope)
            return
        if isinstance(node, (nodes.Getattr, nodes.Getitem)) and isinstance(node.node, nodes.Call):
            self._expr(node.node, scope)
            return
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr):
            # A method call (`x.items()`, `name.upper()`) reads the object, not the method.
            self._expr(node.node.node, scope)
            for child in node.iter_child_nodes(exclude=("node",)):
                self._expr(child, scope)
            return
        for child in node.iter_child_nodes():
            self._expr(child, scope)

    def _bind(self, target: nodes.Node, path: str | None, scope: Scope) -> None:
        if isinstance(target, nodes.Name):
            scope[target.name] = path
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self._bind(item, None, scope)

    def _stmts(self, body: Iterable[nodes.Node], scope: Scope) -> None:
        for node in body:
            self._stmt(node, scope)

    def _stmt(self, node: nodes.Node, scope: Scope) -> None:
        if isinstance(node, nodes.For):
            self._expr(node.iter, scope)
            inner = dict(scope)
            base = self._path(node.iter, scope)
            self._bind(node.target, None if base is None else f"{base}[]", inner)
            if node.test is not None:
                self._expr(node.test, inner)
            self._stmts(node.body, inner)
            self._stmts(node.else_, dict(scope))
        elif isinstance(node, nodes.Assign):
            self._expr(node.node, scope)
            self._bind(node.target, self._path(node.node, scope), scope)
        elif isinstance(node, nodes.AssignBlock):
            self._stmts(node.body, dict(scope))
            self._bind(node.target, None, scope)
        elif isinstance(node, nodes.With):
            inner = dict(scope)
            for target, value in zip(node.targets, node.values):
                self._expr(value, scope)
                self._bind(target, self._path(value, scope), inner)
            self._stmts(node.body, inner)
        elif isinstance(node, (nodes.Macro, nodes.CallBlock)):
            inner = dict(scope)
            if isinstance(node, nodes.Macro):
                scope[node.name] = None
            else:
                self._expr(node.call, scope)
            for arg in node.args:
                inner[arg.name] = None
            for default in node.defaults:
                self._expr(default, scope)
            self._stmts(node.body, inner)
        else:
            for child in node.iter_child_nodes():
                if isinstance(child, nodes.Expr):
                    self._expr(child, scope)
                else:
                    self._stmt(child, scope)


_SELF_CONTAINED = "a template is one self-contained DOCX"
_FORBIDDEN: tuple[tuple[type[nodes.Node], str, str], ...] = (
    (nodes.Include, "include", _SELF_CONTAINED),
    (nodes.Import, "import", _SELF_CONTAINED),
    (nodes.FromImport, "from ... import", _SELF_CONTAINED),
    (nodes.Extends, "extends", _SELF_CONTAINED),
    (
        nodes.EvalContextModifier,
        "autoescape",
        "values are always escaped, or data would be raw XML",
    ),
)


def _unescape_braces(data: nodes.TemplateData) -> None:
    """Apply docxtpl's literal-brace escapes (`{_{` -> `{{` ...) to template text only."""
    text = data.data
    if "_" in text and ("{_" in text or "_}" in text):
        data.data = (
            text.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        )


_ENTITY = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#(\d+)|#[xX]([0-9a-fA-F]+));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _entity(m: re.Match[str]) -> str:
    if m.group(1):
        return _NAMED[m.group(1)]
    code = int(m.group(2)) if m.group(2) else int(m.group(3), 16)
    return chr(code) if 0 < code < 0x110000 else m.group()


_FORBIDDEN_KINDS = tuple(kind for kind, _, _ in _FORBIDDEN)


def unescape_literal_braces(tree: nodes.Template) -> None:
    """Apply docxtpl's literal-brace escapes to a tree's template text only (for `reader`,
    which reads templates without compiling them)."""
    for data in tree.find_all(nodes.TemplateData):
        _unescape_braces(data)


def check_node(node: nodes.Node) -> None:
    """Refuse a tag that loads other templates (there is no loader) or switches escaping off;
    resolve escapes in the template's own text. Called on every node of a tree by the one
    walk that also bounds it (`_limits.limit_tree`): templates have thousands of nodes.

    String literals: Word stores `{{ "Tom & Jerry" }}` as `{{ "Tom &amp; Jerry" }}`; the
    literal means the characters the author typed, and autoescaping escapes them once on the
    way out. Template text: docxtpl's literal braces (`{_{` -> `{{` ...).
    """
    if isinstance(node, nodes.TemplateData):
        _unescape_braces(node)
    elif isinstance(node, nodes.Const):
        if isinstance(node.value, str) and "&" in node.value:
            node.value = _ENTITY.sub(_entity, node.value)
    elif isinstance(node, _FORBIDDEN_KINDS):
        label, reason = next((lb, r) for k, lb, r in _FORBIDDEN if isinstance(node, k))
        raise AstProblem(
            f"{{% {label} %}} is not supported: {reason}", node.lineno, needle=label.split()[0]
        )


# -- balance ---------------------------------------------------------------------------------

_TOKEN = re.compile(r"<(/?)([^\s/>]*)[^>]*>|\x00")
_MARK = "\x00"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


@dataclass(frozen=True)
class Effect:
    """What a piece of XML does to the open-element stack: closes some, then opens some."""

    closes: tuple[str, ...] = ()
    opens: tuple[str, ...] = ()

    @property
    def neutral(self) -> bool:
        """True if the piece may be skipped or repeated without unbalancing the XML."""
        return self.closes == tuple(reversed(self.opens))


class _Stack:
    def __init__(self, text: str = "") -> None:
        self.closes: list[str] = []
        self.opens: list[str] = []
        self.text = text
        # Where the current token is: (template line of its piece, piece offset, token offset).
        self.at = (1, 0, 0)

    @property
    def lineno(self) -> int:
        """The template line of the current token; counted only when a problem is raised."""
        line, begin, pos = self.at
        return line + self.text.count("\n", begin, pos)

    def close(self, name: str) -> None:
        if self.opens:
            top = self.opens.pop()
            if top != name:
                raise AstProblem(
                    f"template produces mismatched XML (<{top}> closed by </{name}>); "
                    "a tag probably sits where Word split the text, or a block spans "
                    "table cells or paragraphs unevenly",
                    self.lineno,
                )
        else:
            self.closes.append(name)

    def apply(self, alternatives: list[Effect]) -> None:
        """Apply a block: neutral alternatives change nothing but must fit the open elements."""
        if all(e.neutral for e in alternatives):
            for effect in alternatives:
                for depth, name in enumerate(effect.closes[: len(self.opens)], start=1):
                    if self.opens[-depth] != name:
                        raise AstProblem(
                            f"a block closes </{name}> where <{self.opens[-depth]}> is open",
                            self.lineno,
                        )
            return
        effect = alternatives[0]
        for name in effect.closes:
            self.close(name)
        self.opens.extend(effect.opens)

    def effect(self) -> Effect:
        return Effect(tuple(self.closes), tuple(self.opens))


def _describe(node: nodes.Node) -> str:
    return type(node).__name__.lower()


def _block_effect(node: nodes.Node) -> list[Effect] | None:
    """Return the possible effects of a block on the XML, or None if it outputs nothing."""
    if isinstance(node, nodes.If):
        branches = [node.body] + [e.body for e in node.elif_] + [node.else_]
        effects = [_seq_effect(b, node.lineno) for b in branches]
        if all(e.neutral for e in effects):
            return effects
        if len(set(effects)) > 1:
            raise AstProblem(
                "the branches of this {% if %} leave the XML in different states; "
                "a condition that spans paragraphs or table rows needs {%p if %} / {%tr if %}",
                node.lineno,
                needle="if",
            )
        return effects[:1]
    if isinstance(node, nodes.For):
        effects = [_seq_effect(body, node.lineno) for body in (node.body, node.else_)]
        if not all(e.neutral for e in effects):
            raise AstProblem(
                "this {% for %} repeats unbalanced XML; a loop over paragraphs, rows or "
                "cells needs {%p for %}, {%tr for %} or {%tc for %}",
                node.lineno,
                needle="for",
            )
        return effects
    if isinstance(node, (nodes.Macro, nodes.CallBlock)):
        if not _seq_effect(node.body, node.lineno).neutral:
            raise AstProblem(f"this {{% {_describe(node)} %}} body is unbalanced XML", node.lineno)
        return [Effect()]
    if isinstance(node, (nodes.Assign, nodes.AssignBlock)):
        return None
    body = getattr(node, "body", None)
    if isinstance(body, list):  # with, filter, scope, autoescape blocks
        return [_seq_effect(body, node.lineno)]
    return None


def _seq_effect(body: list[nodes.Node], lineno: int, *, whole: bool = False) -> Effect:
    """Return what `body` does to the open elements; `whole` if it is a part's entire source."""
    pieces: list[str] = []
    starts: list[tuple[int, int]] = []  # (offset in the joined text, template line)
    blocks: list[list[Effect]] = []
    offset = 0

    def add(text: str, line: int) -> None:
        nonlocal offset
        pieces.append(text)
        starts.append((offset, line))
        offset += len(text)

    for node in body:
        if isinstance(node, nodes.Output):
            for item in node.nodes:
                add(item.data if isinstance(item, nodes.TemplateData) else "", item.lineno)
        else:
            effect = _block_effect(node)
            if effect is not None:
                add(_MARK, node.lineno)
                blocks.append(effect)
    text = "".join(pieces)
    if whole and all(not e.closes and not e.opens for alts in blocks for e in alts):
        # Every block is balanced on its own, so the part is balanced if what is left is
        # well-formed: one parse in C instead of a walk over every element in Python. If
        # the parse fails the walk below says where.
        try:
            etree.fromstring(text.replace(_MARK, "").encode("utf-8"), _PARSER)
            return Effect()
        except (etree.XMLSyntaxError, ValueError):
            pass
    stack = _Stack(text)
    index = 0
    piece = 0
    last = len(starts) - 1
    for match in _TOKEN.finditer(text):
        pos = match.start()
        while piece < last and starts[piece + 1][0] <= pos:
            piece += 1
        if starts:
            begin, line = starts[piece]
            stack.at = (line, begin, pos)
        token = match.group()
        if token == _MARK:
            stack.apply(blocks[index])
            index += 1
            continue
        # Blocks inside a tag only change attribute text.
        if _MARK in token:
            index += token.count(_MARK)
        if token[1] in "?!" or token.endswith("/>"):
            continue
        if match.group(1):
            stack.close(match.group(2))
        else:
            stack.opens.append(match.group(2))
    return stack.effect()


def check_balance(tree: nodes.Template) -> None:
    """Raise `AstProblem` unless every rendering of `tree` is balanced XML."""
    effect = _seq_effect(tree.body, 1, whole=True)
    if effect.closes or effect.opens:
        raise AstProblem("template is not well-formed XML after removing its tags", 1)
