"""The engine's Jinja environment: sandboxed with resource limits, strict, autoescaping.

Every `{{ value }}` passes through `finalize` before it is escaped, so a value that cannot be
written into a document (None, characters XML cannot hold) is refused at the tag that prints it
rather than producing a broken or misleading document. Pictures (`media.Image`, docxtpl's
`InlineImage`) become drawing markup whose media the render carries into the package; markup
values that point at relationships of another document are refused.
"""

from __future__ import annotations

import re
from typing import Any, Final

from jinja2 import StrictUndefined, Undefined
from markupsafe import Markup

from jinja2 import nodes

from . import media
from ._ast import check_node
from ._filters import FILTERS
from ._limits import LimitedSandbox, limit_environment, limit_tree
from .subdoc import Subdocument

# Text may carry \a (new paragraph) and \f (page break), which rendering expands as docxtpl
# does; every other control character is one XML cannot hold.
_ILLEGAL: Final = re.compile("[\x00-\x06\x08\x0b\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class ValueProblem(Exception):
    """Raised by `finalize` for a value that must not reach the document."""

    def __init__(self, reason: str, value: Any, *, show: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.value = value
        self.show = show  # quote the value in the message (text, not pictures or markup)


def finalize(value: Any) -> Any:
    """Check every `{{ value }}` before it is escaped: no None, nothing XML cannot hold."""
    if type(value) is str:
        if _ILLEGAL.search(value):
            raise ValueProblem("contains a character XML cannot hold", value)
        if "\r" in value:
            return value.replace("\r\n", "\n").replace("\r", "\n")
        return value
    if value is None:
        raise ValueProblem("is empty (None)", value)
    additions = media.active()
    if additions is None:
        # Outside the engine's render (docxtpl rendering with this environment, for a
        # comparison) docxtpl handles its own values; the engine's need the engine.
        if isinstance(value, (media.Image, Subdocument)):
            raise ValueProblem("can only be shown by the engine's own render", value, show=False)
    else:
        try:
            image = media.as_image(value)
            if image is not None:
                return Markup(additions.picture(image))
            if isinstance(value, Subdocument):
                return Markup(value.markup(additions))
        except ValueError as exc:
            raise ValueProblem(str(exc), value, show=False) from None
    if hasattr(value, "__html__"):
        markup = value.__html__()
        if _ILLEGAL.search(markup):
            raise ValueProblem("contains a character XML cannot hold", value)
        if additions is not None and "r:" in markup:
            why = media.foreign_reference(value, additions.known_ids())
            if why is not None:
                raise ValueProblem(why, value, show=False)
            additions.markup = True
        return value
    kind = type(value)
    if kind.__str__ is object.__str__ and kind.__repr__ is object.__repr__:
        # It would print as `<module.Class object at 0x...>`: not a value meant for a reader.
        raise ValueProblem(
            f"is an object of type {kind.__name__}, which has no text to print", value, show=False
        )
    text = str(value)
    if _ILLEGAL.search(text):
        raise ValueProblem("contains a character XML cannot hold", value)
    return value


def make_environment(undefined: type[Undefined] = StrictUndefined) -> LimitedSandbox:
    """Return a new environment configured as the engine's: sandboxed with resource limits,
    strict, autoescaping. `undefined` is for the engine's own second look at a failed
    render, which lists every missing variable at once."""
    env = LimitedSandbox(
        undefined=undefined,
        autoescape=True,
        finalize=finalize,
        loader=None,
        keep_trailing_newline=False,
    )
    env.filters.update(FILTERS)
    # `safe` would let data through unescaped, i.e. raw XML into the document.
    del env.filters["safe"]
    limit_environment(env)
    return env


#: The one environment every compiled template of the process shares.
ENV: Final = make_environment()


def prepare(tree: nodes.Template, env: LimitedSandbox) -> None:
    """Check a parsed tree and make the engine's changes before it is compiled in `env`:
    escapes in string literals and docxtpl's literal braces resolved, loops and sizes
    bounded."""
    limit_tree(tree, env, check_node)
