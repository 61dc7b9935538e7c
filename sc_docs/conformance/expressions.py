"""Jinja expressions of a template as record paths: what a fill-in displays, written out again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union

from jinja2 import nodes

if TYPE_CHECKING:
    from .pattern import LoopSpec


@dataclass(frozen=True, slots=True)
class LoopRef:
    """A path segment meaning "the current item of loop `loop`"."""

    loop: int


Segment = Union[str, int, LoopRef]


def resolve(
    node: nodes.Node, scope: tuple[LoopSpec, ...]
) -> tuple[tuple[Segment, ...] | None, list[tuple[str, tuple[Any, ...] | None]], tuple[int, str] | None]:
    """Return (variable path, filters innermost first, loop attribute) of an expression."""
    filters: list[tuple[str, tuple[Any, ...] | None]] = []
    while isinstance(node, nodes.Filter) and node.node is not None:
        args: tuple[Any, ...] | None = None
        if all(isinstance(a, nodes.Const) for a in node.args) and not node.kwargs and not node.dyn_args:
            args = tuple(a.value for a in node.args)  # type: ignore[attr-defined]
        filters.insert(0, (node.name, args))
        node = node.node
    path = var_path(node, scope)
    loop_attr = None
    if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name) and node.node.name == "loop" and scope:
        loop_attr = (scope[-1].id, node.attr)
        path = None
    return path, filters, loop_attr


def var_path(node: nodes.Node, scope: tuple[LoopSpec, ...]) -> tuple[Segment, ...] | None:
    if isinstance(node, nodes.Name):
        for loop in reversed(scope):
            if loop.target == node.name:
                return None if loop.path is None else loop.path + (LoopRef(loop.id),)
        if node.name == "loop":
            return None
        return (node.name,)
    if isinstance(node, nodes.Getattr):
        base = var_path(node.node, scope)
        return None if base is None else base + (node.attr,)
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, (str, int)):
        base = var_path(node.node, scope)
        return None if base is None else base + (node.arg.value,)
    return None


def expr_text(node: nodes.Node) -> str:
    """Return a Jinja expression written out again (for messages and reports)."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Const):
        return repr(node.value) if isinstance(node.value, str) else str(node.value)
    if isinstance(node, nodes.Getattr):
        return f"{expr_text(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        if isinstance(node.arg, nodes.Slice):
            s = node.arg
            return f"{expr_text(node.node)}[{expr_text(s.start) if s.start else ''}:{expr_text(s.stop) if s.stop else ''}]"
        return f"{expr_text(node.node)}[{expr_text(node.arg)}]"
    if isinstance(node, nodes.Filter):
        args = ", ".join(expr_text(a) for a in node.args)
        return f"{expr_text(node.node) if node.node else ''} | {node.name}" + (f"({args})" if node.args else "")
    if isinstance(node, nodes.Test):
        args = ", ".join(expr_text(a) for a in node.args)
        return f"{expr_text(node.node)} is {node.name}" + (f"({args})" if node.args else "")
    if isinstance(node, nodes.CondExpr):
        tail = f" else {expr_text(node.expr2)}" if node.expr2 is not None else ""
        return f"{expr_text(node.expr1)} if {expr_text(node.test)}{tail}"
    if isinstance(node, nodes.Compare):
        ops = {"eq": "==", "ne": "!=", "lt": "<", "lteq": "<=", "gt": ">", "gteq": ">=", "in": "in", "notin": "not in"}
        return expr_text(node.expr) + "".join(f" {ops.get(o.op, o.op)} {expr_text(o.expr)}" for o in node.ops)
    if isinstance(node, nodes.Not):
        return f"not {expr_text(node.node)}"
    if isinstance(node, nodes.BinExpr):
        return f"{expr_text(node.left)} {node.operator} {expr_text(node.right)}"
    if isinstance(node, nodes.Call):
        return f"{expr_text(node.node)}({', '.join(expr_text(a) for a in node.args)})"
    if isinstance(node, (nodes.List, nodes.Tuple)):
        return "[" + ", ".join(expr_text(i) for i in node.items) + "]"
    return type(node).__name__.lower()


def path_text(path: tuple[Segment, ...], indices: dict[int, int] | None = None) -> str:
    """Return `applicant.scids[0]` for a path, loop items numbered by `indices` (`[]` if unknown)."""
    from sc_docs import fieldpath

    chunks: list[list[str | int]] = [[]]
    for seg in path:
        if isinstance(seg, LoopRef):
            i = (indices or {}).get(seg.loop)
            if i is None:
                chunks.append([])  # an item of a loop not read: `name[]`, beyond what a field path says
            else:
                chunks[-1].append(i)
        else:
            chunks[-1].append(seg)
    text = fieldpath.format(tuple(chunks[0])) if chunks[0] else ""
    for chunk in chunks[1:]:
        text += "[]"
        if chunk:
            text += ("" if isinstance(chunk[0], int) else ".") + fieldpath.format(tuple(chunk))
    return text
