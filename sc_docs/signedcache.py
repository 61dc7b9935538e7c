"""Work kept on disk between processes, signed so that a bad file is never trusted.

Compiled DOCX templates, compiled workbook templates and embedded font subsets cost from tens of
milliseconds to a second each; a fresh process would pay for them on every run. Each is stored
here as one JSON entry, named by what it was made from (`name`) and by what made it (`tag`: a
hash of the code and library versions, so any change to them makes old entries unused).

An entry is trusted only when its HMAC-SHA256 verifies with a random key kept in the cache
folder, readable by its owner only (mode 0600, checked on POSIX): a corrupt, truncated, tampered
or foreign file fails the check, or the JSON and name checks after it, and the caller makes the
thing again as if there were no cache. Nothing here uses `pickle`. Any failure to read or write
is silent: the cache only ever saves time, and outputs are the same with or without it.

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

_KEY_NAME: Final = "key"


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


def _entry_path(folder: Path, name: str, tag: str) -> Path:
    return folder / f"{name}-{tag}.json"


def load(name: str, tag: str) -> dict[str, Any] | None:
    """Return the verified payload stored as `name` by `tag`, or None (no entry, or any doubt)."""
    if not enabled():
        return None
    try:
        folder = cache_dir()
        key = _key(folder, create=False)
        if key is None:
            return None
        blob = _entry_path(folder, name, tag).read_bytes()
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
    if not isinstance(payload, dict) or payload.get("name") != name or payload.get("tag") != tag:
        return None
    return payload


def store(name: str, tag: str, payload: dict[str, Any]) -> None:
    """Write `payload` as `name` by `tag`, signed, atomically; silently skip on any failure."""
    if not enabled():
        return
    try:
        folder = cache_dir()
        key = _key(folder, create=True)
        if key is None:
            return
        body = json.dumps({**payload, "name": name, "tag": tag}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        mac = hmac.new(key, body, hashlib.sha256).hexdigest().encode()
        write_replacing(_entry_path(folder, name, tag), mac + b"\n" + body)
    except (OSError, ValueError, TypeError):
        return


def write_replacing(target: Path, data: bytes) -> None:
    """Write `data` to `target` through a temporary file in the same folder and a rename, so a
    reader sees no file or the whole one (for files only sc-docs reads: no fsync, mode 0600)."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
