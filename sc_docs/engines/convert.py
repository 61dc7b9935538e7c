"""Convert documents with LibreOffice in headless mode.

- `docx_to_pdf(docx) -> bytes`: a PDF of a DOCX (bytes or path).
- `docx_to_docx_via_libreoffice(docx) -> bytes`: the DOCX as LibreOffice saves it again, to
  check that another office suite reads what the engine writes.
- `soffice_available() -> bool`: whether the converter is installed.

Each call runs `soffice` with its own throwaway profile (`-env:UserInstallation=...`), so
parallel conversions neither share nor lock a user profile, and under a timeout that kills
the whole process group. Failures raise `ConversionError`.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Final

from sc_docs.errors import ConversionError

#: Seconds one conversion may take, LibreOffice's start-up (1-3 s) included.
DEFAULT_TIMEOUT: Final = 120.0
DEBIAN_PACKAGE: Final = "libreoffice-writer"
_BINARIES: Final = ("soffice", "libreoffice")


def soffice_path() -> str | None:
    """Return the path of LibreOffice's `soffice`, or None if it is not installed."""
    for name in _BINARIES:
        found = shutil.which(name)
        if found:
            return found
    return None


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
        raise ConversionError(
            "LibreOffice (soffice) is not installed; install the Debian package "
            f"{DEBIAN_PACKAGE} (apt-get install {DEBIAN_PACKAGE})"
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
        env = dict(os.environ, HOME=str(work))
        try:
            proc = subprocess.Popen(
                command,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,  # so a timeout can stop soffice.bin too
            )
        except OSError as exc:
            raise ConversionError(f"cannot start LibreOffice ({binary}): {exc}") from None
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise ConversionError(f"LibreOffice did not finish within {timeout:g} s") from None
        except BaseException:  # Ctrl-C: stop soffice before its profile folder is removed
            _kill_group(proc)
            raise
        result = work / "out" / ("document" + suffix)
        if proc.returncode != 0 or not result.is_file() or result.stat().st_size == 0:
            detail = (stderr or stdout).decode("utf-8", "replace").strip().splitlines()
            reason = detail[-1] if detail else f"exit status {proc.returncode}, no output"
            raise ConversionError(f"LibreOffice could not convert the document: {reason}")
        return result.read_bytes()


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Stop the converter we started and every process it spawned, then reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.communicate()
