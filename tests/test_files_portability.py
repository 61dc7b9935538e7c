"""The main jobs run as on Windows and macOS: no `fcntl`, no `os.O_NOFOLLOW`, `spawn` workers (issue 20)."""

from __future__ import annotations

import importlib
import json
import multiprocessing
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, SAMPLES

ACME = EXAMPLES / "acme-power-and-light.yaml"


@pytest.fixture()
def windows_like(monkeypatch: pytest.MonkeyPatch) -> None:
    """No `fcntl` to import (nor `msvcrt`, so the plainest fallback runs) and no `os.O_NOFOLLOW`."""
    monkeypatch.setitem(sys.modules, "fcntl", None)
    monkeypatch.setitem(sys.modules, "msvcrt", None)
    monkeypatch.delattr(os, "O_NOFOLLOW", raising=False)


@pytest.fixture()
def spawn_start_method() -> Iterator[None]:
    """Start worker processes with `spawn`, the default on Windows and macOS."""
    previous = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method("spawn", force=True)
    try:
        yield
    finally:
        multiprocessing.set_start_method(previous, force=True)


@pytest.mark.usefixtures("windows_like")
def test_packet_runs_without_fcntl_or_o_nofollow(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    result = run("packet", ACME, "-o", out, "--only", "sca")
    assert result.exit_code == 0, result.stderr
    assert (out / "acme-power-and-light-llc.zip").is_file()
    assert not (out / ".sc-docs.lock.pid").exists()  # the fallback lock is released
    again = run("packet", ACME, "-o", out, "--only", "sca")
    assert again.exit_code == 0, again.stderr


@pytest.mark.usefixtures("windows_like")
def test_batch_runs_without_fcntl_or_o_nofollow(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    result = run("batch", EXAMPLES, "-o", out, "-j", "2", "-q")
    assert result.exit_code == 0, result.stderr + result.stdout
    report = json.loads((out / "batch-report.json").read_text())
    assert report["done"] == len(SAMPLES)


@pytest.mark.usefixtures("spawn_start_method")
def test_batch_workers_start_with_spawn(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert multiprocessing.get_start_method() == "spawn"
    out = tmp_path / "out"
    result = run("batch", EXAMPLES, "-o", out, "-j", "2", "-q")
    assert result.exit_code == 0, result.stderr + result.stdout
    report = json.loads((out / "batch-report.json").read_text())
    assert report["done"] == len(SAMPLES) and report["failed"] == 0


POSIX_ONLY = ("fcntl", "termios", "pwd", "grp", "resource")


def test_no_module_needs_a_posix_only_module_at_import_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Import every sc_docs module with the POSIX-only modules missing, as on Windows."""
    import pkgutil

    import sc_docs

    names = sorted(m.name for m in pkgutil.walk_packages(sc_docs.__path__, "sc_docs.") if ".migrations." not in m.name)
    saved = {n: m for n, m in sys.modules.items() if n == "sc_docs" or n.startswith("sc_docs.")}
    for name in POSIX_ONLY:
        monkeypatch.setitem(sys.modules, name, None)
    try:
        for name in list(saved):
            del sys.modules[name]
        for name in names:
            importlib.import_module(name)
    finally:
        for name in [n for n in sys.modules if n == "sc_docs" or n.startswith("sc_docs.")]:
            del sys.modules[name]
        sys.modules.update(saved)


def test_a_packet_has_the_same_bytes_when_made_on_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """zipfile marks entries as made on FAT (0) on Windows and on Unix (3) elsewhere: every zip
    sc-docs writes (DOCX, XLSX, the packet zip) says Unix, so packets hash alike everywhere."""
    from sc_docs import load_applicant
    from sc_docs.files import deterministic_zip
    from sc_docs.packet import build_packet

    def packet() -> dict[str, bytes]:
        made = build_packet(load_applicant(ACME))
        files = dict(made.files)
        return {**files, "packet.zip": deterministic_zip(sorted(files.items()))}

    here = packet()
    monkeypatch.setattr(sys, "platform", "win32")
    assert packet() == here
    assert any(name.endswith(".xlsx") for name in here)  # the workbook's own zip is covered
