"""List every variable a context lacks, after a render stopped at the first one.

Strict rendering stops at the first undefined value. To tell the user everything to fix in one
go, the engine renders the template's parts a second time with an undefined that records its
name and carries on (empty text, empty loops), then keeps the variable paths the template reads
that are missing from the context and were actually reached. A variable only read under a
condition the context does not meet (`{% if x is defined %}`) is therefore not listed. This
runs only after a failure.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final, NoReturn

from jinja2 import ChainableUndefined

from . import media
from ._limits import Budget, render_limited
from .environment import make_environment, prepare
from .paths import resolves

_SPLIT: Final = re.compile(r"[.\[\]]+")
_SEEN: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "sc_docs_docx_undefined_seen", default=None
)


class _Recording(ChainableUndefined):
    """An undefined that notes its name wherever it is used, and reads as empty."""

    __slots__ = ()

    def _note(self) -> None:
        seen = _SEEN.get()
        if seen is not None and self._undefined_name is not None:
            seen.append(str(self._undefined_name))

    def _fail_with_undefined_error(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._note()
        super()._fail_with_undefined_error(*args, **kwargs)

    def __str__(self) -> str:
        self._note()
        return ""

    def __iter__(self) -> Any:
        self._note()
        return iter(())

    def __bool__(self) -> bool:
        self._note()
        return False

    def __len__(self) -> int:
        self._note()
        return 0


def missing_paths(
    sources: Iterable[tuple[str, str]],
    variables: Iterable[str],
    context: Mapping[str, Any],
) -> list[str]:
    """Return the paths among `variables` that `context` lacks and a render of the parts
    (`(name, Jinja source)` pairs) actually reached, sorted."""
    env = make_environment(_Recording)
    seen: list[str] = []
    token = _SEEN.set(seen)
    scratch = media.begin(media.PackageAdditions({}))  # pictures render, their media dropped
    try:
        for name, source in sources:
            try:
                tree = env.parse(source, name=name, filename=f"<{name}>")
                prepare(tree, env)
                code = env.compile(tree, name=name, filename=f"<{name}>")
                template = env.template_class.from_code(env, code, env.make_globals(None))
                render_limited(template, context, Budget())
            except Exception:  # noqa: BLE001, S112 - this look only gathers names; go on
                continue
    finally:
        media.end(scratch)
        _SEEN.reset(token)
    reached = set(seen)
    out = []
    for path in sorted(variables):
        if resolves(context, path):
            continue
        if reached.intersection(s for s in _SPLIT.split(path) if s):
            out.append(path)
    return out
