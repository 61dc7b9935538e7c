"""Font subsets shared between the processes of one run through a folder.

A subset of a CJK font costs about a second of CPU to build; every worker of a batch that fills a
form with such a value would build the same one. With a folder set (`share_in`), the first process
that needs a subset builds it and writes it there; the others wait for it and read it back. The
file is plain data (a JSON header and the font bytes, never pickle), checked field by field when
read, so a damaged or foreign file only means the subset is built again.

Subsets are also kept between runs, in the signed disk cache (`sc_docs.signedcache`:
`SC_DOCS_CACHE_DIR`, `SC_DOCS_NO_CACHE`), so making a packet again
after one fact changed does not pay for the same CJK subset every time. An entry is named by the
font file's content, the characters, the builder and the fontTools version, and is used only when
its HMAC verifies and it decodes field by field; anything else means building it again.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from sc_docs import signedcache

if TYPE_CHECKING:
    from sc_docs.engines.pdf._font import EmbeddedFont

MAGIC: Final = b"sc-docs font subset 1\n"
#: How long a process waits for another to finish a subset before building it itself.
WAIT_SECONDS: Final = 120.0
_POLL: Final = 0.01

_folder: Path | None = None
_TAG: Final = "font-subset"  # the entry's name carries the font, characters, builder and fontTools


def share_in(folder: str | os.PathLike[str] | None) -> None:
    """Share the subsets this process builds (and reuse others') through `folder`; None: stop."""
    global _folder
    _folder = Path(folder) if folder is not None else None


def shared(path: str, chars: frozenset[str], build: Callable[[str, frozenset[str]], EmbeddedFont]) -> EmbeddedFont:
    """Return `build(path, chars)`, or the same subset another process (of this run or an
    earlier one) already built."""
    name = _disk_name(path, chars, build)
    if name is not None:
        font = _recall(name, path, chars)
        if font is not None:
            return font
        build = _remembering(name, build)
    return _shared_in_run(path, chars, build)


def _shared_in_run(path: str, chars: frozenset[str], build: Callable[[str, frozenset[str]], EmbeddedFont]) -> EmbeddedFont:
    folder = _folder
    if folder is None:
        return build(path, chars)
    key = _key(path, chars)
    if key is None:
        return build(path, chars)
    target, lock = folder / f"{key}.subset", folder / f"{key}.lock"
    font = read(target, path, chars)
    if font is not None:
        return font
    try:
        fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process is building it: wait for its file
        return _await(target, lock, path, chars) or build(path, chars)
    except OSError:
        return build(path, chars)
    try:
        os.write(fd, str(os.getpid()).encode())
        font = build(path, chars)
        try:
            _write(target, font)
        except OSError:
            pass  # sharing is an optimisation: the others build their own
        return font
    finally:
        os.close(fd)
        try:
            os.unlink(lock)
        except OSError:
            pass


def _key(path: str, chars: frozenset[str]) -> str | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    digest = hashlib.sha256(MAGIC)
    digest.update(json.dumps([path, st.st_size, st.st_mtime_ns, "".join(sorted(chars))]).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


def _disk_name(path: str, chars: frozenset[str], build: Callable[..., Any]) -> str | None:
    """The disk cache's name for this subset, or None when the cache is off or the font unreadable."""
    if not signedcache.enabled():
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    content = _font_digest(path, st.st_size, st.st_mtime_ns)
    if content is None:
        return None
    digest = hashlib.sha256(MAGIC + b"disk\0")
    who = f"{getattr(build, '__module__', '')}.{getattr(build, '__qualname__', repr(build))}"
    digest.update(json.dumps([content, "".join(sorted(chars)), who, _builder_tag()]).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


@functools.lru_cache(maxsize=16)
def _font_digest(path: str, size: int, mtime_ns: int) -> str | None:
    """The SHA-256 of the font file, once per process and file state (a CJK font: ~20 MB, ~15 ms)."""
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


@functools.lru_cache(maxsize=1)
def _builder_tag() -> str:
    """What made a subset: fontTools' version and the source of the module that subsets."""
    import fontTools  # type: ignore[import-untyped]

    digest = hashlib.sha256(str(getattr(fontTools, "version", "?")).encode())
    try:
        digest.update((Path(__file__).resolve().parent / "_font.py").read_bytes())
    except OSError:
        digest.update(b"unreadable")
    return digest.hexdigest()


def _recall(name: str, path: str, chars: frozenset[str]) -> EmbeddedFont | None:
    payload = signedcache.load(name, _TAG)
    if payload is None or not isinstance(payload.get("subset"), str):
        return None
    try:
        data = base64.b64decode(payload["subset"], validate=True)
    except ValueError:
        return None
    return decode(data, path, chars)


def _remembering(name: str, build: Callable[[str, frozenset[str]], EmbeddedFont]) -> Callable[[str, frozenset[str]], EmbeddedFont]:
    """`build`, keeping what it builds in the disk cache for later runs."""
    def build_and_keep(path: str, chars: frozenset[str]) -> EmbeddedFont:
        font = build(path, chars)
        signedcache.store(name, _TAG, {"subset": base64.b64encode(encode(font)).decode("ascii")})
        return font
    return build_and_keep


def _await(target: Path, lock: Path, path: str, chars: frozenset[str]) -> EmbeddedFont | None:
    """Wait while `lock` is held by a live process; return the subset it wrote, None when it did not."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        font = read(target, path, chars)
        if font is not None:
            return font
        if not os.path.exists(lock) or not _holder_alive(lock):
            return read(target, path, chars)
        time.sleep(_POLL)
    return None


def _holder_alive(lock: Path) -> bool:
    """False when the lock names a process that is gone (it died building); True when unsure."""
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows: rely on the deadline
        return True
    try:
        pid = int(lock.read_text(encoding="ascii").strip() or "0")
    except (OSError, ValueError):
        return True
    if pid <= 0:
        return True  # written an instant after the lock was created
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def encode(font: EmbeddedFont) -> bytes:
    """Return `font` as bytes `decode` reads back equal."""
    header = {
        "path": font.path, "chars": "".join(sorted(font.chars)), "length1": font.font_file_length1,
        "size": len(font.font_file), "cmap": sorted(font.cmap.items()), "widths": sorted(font.widths.items()),
        "ascent": font.ascent, "descent": font.descent, "bbox": list(font.bbox), "ps_name": font.ps_name, "cff": font.cff,
    }
    return MAGIC + json.dumps(header, ensure_ascii=True).encode("ascii") + b"\n" + font.font_file


def decode(data: bytes, path: str, chars: frozenset[str]) -> EmbeddedFont | None:
    """Return the subset in `data` if it is well formed and is the one of `path` and `chars`."""
    from sc_docs.engines.pdf._font import EmbeddedFont

    if not data.startswith(MAGIC):
        return None
    end = data.find(b"\n", len(MAGIC))
    try:
        head: Any = json.loads(data[len(MAGIC):end]) if end > 0 else None
        body = data[end + 1:]
        if (not isinstance(head, dict) or head.get("path") != path or head.get("chars") != "".join(sorted(chars))
                or head.get("size") != len(body)):
            return None
        bbox = tuple(int(v) for v in head["bbox"])
        font = EmbeddedFont(
            path=path, chars=chars, font_file=body, font_file_length1=_int(head["length1"]),
            cmap={_int(k): _int(v) for k, v in head["cmap"]}, widths={_int(k): _int(v) for k, v in head["widths"]},
            ascent=_float(head["ascent"]), descent=_float(head["descent"]),
            bbox=(bbox[0], bbox[1], bbox[2], bbox[3]), ps_name=str(head["ps_name"]), cff=head["cff"] is True,
        )
    except (ValueError, KeyError, TypeError, IndexError):
        return None
    return font


def _int(value: object) -> int:
    if type(value) is not int:
        raise ValueError("not an integer")
    return value


def _float(value: object) -> float:
    if type(value) not in (int, float):
        raise ValueError("not a number")
    return float(value)  # type: ignore[arg-type]


def read(target: Path, path: str, chars: frozenset[str]) -> EmbeddedFont | None:
    try:
        with open(target, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    return decode(data, path, chars)


def _write(target: Path, font: EmbeddedFont) -> None:
    """Write atomically: a reader sees no file or the whole one."""
    signedcache.write_replacing(target, encode(font))
