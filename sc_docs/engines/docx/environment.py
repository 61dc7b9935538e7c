"""The engine's Jinja environment: sandboxed with resource limits, strict, autoescaping.

Every `{{ value }}` passes through `finalize` before it is escaped, so a value that cannot be
written into a document (None, characters XML cannot hold) is refused at the tag that prints it
rather than producing a broken or misleading document.
"""

from __future__ import annotations

import re
from typing import Any, Final

from jinja2 import StrictUndefined

from ._filters import FILTERS
from ._limits import LimitedSandbox, limit_environment

_ILLEGAL: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Listing and RichText may carry \a (new paragraph) and \f (page break), which docxtpl expands.
_ILLEGAL_MARKUP: Final = re.compile("[\x00-\x06\x08\x0b\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class ValueProblem(Exception):
    """Raised by `finalize` for a value that must not reach the document."""

    def __init__(self, reason: str, value: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.value = value


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
    if hasattr(value, "__html__"):
        if _ILLEGAL_MARKUP.search(value.__html__()):
            raise ValueProblem("contains a character XML cannot hold", value)
        return value
    text = str(value)
    if _ILLEGAL.search(text):
        raise ValueProblem("contains a character XML cannot hold", value)
    return value


def make_environment() -> LimitedSandbox:
    """Return a new environment configured as the engine's: sandboxed with resource limits,
    strict, autoescaping."""
    env = LimitedSandbox(
        undefined=StrictUndefined,
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
