"""Files in and out: bounded reads, safe atomic writes, deterministic zips, the output-folder lock.

Every command reads and writes through these helpers so that the promises of the README hold in
one place: nothing read is unbounded; an output replaces only what the user asked to replace,
never an input, never a device, FIFO or folder; a replaced file keeps its mode; readers see the
old file or the whole new one. Portable: POSIX-only facilities (`fcntl`, `os.O_NOFOLLOW`) are
used where the platform has them, with a fallback where it does not (Windows).
"""

from __future__ import annotations

import io
import os
import stat
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from sc_docs import zipwrite
from sc_docs.errors import BadOutputError, OutputError, OutputExistsError, UnreadableFileError

#: The largest file a command reads whole unless it names its own limit.
MAX_READ: Final = 64 * 1024 * 1024
#: Zip entries: a fixed timestamp, so identical inputs give identical bytes.
FIXED_TIME: Final = (1980, 1, 1, 0, 0, 0)
_ALREADY_COMPRESSED: Final = (".docx", ".xlsx", ".zip", ".png", ".jpg")

MARKER: Final = ".sc-docs-output"
LOCK: Final = ".sc-docs.lock"
SOFT_LOCK: Final = ".sc-docs.lock.pid"

StrPath = str | os.PathLike[str]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


UMASK: Final = _umask()


def default_mode(folder: bool = False) -> int:
    """Return the permissions a plain `open`/`mkdir` would give (temp files are created private)."""
    return (0o777 if folder else 0o666) & ~UMASK


def nofollow() -> int:
    """Return `os.O_NOFOLLOW` where the platform has it, else 0 (Windows: links are checked by `lstat`)."""
    return getattr(os, "O_NOFOLLOW", 0)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


# -- reading ---------------------------------------------------------------------------------


def read_bounded(path: StrPath, limit: int = MAX_READ, *, what: str = "a file") -> bytes:
    """Return the bytes of the regular file `path` (`-`: stdin), refusing more than `limit`.

    A folder, device or FIFO raises `UnreadableFileError` before anything is read, so
    `/dev/zero` or a pipe nobody writes to can neither exhaust memory nor hang a command.
    """
    name = os.fspath(path)
    if name == "-":
        data = sys.stdin.buffer.read(limit + 1)
        if len(data) > limit:
            raise UnreadableFileError(f"is larger than {limit:,} bytes, the limit for {what}", file="<stdin>")
        return data
    try:
        st = os.stat(name)
        if not stat.S_ISREG(st.st_mode):
            raise UnreadableFileError(f"is {_kind(st.st_mode)}, not {what}", file=name)
        if st.st_size > limit:
            raise UnreadableFileError(f"is {st.st_size:,} bytes; the limit for {what} is {limit:,}", file=name)
        with open(name, "rb") as fh:
            data = fh.read(limit + 1)  # the file may grow between stat and read
    except FileNotFoundError:
        raise UnreadableFileError("no such file", file=name) from None
    except OSError as exc:
        raise UnreadableFileError(f"cannot read: {exc.strerror or exc}", file=name) from None
    if len(data) > limit:
        raise UnreadableFileError(f"is larger than {limit:,} bytes, the limit for {what}", file=name)
    return data


# -- writing ---------------------------------------------------------------------------------


def same_file(a: StrPath, b: StrPath) -> bool:
    """True if `a` and `b` name the same existing file (through links, case-folding file systems)."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def check_output(
    path: StrPath,
    *,
    force: bool = False,
    inputs: Iterable[StrPath] = (),
    replaceable: Callable[[Path], bool] | None = None,
) -> None:
    """Refuse an output location that would lose something; return quietly when `path` is safe.

    Refused: a folder, device, FIFO or socket (never replaced, never written through); any of
    `inputs` (even with `force`); a folder that does not exist (nothing is created silently); an
    existing file unless `force` is given or `replaceable(path)` says sc-docs made it.
    """
    name = os.fspath(path)
    if name == "-":
        return
    target = Path(name)
    for source in inputs:
        if os.fspath(source) != "-" and same_file(target, source):
            raise OutputExistsError("is an input of this command; write the output to another file", file=name)
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        folder = target.parent
        if not folder.is_dir():
            raise BadOutputError(f"the folder {str(folder)!r} does not exist; create it first", file=name) from None
        return
    except OSError as exc:
        raise OutputError(f"cannot use as output: {exc.strerror or exc}", file=name) from None
    pointed: os.stat_result | None = st
    if stat.S_ISLNK(st.st_mode):
        try:
            pointed = os.stat(target)
        except OSError:
            pointed = None  # a dangling link: replaced by the new file, never followed
    if pointed is not None and not stat.S_ISREG(pointed.st_mode):
        raise BadOutputError(f"is {_kind(pointed.st_mode)}; sc-docs writes only regular files (use '-' for stdout)", file=name)
    if force or (replaceable is not None and replaceable(target)):
        return
    raise OutputExistsError("already exists; pass --force to replace it", file=name)


def atomic_write(path: StrPath, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the whole new one, never half.

    The new file takes the mode of the regular file it replaces (a private 0600 file stays
    private), else the umask's default; a file with other hard links is rewritten in place so
    the links stay. A symbolic link at `path` is replaced, never written through; a folder,
    device or FIFO at `path` is refused. The parent folder must exist.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    mode = default_mode()
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", file=str(path)) from None
    else:
        if stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
            _write_in_place(target, data)
            return
        if stat.S_ISREG(st.st_mode):
            mode = stat.S_IMODE(st.st_mode)
        elif not stat.S_ISLNK(st.st_mode):
            raise OutputError(f"is {_kind(st.st_mode)}; refusing to replace it", file=str(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except FileNotFoundError:
        raise OutputError(f"the folder {str(folder)!r} does not exist", file=str(path)) from None
    except OSError as exc:
        raise OutputError(f"cannot write here: {exc.strerror or exc}", file=str(path)) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write: {exc.strerror or exc}", file=str(path)) from None
        raise


def _write_in_place(target: Path, data: bytes) -> None:
    """Rewrite a file that has other hard links in place, so every name sees the new content
    (a rename would leave the other names on the old file)."""
    try:
        fd = os.open(target, os.O_WRONLY | nofollow() | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "wb") as fh:
            fh.truncate(0)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", file=str(target)) from None


def write_output(
    path: StrPath,
    data: bytes,
    *,
    force: bool = False,
    inputs: Iterable[StrPath] = (),
    replaceable: Callable[[Path], bool] | None = None,
) -> None:
    """Write `data` to `path` (`-`: stdout) after `check_output`.

    A file that already holds exactly `data` is left as it is (replacing it would lose nothing,
    so no `--force` is needed, and its links and times stay).
    """
    name = os.fspath(path)
    if name == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    identical = False

    def ours(p: Path) -> bool:
        nonlocal identical
        identical = _same_bytes(p, data)
        return identical or bool(replaceable and replaceable(p))

    check_output(name, force=force, inputs=inputs, replaceable=ours)
    if not identical:
        atomic_write(name, data)


def _same_bytes(path: Path, data: bytes) -> bool:
    """True if the regular file `path` already holds exactly `data` (replacing it loses nothing)."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size != len(data):
            return False
        with open(path, "rb") as fh:
            return fh.read(len(data) + 1) == data
    except OSError:
        return False


def deterministic_zip(files: Iterable[tuple[str, bytes]]) -> bytes:
    """Return zip bytes holding `files` (name, data), sorted by name, identical for equal input.

    Office files are stored as they are (they are zips already); PDFs are deflated at level 1,
    everything else at level 6. Every entry says it was made on Unix with mode 0644 at a fixed
    time. The bytes are those `zipfile` writes for the same entries (a test holds them equal);
    packing the headers here skips its per-entry bookkeeping, a packet's zip being made for
    every applicant of a batch.
    """
    entries = sorted(files)
    # Half the limit leaves room for headers and for deflate's growth on incompressible data.
    if len(entries) >= 0xFFFF or sum(len(d) for _, d in entries) >= _ZIP64_FROM // 2:
        return _zipfile_zip(entries)  # beyond the classic format's limits: zipfile writes ZIP64
    packed = []
    for name, data in entries:
        method, level = _method(name)
        name = name.split("\x00", 1)[0].replace(os.sep, "/")  # as zipfile.ZipInfo takes a name
        if method == zipfile.ZIP_STORED:
            packed.append(zipwrite.Entry(name, method, zlib.crc32(data), len(data), data, zipwrite.UNIX_MADE_BY, zipwrite.FILE_MODE))
        else:
            packed.append(zipwrite.deflated(name, data, level, made_by=zipwrite.UNIX_MADE_BY, external_attr=zipwrite.FILE_MODE))
    return zipwrite.pack(packed)


_ZIP64_FROM: Final = 1 << 31  # zipfile switches to ZIP64 records from here on


def _method(name: str) -> tuple[int, int]:
    """Return how the entry `name` is compressed: (zip method, deflate level)."""
    low = name.lower()
    if low.endswith(_ALREADY_COMPRESSED):
        return zipfile.ZIP_STORED, 0
    # A PDF's own streams are deflated, but a filled form's appearance streams are not: level 1
    # shrinks the samples' PDFs to a quarter for 0.2 ms each (storing them would make a packet's
    # zip a third larger); level 6 takes twice as long for 1% less (benchmarks/packet.py).
    return zipfile.ZIP_DEFLATED, 1 if low.endswith(".pdf") else 6


def _zipfile_zip(entries: list[tuple[str, bytes]]) -> bytes:
    """`deterministic_zip` through `zipfile`, which handles ZIP64 (and is the reference a test compares with)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.create_system = 3
            info.external_attr = 0o644 << 16
            method, level = _method(name)
            info.compress_type = method
            zf.writestr(info, data, compresslevel=level if method == zipfile.ZIP_DEFLATED else None)
    return buf.getvalue()


# -- output folders --------------------------------------------------------------------------


def _open_nofollow(path: Path, flags: int) -> int:
    """Open `path` without following a link planted under its name (checked by `lstat` where
    the platform has no `O_NOFOLLOW`)."""
    no_follow = nofollow()
    if not no_follow and os.path.islink(path):
        raise OSError(40, "is a symbolic link; refusing to follow it", str(path))
    fd = os.open(path, flags | no_follow, 0o644)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(21, "is not a regular file", str(path))
    return fd


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
        # Not following links here and for the lock: a link planted under these names must not
        # make a run create or truncate a file elsewhere (with root's rights, say).
        os.close(_open_nofollow(path / MARKER, os.O_WRONLY | os.O_CREAT))
    except OSError as exc:
        raise OutputError(f"cannot create the output folder: {exc.strerror or exc}", file=str(path)) from None


def _lock_fd(fd: int) -> bool:
    """Take an exclusive, non-blocking lock on `fd`: True if taken, False if another holds it.

    Raises `ImportError` when the platform has neither `fcntl` nor `msvcrt`.
    """
    try:
        import fcntl
    except ImportError:
        import msvcrt  # Windows; an ImportError here means neither exists

        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return True


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, ValueError):
        return True  # cannot tell (no permission, or no signal 0 on this platform): assume it runs
    return True


@contextmanager
def _soft_lock(folder: Path) -> Iterator[None]:
    """A lock file created exclusively, for platforms with no file locking at all.

    Left behind by a killed run, it is taken over once its process is gone.
    """
    path = folder / SOFT_LOCK
    for _ in range(2):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | nofollow(), 0o644)
            break
        except FileExistsError:
            try:
                pid = int(read_bounded(path, 64, what="a lock file").strip() or b"0")
            except (ValueError, UnreadableFileError):
                pid = 0
            if pid and _alive(pid):
                raise OutputError("another sc-docs run is writing to this folder; wait for it to finish", file=str(folder)) from None
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot lock the output folder: {exc.strerror or exc}", file=str(folder)) from None
    else:
        raise OutputError("another sc-docs run is writing to this folder; wait for it to finish", file=str(folder))
    try:
        os.write(fd, f"{os.getpid()}\n".encode())
        os.close(fd)
        yield
    finally:
        path.unlink(missing_ok=True)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the folder `path` for the block; a second run on it is refused."""
    try:
        fd = _open_nofollow(path / LOCK, os.O_RDWR | os.O_CREAT)
    except OSError as exc:
        raise OutputError(f"cannot lock the output folder: {exc.strerror or exc}", file=str(path)) from None
    try:
        try:
            taken = _lock_fd(fd)
        except ImportError:
            os.close(fd)
            fd = -1
            with _soft_lock(path):
                yield
            return
        if not taken:
            raise OutputError("another sc-docs run is writing to this folder; wait for it to finish", file=str(path))
        yield
    finally:
        if fd >= 0:
            os.close(fd)


def carry_over(old: Path, new: Path, ours: Iterable[str]) -> list[str]:
    """Move every entry of the folder `old` not named in `ours` into `new`; return their names.

    Used when a packet folder is replaced: files sc-docs wrote (its manifest lists them) are
    replaced, anything a user put there (notes, signed originals) moves into the new folder.
    """
    if old.is_symlink():  # a link planted where the folder was: what it points to is not ours to move
        return []
    mine = set(ours)
    kept: list[str] = []
    for entry in sorted(old.iterdir(), key=lambda p: p.name):
        if entry.name in mine:
            continue
        name = entry.name
        while os.path.lexists(new / name):  # the user's file bears a name sc-docs now writes
            name += ".orig"
        os.replace(entry, new / name)
        kept.append(name)
    return kept
