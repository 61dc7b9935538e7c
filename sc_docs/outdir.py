"""Output folders sc-docs owns: marked on creation, locked while a run writes to them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sc_docs.errors import OutputError

MARKER = ".sc-docs-output"
LOCK = ".sc-docs.lock"


def claim_output_dir(path: Path, *, force: bool = False) -> None:
    """Create `path` (marked as ours), or accept it when it is ours, empty, or `force` is given.

    A non-empty folder sc-docs did not create is refused, so a mistyped `-o` never mixes packets into
    someone's documents.
    """
    if path.exists() and not path.is_dir():
        raise OutputError("exists and is not a folder", file=str(path))
    if path.is_dir() and not (path / MARKER).exists() and any(path.iterdir()) and not force:
        raise OutputError("is a non-empty folder sc-docs did not create; choose another -o or pass --force", file=str(path))
    try:
        path.mkdir(parents=True, exist_ok=True)
        # O_NOFOLLOW here and for the lock: a link planted under these names must not make a
        # run create or truncate a file elsewhere (with root's rights, say).
        os.close(os.open(path / MARKER, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o644))
    except OSError as exc:
        raise OutputError(f"cannot create the output folder: {exc.strerror or exc}", file=str(path)) from None


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` for the block; a second run on the same folder is refused."""
    import fcntl

    try:
        fd = os.open(path / LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        raise OutputError(f"cannot lock the output folder: {exc.strerror or exc}", file=str(path)) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError("another sc-docs run is writing to this folder; wait for it to finish", file=str(path)) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)
