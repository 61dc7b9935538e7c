"""Compiled templates kept on disk between processes, signed so a bad file is never trusted.

Compiling a template (parse, check, generate Jinja's Python) costs tens of milliseconds a part;
a one-sheet packet run as a fresh process would spend most of its time on it. An entry holds,
for one template SHA-256 and one engine version, what compiling produced: each part's Jinja
source, the Python code Jinja generated for it (compiled, as `marshal` writes it, for this exact
interpreter) and its line map. Loading needs no Jinja parsing, no checks and no compiling.

Because the entry is executed (and `marshal` is not meant for untrusted data), it is trusted
only when its HMAC-SHA256 verifies with a random
key kept in the cache folder, readable by its owner only (mode 0600, checked on POSIX): a
corrupt, truncated, tampered or foreign file fails the check, or the JSON and shape checks
after it, and the template is compiled as if there were no cache. Nothing here uses `pickle`,
and nothing is unmarshalled before its signature verifies.
Any failure to read or write the cache is silent: the cache only ever saves time.

Location: `SC_DOCS_CACHE_DIR` if set, else the user cache folder (`%LOCALAPPDATA%` on Windows,
`~/Library/Caches` on macOS, `$XDG_CACHE_HOME` or `~/.cache` elsewhere) + `sc-docs/templates`.
`SC_DOCS_NO_CACHE=1` turns it off.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any, Final

#: Bumped by hand when the payload's shape changes; the engine's source hash covers the rest.
FORMAT: Final = 1
_KEY_NAME: Final = "key"
_engine_tag: str | None = None


def enabled() -> bool:
    """Whether the disk cache is on (`SC_DOCS_NO_CACHE=1` turns it off)."""
    return os.environ.get("SC_DOCS_NO_CACHE", "").strip() not in ("1", "true", "yes")


def cache_dir() -> Path:
    """The folder entries live in."""
    override = os.environ.get("SC_DOCS_CACHE_DIR")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "sc-docs" / "Cache" / "templates"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "sc-docs" / "templates"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "sc-docs" / "templates"


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


def _key(folder: Path, create: bool) -> bytes | None:
    """Return the folder's HMAC key, creating it if asked; None if it cannot be trusted."""
    path = folder / _KEY_NAME
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        if not create:
            return None
        return _new_key(folder, path)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if os.name == "posix" and (st.st_mode & 0o077 or st.st_uid != os.getuid()):
            return None  # others could read (or wrote) it: it proves nothing
        key = os.read(fd, 65)
    except OSError:
        return None
    finally:
        os.close(fd)
    return key if len(key) == 32 else None


def _new_key(folder: Path, path: Path) -> bytes | None:
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = secrets.token_bytes(32)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags, 0o600)
        try:
            os.write(fd, key)
        finally:
            os.close(fd)
    except FileExistsError:
        return _key(folder, create=False)  # another process made it first
    except OSError:
        return None
    return key


def _entry_path(folder: Path, sha256: str) -> Path:
    return folder / f"{sha256}-{engine_tag()}.json"


def load(sha256: str) -> dict[str, Any] | None:
    """Return the verified payload stored for a template, or None (no entry, or any doubt)."""
    if not enabled():
        return None
    try:
        folder = cache_dir()
        key = _key(folder, create=False)
        if key is None:
            return None
        blob = _entry_path(folder, sha256).read_bytes()
    except OSError:
        return None
    mac, sep, body = blob.partition(b"\n")
    if not sep:
        return None
    expected = hmac.new(key, body, hashlib.sha256).hexdigest().encode()
    if not hmac.compare_digest(mac, expected):
        return None
    try:
        payload = json.loads(body)
    except ValueError:
        return None
    if (
        not isinstance(payload, dict)
        or payload.get("template") != sha256
        or payload.get("engine") != engine_tag()
    ):
        return None
    return payload


def store(sha256: str, payload: dict[str, Any]) -> None:
    """Write a template's payload, signed, atomically; silently skip on any failure."""
    if not enabled():
        return
    try:
        folder = cache_dir()
        key = _key(folder, create=True)
        if key is None:
            return
        body = json.dumps(
            {**payload, "template": sha256, "engine": engine_tag()},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode("utf-8")
        mac = hmac.new(key, body, hashlib.sha256).hexdigest().encode()
        target = _entry_path(folder, sha256)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(mac + b"\n" + body)
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except (OSError, ValueError, TypeError):
        return
