"""Compiled templates kept on disk between processes, in the signed cache (`sc_docs.signedcache`).

Compiling a template (parse, check, generate Jinja's Python) costs tens of milliseconds a part;
a one-sheet packet run as a fresh process would spend most of its time on it. An entry holds,
for one template SHA-256 and one engine version, what compiling produced: each part's Jinja
source, the Python code Jinja generated for it (compiled, as `marshal` writes it, for this exact
interpreter) and its line map. Loading needs no Jinja parsing, no checks and no compiling.

Because the entry is executed (and `marshal` is not meant for untrusted data), nothing is
unmarshalled before its signature verifies (see `signedcache`); any doubt means compiling.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any, Final

from sc_docs import signedcache
from sc_docs.signedcache import cache_dir, enabled

__all__ = ["cache_dir", "enabled", "engine_tag", "load", "store"]

#: Bumped by hand when the payload's shape changes; the engine's source hash covers the rest.
FORMAT: Final = 1
_engine_tag: str | None = None


def engine_tag() -> str:
    """What an entry must have been made by: the engine's own source, Jinja's version and the
    Python version (any edit to the engine makes old entries unused)."""
    global _engine_tag
    if _engine_tag is None:
        import jinja2

        # Entries hold marshalled code objects, which only this exact interpreter reads.
        python = f"{sys.implementation.cache_tag}|{sys.version}"
        digest = hashlib.sha256(f"{FORMAT}|{jinja2.__version__}|{python}".encode())
        here = Path(__file__).resolve().parent
        for path in sorted(here.glob("*.py")):
            digest.update(path.name.encode() + b"\0")
            try:
                digest.update(path.read_bytes())
            except OSError:
                digest.update(b"unreadable")
        _engine_tag = digest.hexdigest()[:32]
    return _engine_tag


def load(sha256: str) -> dict[str, Any] | None:
    """Return the verified payload stored for a template, or None (no entry, or any doubt)."""
    return signedcache.load(sha256, engine_tag())


def store(sha256: str, payload: dict[str, Any]) -> None:
    """Write a template's payload, signed, atomically; silently skip on any failure."""
    signedcache.store(sha256, engine_tag(), payload)
