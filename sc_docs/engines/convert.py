"""Convert documents with LibreOffice in headless mode.

- `docx_to_pdf(docx) -> bytes`: a PDF of a DOCX (bytes or path).
- `docx_to_docx_via_libreoffice(docx) -> bytes`: the DOCX as LibreOffice saves it again, to
  check that another office suite reads what the engine writes.
- `soffice_available() -> bool`: whether the converter is installed.

Each call runs `soffice` with its own throwaway profile (`-env:UserInstallation=...`), so
parallel conversions neither share nor lock a user profile, and under a timeout that kills
the whole process tree (a new session on POSIX, a new process group and `taskkill /T` on
Windows). `soffice` is found through `$SC_DOCS_SOFFICE`, PATH, then the platform's usual
install folder. Failures raise `ConversionError`.
"""

from __future__ import annotations

import ntpath
import os
import posixpath
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from sc_docs.errors import ConversionError

#: Seconds one conversion may take, LibreOffice's start-up (1-3 s) included.
DEFAULT_TIMEOUT: Final = 120.0
#: Environment variable naming the `soffice` program to use, before any search.
ENV_VAR: Final = "SC_DOCS_SOFFICE"
#: What to install, per platform, when LibreOffice is missing (the README says the same).
INSTALL_HINTS: Final = {
    "linux": "install LibreOffice Writer (Debian/Ubuntu: apt-get install libreoffice-writer-nogui)",
    "darwin": "install LibreOffice (brew install --cask libreoffice, or from libreoffice.org)",
    "win32": "install LibreOffice from libreoffice.org (or: winget install TheDocumentFoundation.LibreOffice)",
}
_BINARIES: Final = ("soffice", "libreoffice")


def _candidates(platform: str, environ: Mapping[str, str]) -> list[str]:
    """Where LibreOffice lives when it is not on PATH, per platform (paths in that platform's syntax)."""
    if platform == "darwin":
        bundle = "LibreOffice.app/Contents/MacOS/soffice"
        home = environ.get("HOME", "")
        return [f"/Applications/{bundle}"] + ([posixpath.join(home, "Applications", bundle)] if home else [])
    if platform == "win32":
        roots = [environ.get(v) for v in ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)")]
        roots += ["C:\\Program Files", "C:\\Program Files (x86)"]
        found: list[str] = []
        for root in roots:
            path = ntpath.join(root, "LibreOffice", "program", "soffice.exe") if root else ""
            if path and path not in found:
                found.append(path)
        return found
    return ["/usr/lib/libreoffice/program/soffice", "/opt/libreoffice/program/soffice", "/snap/bin/libreoffice"]


def _is_file(path: str) -> bool:
    return os.path.isfile(path)


def soffice_path(*, platform: str | None = None, environ: Mapping[str, str] | None = None) -> str | None:
    """Return the path of LibreOffice's `soffice`, or None if it is not installed.

    Looks at `$SC_DOCS_SOFFICE` first, then PATH (`soffice`, `libreoffice`; `.exe` on Windows),
    then the platform's usual install location (Program Files on Windows,
    /Applications/LibreOffice.app on macOS). `platform` and `environ` default to this machine's.
    """
    platform = platform or sys.platform
    env = os.environ if environ is None else environ
    override = env.get(ENV_VAR)
    if override:
        return override if _is_file(override) else None
    for name in _BINARIES:
        found = shutil.which(name, path=env.get("PATH"))
        if found:
            return found
    for candidate in _candidates(platform, env):
        if _is_file(candidate):
            return candidate
    return None


def install_hint(platform: str | None = None) -> str:
    """Return how to install LibreOffice on `platform` (default: this machine)."""
    key = platform or sys.platform
    return INSTALL_HINTS.get(key, INSTALL_HINTS["linux"])


def soffice_available() -> bool:
    """True if LibreOffice can be run for conversions."""
    return soffice_path() is not None


def docx_to_pdf(docx: bytes | Path, *, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """Return the PDF LibreOffice makes of `docx` (DOCX bytes or a path)."""
    return _convert(docx, "pdf:writer_pdf_Export", ".pdf", timeout)


def docx_to_docx_via_libreoffice(docx: bytes | Path, *, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """Return `docx` opened and saved again as DOCX by LibreOffice."""
    return _convert(docx, "docx:MS Word 2007 XML", ".docx", timeout)


def _convert(source: bytes | Path, target: str, suffix: str, timeout: float) -> bytes:
    binary = soffice_path()
    if binary is None:
        override = os.environ.get(ENV_VAR)
        if override:
            raise ConversionError(f"{ENV_VAR} names {override!r}, which is not a file")
        raise ConversionError(
            f"LibreOffice (soffice) is not installed or not found; {install_hint()}, "
            f"or set {ENV_VAR} to its soffice program"
        )
    if isinstance(source, (str, Path)):
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise ConversionError(f"{source}: cannot read: {exc.strerror or exc}") from None
    else:
        data = bytes(source)
    with tempfile.TemporaryDirectory(prefix="sc-docs-soffice-") as tmp:
        work = Path(tmp)
        (work / "in").mkdir()
        (work / "out").mkdir()
        (work / "tmp").mkdir()
        infile = work / "in" / "document.docx"
        infile.write_bytes(data)
        command = [
            binary,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            target,
            "--outdir",
            str(work / "out"),
            str(infile),
        ]
        # LibreOffice leaves lu*.tmp files in the temp folder when it is killed: give it ours,
        # which is removed with the profile whatever happens.
        scratch = str(work / "tmp")
        env = dict(os.environ, HOME=str(work), TMPDIR=scratch, TMP=scratch, TEMP=scratch)
        try:
            proc = subprocess.Popen(
                command,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                env=env,
                **_process_group(),  # so a timeout or Ctrl-C can stop soffice.bin too
            )
        except OSError as exc:
            raise ConversionError(f"cannot start LibreOffice ({binary}): {exc}") from None
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_tree(proc)
            raise ConversionError(f"LibreOffice did not finish within {timeout:g} s") from None
        except BaseException:  # Ctrl-C: leave no converter running, and its profile is removed below
            _kill_tree(proc)
            raise
        result = work / "out" / ("document" + suffix)
        if proc.returncode != 0 or not result.is_file() or result.stat().st_size == 0:
            detail = (stderr or stdout).decode("utf-8", "replace").strip().splitlines()
            reason = detail[-1] if detail else f"exit status {proc.returncode}, no output"
            raise ConversionError(f"LibreOffice could not convert the document: {reason}")
        return result.read_bytes()


def _process_group() -> dict[str, Any]:
    """Popen arguments that start the converter in a process group of its own."""
    if sys.platform == "win32":
        return {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0x200)}
    return {"start_new_session": True}


def _kill_tree(proc: subprocess.Popen[bytes]) -> None:
    """Stop the converter we started and every process it spawned, then reap it."""
    if sys.platform == "win32":
        # taskkill /T ends the whole tree (soffice.exe starts soffice.bin); kill() is the fallback.
        try:
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            pass
        if proc.poll() is None:
            proc.kill()
    else:
        killpg = getattr(os, "killpg", None)
        try:
            if killpg is None:
                raise ProcessLookupError
            killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            proc.kill()
    try:
        proc.communicate(timeout=30)
    except (subprocess.TimeoutExpired, ValueError):
        pass
