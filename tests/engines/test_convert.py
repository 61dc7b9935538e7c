"""LibreOffice conversions; the ones that need `soffice` skip when it is missing."""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import docx
import pytest

from sc_docs.engines import convert
from sc_docs.engines.convert import (
    docx_to_docx_via_libreoffice,
    docx_to_pdf,
    soffice_available,
)
from sc_docs.engines.docx import docx_text, render_docx
from sc_docs.errors import ConversionError

needs_soffice = pytest.mark.skipif(
    not soffice_available(), reason="LibreOffice (soffice) is not installed"
)


def _template() -> bytes:
    d = docx.Document()
    d.add_paragraph("Agreement with {{ name }}.")
    table = d.add_table(rows=3, cols=2)
    table.cell(0, 0).text = "{%tr for s in scids %}"
    table.cell(1, 0).text = "{{ s }}"
    table.cell(1, 1).text = "{{ s|upper_name }}"
    table.cell(2, 0).text = "{%tr endfor %}"
    d.sections[0].header.paragraphs[0].text = "Header {{ name }}"
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def rendered() -> bytes:
    return render_docx(_template(), {"name": "Acme & Sons \u00c9nergie", "scids": ["abc1", "xyz2"]})


def test_missing_soffice_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(convert.shutil, "which", lambda name, path=None: None)
    monkeypatch.setattr(convert, "_is_file", lambda path: False)
    monkeypatch.setattr(convert.sys, "platform", "linux")
    monkeypatch.delenv(convert.ENV_VAR, raising=False)
    assert not soffice_available()
    with pytest.raises(ConversionError) as caught:
        docx_to_pdf(b"PK")
    assert caught.value.message == (
        "LibreOffice (soffice) is not installed or not found; install LibreOffice Writer "
        "(Debian/Ubuntu: apt-get install libreoffice-writer-nogui), or set SC_DOCS_SOFFICE to its soffice program"
    )


# Each platform's usual install location, found when soffice is not on PATH.
DISCOVERY = [
    ("win32", {"ProgramFiles": "C:\\Program Files", "PATH": ""}, "C:\\Program Files\\LibreOffice\\program\\soffice.exe"),
    ("win32", {"ProgramFiles": "D:\\Apps", "PATH": ""}, "C:\\Program Files (x86)\\LibreOffice\\program\\soffice.exe"),
    ("darwin", {"HOME": "/Users/ana", "PATH": ""}, "/Applications/LibreOffice.app/Contents/MacOS/soffice"),
    ("darwin", {"HOME": "/Users/ana", "PATH": ""}, "/Users/ana/Applications/LibreOffice.app/Contents/MacOS/soffice"),
    ("linux", {"PATH": ""}, "/opt/libreoffice/program/soffice"),
]


@pytest.mark.parametrize(("platform", "environ", "installed"), DISCOVERY,
                         ids=["windows", "windows-x86", "macos", "macos-user", "linux-opt"])
def test_discovery_finds_the_platforms_install(monkeypatch: pytest.MonkeyPatch, platform: str,
                                               environ: dict[str, str], installed: str) -> None:
    monkeypatch.setattr(convert.shutil, "which", lambda name, path=None: None)
    monkeypatch.setattr(convert, "_is_file", lambda path: path == installed)
    assert convert.soffice_path(platform=platform, environ=environ) == installed


def test_discovery_prefers_path_then_the_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(convert.shutil, "which", lambda name, path=None: "/usr/bin/soffice" if name == "soffice" else None)
    monkeypatch.setattr(convert, "_is_file", lambda path: True)
    assert convert.soffice_path(platform="darwin", environ={"PATH": "/usr/bin"}) == "/usr/bin/soffice"
    override = {"PATH": "/usr/bin", "SC_DOCS_SOFFICE": "/custom/soffice"}
    assert convert.soffice_path(platform="win32", environ=override) == "/custom/soffice"
    monkeypatch.setattr(convert, "_is_file", lambda path: False)
    assert convert.soffice_path(platform="linux", environ=override) is None  # a wrong override is not second-guessed


def test_override_that_is_not_a_file_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SC_DOCS_SOFFICE", str(tmp_path / "nope"))
    with pytest.raises(ConversionError, match="SC_DOCS_SOFFICE names .*nope', which is not a file"):
        docx_to_pdf(b"PK")


@pytest.mark.parametrize("platform", ["win32", "linux"], ids=["windows", "posix"])
def test_converter_runs_in_its_own_process_group(monkeypatch: pytest.MonkeyPatch, platform: str) -> None:
    monkeypatch.setattr(convert.sys, "platform", platform)
    args = convert._process_group()
    if platform == "win32":
        assert args == {"creationflags": 0x200}
    else:
        assert args == {"start_new_session": True}


def test_kill_tree_on_windows_uses_taskkill(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []

    class FakeProc:
        pid = 4242

        def poll(self) -> int:
            return 1

        def kill(self) -> None:
            raise AssertionError("taskkill ended it already")

        def communicate(self, timeout: float | None = None) -> tuple[bytes, bytes]:
            return b"", b""

    monkeypatch.setattr(convert.sys, "platform", "win32")
    monkeypatch.setattr(convert.subprocess, "run", lambda cmd, **kw: calls.append(cmd))
    convert._kill_tree(FakeProc())  # type: ignore[arg-type]
    assert calls == [["taskkill", "/F", "/T", "/PID", "4242"]]


def test_unreadable_input_path(tmp_path: Path) -> None:
    if not soffice_available():
        pytest.skip("LibreOffice (soffice) is not installed")
    with pytest.raises(ConversionError, match="cannot read"):
        docx_to_pdf(tmp_path / "missing.docx")


@needs_soffice
@pytest.mark.libreoffice
def test_rendered_docx_converts_to_pdf(rendered: bytes, tmp_path: Path) -> None:
    from pypdf import PdfReader

    path = tmp_path / "out.docx"
    path.write_bytes(rendered)
    pdf = docx_to_pdf(path)
    assert pdf.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Agreement with Acme & Sons \u00c9nergie." in text
    assert "ABC1" in text and "XYZ2" in text
    assert "Header Acme" in text


@needs_soffice
@pytest.mark.libreoffice
def test_libreoffice_resave_keeps_the_text(rendered: bytes) -> None:
    again = docx_to_docx_via_libreoffice(rendered)
    assert zipfile.is_zipfile(io.BytesIO(again))
    text = docx_text(again)
    assert "Agreement with Acme & Sons \u00c9nergie." in text
    assert "abc1 | ABC1" in text
    assert "Header Acme & Sons" in text


@needs_soffice
@pytest.mark.libreoffice
def test_timeout_is_a_conversion_error(rendered: bytes) -> None:
    with pytest.raises(ConversionError, match="did not finish"):
        docx_to_pdf(rendered, timeout=0.05)


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell script stands in for soffice")
@pytest.mark.parametrize("stop", ["timeout", "interrupt"])
def test_stopped_conversion_ends_the_whole_process_tree(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, stop: str) -> None:
    """A fake soffice (named by SC_DOCS_SOFFICE) that starts a child and hangs, as soffice.bin can."""
    import os
    import signal
    import tempfile
    import time

    pidfile = tmp_path / "child.pid"
    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > {pidfile}\nwait\n")
    fake.chmod(0o755)
    monkeypatch.setenv("SC_DOCS_SOFFICE", str(fake))
    work = tmp_path / "tmp"
    work.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(work))
    if stop == "interrupt":
        def interrupt(signum: int, frame: object) -> None:
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGALRM, interrupt)
        signal.setitimer(signal.ITIMER_REAL, 1.0)
        try:
            with pytest.raises(KeyboardInterrupt):
                docx_to_pdf(b"PK", timeout=60)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    else:
        with pytest.raises(ConversionError, match="did not finish within 1 s"):
            docx_to_pdf(b"PK", timeout=1)
    child = int(pidfile.read_text())
    for _ in range(50):  # the kill is immediate; reaping by init may take a moment
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        stat_file = Path(f"/proc/{child}/stat")
        if stat_file.exists() and stat_file.read_text().split(")")[-1].split()[0] == "Z":
            break  # dead, waiting for a parent that does not reap (PID 1 in some containers)
        time.sleep(0.05)
    else:
        raise AssertionError(f"child {child} of the converter is still running")
    assert list(work.iterdir()) == []  # the throwaway profile and input are removed
