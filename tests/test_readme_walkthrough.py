"""A newcomer's first hour: every README command, in order, in an empty folder.

The commands are read from README.md itself, so a command added there runs here (and one this test
does not know how to fill in fails it). Placeholders (SHEET, OUTDIR, ...) become the files a
newcomer would have at that point; optional parts in brackets are left out. Each command's exit code
is checked, and no input file may change: they are hashed before and after every command.
"""

from __future__ import annotations

import hashlib
import re
import shlex
import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")

# What each placeholder stands for, as files the walkthrough has made by then.
PLACEHOLDERS = {
    "SHEET": "acme.yaml",
    "OUTDIR": "out",
    "INPUT...": "info_sheets/examples",
    "FORM.pdf": "form.pdf",
    "VALUES.yaml": "values.yaml",
    "OUT.pdf": "OUT.pdf",
    "APPLICATION.pdf": "application.pdf",
    "RETURNED.docx": "draft.docx",
    "SLUG": "acme-power-and-light-llc",
    "REQUIREMENT": "application",
    "done|waived|pending": "done",
    "FILE": "report.txt",
    "DIR": "demo",  # the workspace the first serve made
}
# The exit code each command should give at that point of the walkthrough, by its first words.
EXPECTED = {
    "sheet new": 0,
    "validate my-applicant.yaml": 1,  # a blank sheet: every required field is empty
    "validate --format json my-applicant.xlsx": 1,
    "validate --together": 0,
    "validate roster.csv": 0,
    "batch info_sheets/examples": 0,
    "templates": 0,
    "render": 0,
    "fields": 0,
    "fill": 0,
    "packet": 0,
    "batch": 0,
    "verify": 0,
    "track": 0,
    "serve": 0,  # a server: started in its own process, reached over HTTP, then stopped
}


def readme_commands() -> list[str]:
    """Return every `sc-docs ...` command of the README's shell blocks, in order."""
    out: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", README, re.S):
        for line in block.splitlines():
            line = line.split("  #", 1)[0].strip()
            for part in line.split("&&"):
                part = part.strip()
                m = re.match(r"(?:\.venv/bin/)?sc-docs (.*)", part)
                if m:
                    out.append(m.group(1))
    return out


def concrete(command: str) -> list[str]:
    """Return `command` as arguments: optional `[...]` parts dropped, placeholders filled in."""
    command = re.sub(r"\s*\[[^\]]*\]", "", command)
    return [PLACEHOLDERS.get(word, word) for word in shlex.split(command)]


def expected_code(command: str) -> int:
    for prefix in sorted(EXPECTED, key=len, reverse=True):
        if command.startswith(prefix):
            return EXPECTED[prefix]
    raise AssertionError(f"the walkthrough does not know the README command 'sc-docs {command}'")


def _serve(args: list[str], cwd: Path) -> int:
    """Start `sc-docs serve ARGS` on a free port, wait until it answers, stop it; return 0 if it answered."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args = [a for a in args if a not in ("--port",)] + ["--port", str(port)]
    log = cwd / f"serve-{port}.log"
    with log.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "sc_docs", *args], cwd=cwd, stdout=subprocess.DEVNULL,
                                stderr=err, env={**os.environ, "SC_DOCS_TOKEN": ""}, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError(f"sc-docs {' '.join(args)} stopped: {log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    return 0 if response.status == 200 else response.status
            except OSError:
                time.sleep(0.3)
        raise AssertionError(f"sc-docs {' '.join(args)} did not answer within 60 s")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def _roster(record: dict) -> str:  # type: ignore[type-arg]
    """Return a one-row CSV roster of `record` (row 1 the field paths)."""
    import csv
    import io

    from sc_docs.sheets.xlsx_source import _rows

    flat = _rows(record)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([path for path, _ in flat])
    writer.writerow(["true" if v is True else "false" if v is False else str(v) for _, v in flat])
    return buf.getvalue()


def _hashes(folder: Path, inputs: list[str]) -> dict[str, str]:
    files = [p for name in inputs for p in ([folder / name] if (folder / name).is_file() else (folder / name).rglob("*"))]
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.is_file()}


def test_every_readme_command_runs_in_order(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SC_DOCS_DB", raising=False)
    shutil.copytree(ROOT / "info_sheets", tmp_path / "info_sheets")
    acme = yaml.safe_load((ROOT / "info_sheets" / "examples" / "acme-power-and-light.yaml").read_text())
    (tmp_path / "acme.yaml").write_text(yaml.safe_dump(acme, sort_keys=False, allow_unicode=True))
    # Two sheets of ONE applicant, for `validate --together`.
    documents = acme["documents"]
    (tmp_path / "sca.yaml").write_text(yaml.safe_dump({"applicant": acme["applicant"], "documents": {"sca": documents["sca"]}}))
    (tmp_path / "msa.yaml").write_text(yaml.safe_dump({"applicant": acme["applicant"], "documents": {"msa_sc": documents["msa_sc"]}}))
    shutil.copy(ROOT / "pro_forma" / "application" / "form.pdf", tmp_path / "form.pdf")
    (tmp_path / "values.yaml").write_text("section1.legal_name: Acme Power & Light, LLC\n")
    (tmp_path / "roster.csv").write_text(_roster(acme), encoding="utf-8")
    inputs = ["info_sheets", "acme.yaml", "sca.yaml", "msa.yaml", "form.pdf", "values.yaml", "roster.csv"]

    commands = readme_commands()
    assert len(commands) >= 15, commands
    ran = []
    for command in commands:
        args = concrete(command)
        before = _hashes(tmp_path, inputs)
        want = expected_code(command)
        if args[0] == "serve":
            assert _serve(args, tmp_path) == want, command
            assert _hashes(tmp_path, inputs) == before, f"sc-docs {' '.join(args)} changed an input file"
            ran.append(args[0])
            continue
        result = run(*args)
        assert result.exit_code == want, f"sc-docs {' '.join(args)}: exit {result.exit_code}\n{result.stdout}\n{result.stderr}"
        assert "Traceback" not in result.stderr
        if want:
            assert result.stdout or result.stderr.startswith("Error: "), command
        assert _hashes(tmp_path, inputs) == before, f"sc-docs {' '.join(args)} changed an input file"
        ran.append(args[0])
    assert {"sheet", "validate", "templates", "render", "fields", "fill", "packet", "batch", "verify", "track", "serve"} <= set(ran)
    assert (tmp_path / "packets").is_dir() and (tmp_path / "draft.docx").is_file() and (tmp_path / "OUT.pdf").is_file()
