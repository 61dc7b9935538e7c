"""Resource limits for rendering untrusted DOCX templates: no expression may exhaust memory or time.

Jinja's sandbox stops a template reaching Python internals, but not `{{ 'a' * 10**10 }}` (10 GB),
`{{ 7**(7**9) }}` (minutes of arithmetic) or two nested `range(99999)` loops. Here:

- `LimitedSandbox` intercepts `*`, `**`, `+` and `%` and refuses, *before* computing it, a
  result longer than `MAX_ITEMS` items or an integer wider than `MAX_INT_BITS` bits; method
  calls (`'x'.ljust(n)`, `.replace`, `.join`, `.format`, `list.extend`, macros) are checked the
  same way, before where the size can be foreseen and after otherwise.
- `limit_filters` wraps the filters whose output can grow past their input (`center`,
  `indent`, `format`, `replace`, `join`, `slice`, `sum`) with the same checks.
- `Budget` counts the work of one render: every loop iteration (each `{% for %}` iterable is
  wrapped by `limit_tree`), every call and every item of a `range` costs a step, at most
  `MAX_STEPS`, and a render may not run past `MAX_SECONDS`; `render_limited` also caps the
  characters a part may produce at `MAX_OUTPUT`.

Growth a check cannot foresee (`~`, a `{% set %}` block, a mutated list) is checked right after
each step; one step can at most multiply a bounded size by a small factor, so memory stays
bounded. Everything refused raises `ResourceLimit`, a `SecurityError`, which the engine
reports as a `TemplateError` at the tag.
"""

from __future__ import annotations

import contextvars
import functools
import re
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from itertools import islice
from typing import Any, Final

import jinja2
from jinja2 import nodes
from jinja2.sandbox import MAX_RANGE, SandboxedEnvironment, SecurityError

#: Most items (characters, list elements) one value may have; agreements are ~50 kB of text.
MAX_ITEMS: Final = 1_000_000
#: Widest integer a template may compute (about 20,000 decimal digits).
MAX_INT_BITS: Final = 65_536
#: Most loop iterations, calls and range items of one render (a row loop over 500 rows is 500).
MAX_STEPS: Final = 1_000_000
#: Longest a render may run, checked as it loops and calls.
MAX_SECONDS: Final = 10.0
#: Most characters one rendered part may hold.
MAX_OUTPUT: Final = 32 * 1024 * 1024

_SIZED: Final = (str, bytes, list, tuple, dict, set, frozenset)


class ResourceLimit(SecurityError):
    """A template asked for more memory or time than a document can need."""


class Budget:
    """The steps and the deadline left to one render."""

    __slots__ = ("deadline", "steps")

    def __init__(self) -> None:
        self.steps = MAX_STEPS
        self.deadline = time.monotonic() + MAX_SECONDS

    def charge(self, n: int = 1) -> None:
        before = self.steps
        self.steps -= n
        if self.steps < 0:
            raise ResourceLimit(
                f"the template does too much work: more than {MAX_STEPS:,} loop iterations, "
                "calls and range items in one document"
            )
        if (before >> 10) != (self.steps >> 10) and time.monotonic() > self.deadline:
            raise ResourceLimit(
                f"the template ran for more than {MAX_SECONDS:g} seconds"
            )


_BUDGET: contextvars.ContextVar[Budget | None] = contextvars.ContextVar(
    "_BUDGET", default=None
)


def _budget() -> Budget:
    budget = _BUDGET.get()
    # Outside `render_limited` (a `make_environment` user's own render) each loop or call
    # gets a budget of its own.
    return Budget() if budget is None else budget


# -- size checks ----------------------------------------------------------------------------


def _refuse_items(what: str, n: int) -> None:
    if n > MAX_ITEMS:
        raise ResourceLimit(f"{what} would make {n:,} items (limit {MAX_ITEMS:,})")


def check_size(value: Any, what: str) -> Any:
    """Return `value`, or refuse it if it is longer or wider than the limits."""
    if isinstance(value, _SIZED):
        _refuse_items(what, len(value))
    elif type(value) is int and value.bit_length() > MAX_INT_BITS:
        raise ResourceLimit(f"{what} would make a number of over {MAX_INT_BITS:,} bits")
    return value


def _int_bits(value: Any) -> int:
    return abs(value).bit_length() if isinstance(value, int) else 0


def _check_binop(op: str, left: Any, right: Any) -> None:
    """Refuse `left op right` if its result would be too large, before computing it."""
    what = f"{op!r}"
    if op == "*":
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, _SIZED) and isinstance(times, int):
                _refuse_items(what, len(seq) * max(times, 0))
        if (
            isinstance(left, int)
            and isinstance(right, int)
            and _int_bits(left) + _int_bits(right) > MAX_INT_BITS
        ):
            raise ResourceLimit(
                f"{what} would make a number of over {MAX_INT_BITS:,} bits"
            )
    elif op == "**":
        if (
            isinstance(left, int)
            and isinstance(right, int)
            and right > 0
            and (_int_bits(left) - 1) * right > MAX_INT_BITS
        ):
            raise ResourceLimit(
                f"{what} would make a number of over {MAX_INT_BITS:,} bits ({left} ** {right})"
            )
    elif op == "+":
        if isinstance(left, _SIZED) and isinstance(right, _SIZED):
            _refuse_items(what, len(left) + len(right))
    elif op == "%" and isinstance(left, str):
        _check_percent_format(left, right)


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_BRACE_FIELD = re.compile(r"\{[^{}]*\}")
_NESTED_SPEC = re.compile(r"\{[^{}]*:[^{}]*\{")


def _check_percent_format(fmt: str, args: Any) -> None:
    """Refuse `%`-formatting whose widths or precisions are too large or come from arguments."""
    if "%" not in fmt:
        return
    for m in _PERCENT_SPEC.finditer(fmt):
        for number in m.groups():
            if number == "*":
                raise ResourceLimit(
                    "'%' formatting with a '*' width or precision is not supported"
                )
            if number is not None:
                _refuse_items("a '%' format width", int(number))


def _check_brace_format(fmt: str) -> None:
    """Refuse `str.format` specs that pad too far, or take their width from an argument."""
    if _NESTED_SPEC.search(fmt):
        raise ResourceLimit(
            "str.format with a width taken from an argument is not supported"
        )
    for field in _BRACE_FIELD.findall(fmt):
        for number in re.findall(r"\d+", field.partition(":")[2]):
            _refuse_items("a str.format width", int(number))


def _joined_size(sep: Any, items: Any) -> int:
    if isinstance(items, (str, bytes)) or not isinstance(items, Collection):
        return 0  # a generator: its items are checked as they are made
    total = len(sep) * max(len(items) - 1, 0) if isinstance(sep, _SIZED) else 0
    return total + sum(len(x) for x in items if isinstance(x, _SIZED))


def _replaced_size(text: Any, old: Any, new: Any, count: Any = -1) -> int:
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return 0
    hits = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        hits = min(hits, count)
    return len(text) + hits * max(len(new) - len(old), 0)


def _check_str_method(
    owner: Any, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """Refuse a call of a string method whose result would be too large, before it runs."""
    what = f"str.{name}"
    if name in ("center", "ljust", "rjust", "zfill"):
        for n in (*args, *kwargs.values()):
            if isinstance(n, int):
                _refuse_items(what, n)
    elif name == "expandtabs":
        size = next((n for n in (*args, *kwargs.values()) if isinstance(n, int)), 8)
        _refuse_items(what, len(owner) + owner.count("\t") * max(size, 0))
    elif name == "replace" and len(args) >= 2:
        _refuse_items(what, _replaced_size(owner, *args[:3]))
    elif name == "join" and args:
        _refuse_items(what, _joined_size(owner, args[0]))
    elif name in ("format", "format_map"):
        _check_brace_format(owner)
    elif name == "translate" and args and isinstance(args[0], dict):
        widest = max(
            (len(v) for v in args[0].values() if isinstance(v, str)), default=1
        )
        _refuse_items(what, len(owner) * widest)


# -- the environment ------------------------------------------------------------------------


#: What `getattr` finds on every dict: a key of one of these names is looked up the sandbox's way.
_DICT_NAMES: Final = frozenset(dir(dict))


class LimitedSandbox(SandboxedEnvironment):
    """A sandbox that also refuses results too large for memory and work too long for a render."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def getattr(self, obj: Any, attribute: str) -> Any:
        """`a.b` on a plain dict whose methods have no such name is `a["b"]`: the sandbox's
        answer, without its failed attribute lookup (most of the lookups a render makes)."""
        if type(obj) is dict and attribute not in _DICT_NAMES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        _check_binop(operator, left, right)
        return check_size(self.binop_table[operator](left, right), f"{operator!r}")

    def call(
        self, context: jinja2.runtime.Context, obj: Any, /, *args: Any, **kwargs: Any
    ) -> Any:
        _budget().charge()
        target = getattr(obj, "__wrapped__", obj)  # the sandbox wraps str.format
        owner = getattr(target, "__self__", None)
        name = getattr(target, "__name__", "")
        if isinstance(owner, str):
            _check_str_method(owner, name, args, kwargs)
        result = super().call(context, obj, *args, **kwargs)
        label = f"{name}()" if name else "a call"
        if isinstance(owner, _SIZED):
            check_size(
                owner, label
            )  # list.extend, dict.update and the like grow their owner
        return check_size(result, label)


def limited_range(*args: int) -> range:
    """`range` as the sandbox allows it, charged to the render's budget item by item."""
    rng = range(*args)
    if len(rng) > MAX_RANGE:
        raise OverflowError(
            f"Range too big. The sandbox blocks ranges larger than MAX_RANGE ({MAX_RANGE})."
        )
    _budget().charge(len(rng))
    return rng


def limited_lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    """Jinja's `lipsum` with its sizes bounded."""
    if not (0 <= n <= 100 and 0 <= min <= 1000 and 0 <= max <= 1000):
        raise ResourceLimit("lipsum() is limited to 100 paragraphs of 1,000 words")
    from jinja2.utils import generate_lorem_ipsum

    return generate_lorem_ipsum(n=n, html=html, min=min, max=max)


@jinja2.pass_context  # never evaluated at compile time: it must run during the render
def loop_steps(
    context: jinja2.runtime.Context, iterable: Iterable[Any]
) -> Iterable[Any]:
    """Charge a loop's iterations to the render's budget (wraps every `{% for %}` iterable).

    A list, tuple, dict or range is charged its length up front and iterated as it is (the
    common case, and the cheap one); anything else is charged item by item as it is produced.
    """
    if type(iterable) in _CHARGED_UP_FRONT:
        _budget().charge(len(iterable))  # type: ignore[arg-type]
        return iterable
    return _stepping(iterable)


_CHARGED_UP_FRONT: Final = frozenset({list, tuple, dict, range, str})


def _stepping(iterable: Iterable[Any]) -> Iterator[Any]:
    budget = _budget()
    for item in iterable:
        budget.charge()
        yield item


def sized(value: Any) -> Any:
    """Return `value` unless it is too large (after `~` and `{% set %}` blocks)."""
    return check_size(value, "the expression")


# -- filters --------------------------------------------------------------------------------


def _filter_check(
    name: str, value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """Refuse a filter call whose result would be too large, before it runs."""
    what = f"filter {name!r}"
    params = (*args, *kwargs.values())
    if name == "center":
        for n in params:
            if isinstance(n, int):
                _refuse_items(what, n)
    elif name == "indent":
        width = kwargs.get("width", args[0] if args else 4)
        pad = (
            len(width)
            if isinstance(width, str)
            else width
            if isinstance(width, int)
            else 0
        )
        text = value if isinstance(value, str) else ""
        _refuse_items(what, len(text) + (text.count("\n") + 1) * max(pad, 0))
    elif name == "format" and isinstance(value, str):
        _check_percent_format(value, params)
    elif name == "replace" and len(args) >= 2:
        _refuse_items(what, _replaced_size(value, *args[:3]))
    elif name == "join":
        sep = kwargs.get("d", args[0] if args else "")
        _refuse_items(what, _joined_size(sep, value))
    elif name == "slice":
        slices = kwargs.get("slices", args[0] if args else 0)
        if isinstance(slices, int):
            _refuse_items(what, slices)
            _budget().charge(max(slices, 0))
    elif name == "sum":
        _refuse_items(what, _joined_size("", value))


def _limited(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    pass_arg = getattr(func, "jinja_pass_arg", None)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        rest = args[1:] if pass_arg is not None else args
        if rest:
            _filter_check(name, rest[0], rest[1:], kwargs)
        return check_size(func(*args, **kwargs), f"filter {name!r}")

    return wrapper


#: Filters whose output can outgrow their input.
GROWING_FILTERS: Final = (
    "center",
    "indent",
    "format",
    "replace",
    "join",
    "slice",
    "sum",
)


def limit_filters(filters: dict[str, Callable[..., Any]]) -> None:
    """Wrap the filters that can grow a value, in place, and add the engine's own guards."""
    for name in GROWING_FILTERS:
        if name in filters:
            filters[name] = _limited(name, filters[name])
    filters[LOOP_FILTER] = loop_steps
    filters[SIZE_FILTER] = sized


def limit_environment(env: SandboxedEnvironment) -> None:
    """Install the bounded filters and globals in `env` (a `LimitedSandbox`)."""
    limit_filters(env.filters)
    env.globals["range"] = limited_range
    env.globals["lipsum"] = limited_lipsum


# -- the template tree ----------------------------------------------------------------------

LOOP_FILTER: Final = "_sc_loop_steps"
SIZE_FILTER: Final = "_sc_sized"
#: Filters the engine wraps around loops and sizes: no part of what a template reads.
ENGINE_FILTERS: Final = frozenset({LOOP_FILTER, SIZE_FILTER})


def limit_tree(
    tree: nodes.Template,
    env: jinja2.Environment,
    visit: Callable[[nodes.Node], None] | None = None,
) -> None:
    """Rewrite a parsed template, in place, so that its loops and concatenations are bounded:
    each loop iteration is charged to the budget, the size of `~` and `{% set %}` blocks is
    checked. `visit(node)` is called on every original node on the way, so checks share the
    walk (templates have thousands of nodes)."""

    def bounded(node: nodes.Node | None, name: str, lineno: int) -> nodes.Filter:
        new = nodes.Filter(node, name, [], [], None, None, lineno=lineno)
        new.environment = env  # the parser gave every other node its environment
        return new

    stack: list[nodes.Node] = [tree]
    while stack:
        node = stack.pop()
        if visit is not None:
            visit(node)
        for name in node.fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, nodes.Node):
                        stack.append(item)
                        if isinstance(item, nodes.Concat):
                            value[i] = bounded(item, SIZE_FILTER, item.lineno)
            elif isinstance(value, nodes.Node):
                stack.append(value)
                if isinstance(value, nodes.Concat):
                    setattr(node, name, bounded(value, SIZE_FILTER, value.lineno))
        if isinstance(node, nodes.For):
            node.iter = bounded(node.iter, LOOP_FILTER, node.iter.lineno)
        elif isinstance(node, nodes.AssignBlock):
            node.filter = bounded(node.filter, SIZE_FILTER, node.lineno)


# -- rendering ------------------------------------------------------------------------------


_BATCH: Final = 64


def render_limited(template: jinja2.Template, context: Any, budget: Budget) -> str:
    """Render `template` as `Template.render` does, within `budget` and `MAX_OUTPUT` chars."""
    token = _BUDGET.set(budget)
    try:
        ctx = template.new_context(dict(context))
        chunks: list[str] = []
        total = 0
        stream = template.root_render_func(ctx)
        try:
            # Counted in batches: summing lengths chunk by chunk in Python costs more than
            # the rest of the check; a batch can overshoot by at most `_BATCH` bounded values.
            while batch := list(islice(stream, _BATCH)):
                total += sum(map(len, batch))
                if total > MAX_OUTPUT:
                    raise ResourceLimit(
                        f"the rendered part would exceed {MAX_OUTPUT:,} characters"
                    )
                chunks += batch
        except Exception:  # noqa: BLE001 - as Template.render: re-raised with template lines
            template.environment.handle_exception()
        return "".join(chunks)
    finally:
        _BUDGET.reset(token)
