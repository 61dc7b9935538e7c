"""Compile each distinct template once per process, keyed by the SHA-256 of its bytes, and
once per machine and engine version when the disk cache (`diskcache`) is on.

A `CompiledTemplate` does not pickle; in a process pool each worker compiles (and caches) its
own.
"""

from __future__ import annotations

import copy
import hashlib
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sc_docs.errors import TemplateError

from . import diskcache
from .compile import CompiledTemplate

_CACHE: dict[str, CompiledTemplate] = {}
#: A template file's identity when it was last read (path as given -> (stat signature,
#: template)): a packet asks for the same file thousands of times, and a stat is far cheaper
#: than reading and hashing it. Any change of size, mtime or inode reads it again.
_PATHS: dict[str, tuple[tuple[int, int, int, int], CompiledTemplate]] = {}
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
        sig = _signature(path)  # taken before reading: a change while reading reads again
        if sig is not None:
            with _LOCK:
                seen = _PATHS.get(sig[0])
            if seen is not None and seen[0] == sig[1]:
                return _labelled(seen[1], label)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise TemplateError(
                f"cannot read template: {exc.strerror or exc}", template=label
            ) from None
        compiled = _compiled(data, label)
        if sig is not None:
            with _LOCK:
                _PATHS[sig[0]] = (sig[1], compiled)
        return _labelled(compiled, label)
    return _labelled(_compiled(data, label), label)


def _compiled(data: bytes, label: str | None) -> CompiledTemplate:
    key = hashlib.sha256(data).hexdigest()
    with _LOCK:
        compiled = _CACHE.get(key)
    if compiled is None:
        compiled = compile_fresh(data, label, key)
        with _LOCK:
            compiled = _CACHE.setdefault(key, compiled)
    return compiled


def compile_fresh(data: bytes, label: str | None = None, sha256: str | None = None) -> CompiledTemplate:
    """Return `data` compiled, from the disk cache if it holds a good entry (else compiled
    and stored there), bypassing this process's cache."""
    key = sha256 or hashlib.sha256(data).hexdigest()
    compiled = CompiledTemplate(data, label or "<template>", diskcache.load(key))
    if not compiled.restored:
        diskcache.store(key, compiled.export())
    return compiled


def _labelled(compiled: CompiledTemplate, label: str | None) -> CompiledTemplate:
    if label is None or label == compiled.name:
        return compiled
    renamed = copy.copy(compiled)
    renamed.name = label
    return renamed


def _signature(path: Path) -> tuple[str, tuple[int, int, int, int]] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return os.fspath(path), (st.st_mtime_ns, st.st_size, st.st_ino, st.st_dev)


def render_docx(
    template: str | Path | bytes | CompiledTemplate, context: Mapping[str, Any], **kw: Any
) -> bytes:
    """Compile `template` (cached) and return it rendered with `context`."""
    compiled = template if isinstance(template, CompiledTemplate) else compile_template(template)
    return compiled.render(context, **kw)
