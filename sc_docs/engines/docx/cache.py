"""Compile each distinct template once per process, keyed by the SHA-256 of its bytes.

A `CompiledTemplate` does not pickle; in a process pool each worker compiles (and caches) its
own.
"""

from __future__ import annotations

import copy
import hashlib
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sc_docs.errors import TemplateError

from .compile import CompiledTemplate

_CACHE: dict[str, CompiledTemplate] = {}
_LOCK = threading.Lock()


def compile_template(source: str | Path | bytes, name: str | None = None) -> CompiledTemplate:
    """Return the compiled template for `source` (a path or DOCX bytes), cached by SHA-256.

    `name` labels error messages; it defaults to the path, or `<template>` for bytes. The same
    bytes under another label share the compiled parts.
    """
    label: str | None
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        label = name
    else:
        path = Path(source)
        label = name or str(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise TemplateError(
                f"cannot read template: {exc.strerror or exc}", template=label
            ) from None
    key = hashlib.sha256(data).hexdigest()
    with _LOCK:
        compiled = _CACHE.get(key)
    if compiled is None:
        compiled = CompiledTemplate(data, label or "<template>")
        with _LOCK:
            compiled = _CACHE.setdefault(key, compiled)
    if label is None or label == compiled.name:
        return compiled
    renamed = copy.copy(compiled)
    renamed.name = label
    return renamed


def render_docx(
    template: str | Path | bytes | CompiledTemplate, context: Mapping[str, Any], **kw: Any
) -> bytes:
    """Compile `template` (cached) and return it rendered with `context`."""
    compiled = template if isinstance(template, CompiledTemplate) else compile_template(template)
    return compiled.render(context, **kw)
