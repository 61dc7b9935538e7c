"""Batches: failures isolated, reports, determinism, resume, crash safety, slugs, rosters, locks."""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import yaml

from sc_docs.batch import Options, run_batch
from sc_docs.files import locked
from tools.synthetic import write_synthetic
from tests.checks import assert_docx_ok, assert_pdf_ok
from tests.conftest import EXAMPLES, INVALID, ROOT, SAMPLES


def packet_is_complete(out: Path, slug: str) -> bool:
    folder = out / slug
    manifest = json.loads((folder / "manifest.json").read_text())
    for doc in manifest["documents"]:
        data = (folder / doc["file"]).read_bytes()
        if hashlib.sha256(data).hexdigest() != doc["sha256"]:
            return False
        if doc["file"].endswith(".docx"):
            assert_docx_ok(data)
        elif doc["file"].endswith(".xlsx"):
            with zipfile.ZipFile(io.BytesIO(data)) as book:
                assert book.testzip() is None and "xl/workbook.xml" in book.namelist()
        else:
            assert_pdf_ok(data)
    with zipfile.ZipFile(out / f"{slug}.zip") as zf:
        return zf.testzip() is None and json.loads(zf.read(f"{slug}/manifest.json")) == manifest


def test_samples_and_invalid_sheets(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    result = run("batch", EXAMPLES, *INVALID[:3], tmp_path / "missing-folder-file.yaml", "-o", out, "-j", "2")
    assert result.exit_code == 2  # a path that does not exist is a usage error, checked before any work
    result = run("batch", EXAMPLES, *INVALID[:3], "-o", out, "-j", "2")
    assert result.exit_code == 1
    report = json.loads((out / "batch-report.json").read_text())
    assert (report["done"], report["failed"], report["skipped"]) == (len(SAMPLES), 3, 0)
    failed = [e for e in report["entries"] if e["status"] == "failed"]
    assert sorted(e["source"] for e in failed) == sorted(str(p) for p in INVALID[:3])
    assert all(e["problems"] for e in failed)
    assert f"done {len(SAMPLES)}, failed 3, skipped 0" in result.stdout
    for e in report["entries"]:
        if e["status"] == "done":
            assert packet_is_complete(out, e["slug"])


def test_two_runs_are_byte_identical(tmp_path: Path) -> None:
    hashes = []
    for name in ("a", "b"):
        run_batch([EXAMPLES], Options(tmp_path / name), jobs=2)
        hashes.append({str(p.relative_to(tmp_path / name)): hashlib.sha256(p.read_bytes()).hexdigest()
                       for p in sorted((tmp_path / name).rglob("*")) if p.is_file() and p.name not in {"batch-report.json", ".sc-docs.lock"}})
    assert hashes[0] == hashes[1] and len(hashes[0]) > 10


def test_resume_skips_up_to_date_and_redoes_changed(tmp_path: Path) -> None:
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    for p in SAMPLES:
        (sheets / p.name).write_bytes(p.read_bytes())
    out = tmp_path / "out"
    first = run_batch([sheets], Options(out), jobs=1)
    assert first.done == len(SAMPLES)
    again = run_batch([sheets], Options(out, resume=True), jobs=1)
    assert (again.done, again.skipped) == (0, len(SAMPLES))
    changed = sheets / SAMPLES[0].name
    changed.write_text(changed.read_text().replace("Margaret A. Chen", "Margaret B. Chen"))
    broken = next(out.glob("sierra*/*.docx"))
    broken.write_bytes(b"truncated")
    third = run_batch([sheets], Options(out, resume=True), jobs=1)
    assert (third.done, third.skipped) == (2, len(SAMPLES) - 2)


def test_sigkill_midway_leaves_no_partial_packet_and_rerun_completes(tmp_path: Path) -> None:
    sheets = tmp_path / "sheets"
    write_synthetic(sheets, 120)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "sc_docs", "batch", str(sheets), "-o", str(out), "-j", "1", "--quiet"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len([z for z in out.glob("*.zip") if not z.name.startswith(".")]) < 5:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    zips = sorted(z for z in out.glob("*.zip") if not z.name.startswith("."))  # hidden: temporaries
    assert 5 <= len(zips) < 120, "the batch finished before it could be killed; make it bigger"
    for z in zips:
        assert packet_is_complete(out, z.stem)
    for folder in out.iterdir():
        if folder.is_dir() and not folder.name.startswith(".sc-docs-tmp-"):
            assert (out / f"{folder.name}.zip").exists() or (folder / "manifest.json").exists()
    rerun = subprocess.run([*cmd[:-1], "--resume", "--quiet"], cwd=ROOT, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    report = json.loads((out / "batch-report.json").read_text())
    assert report["done"] + report["skipped"] == 120 and report["skipped"] >= len(zips) - 1
    assert not list(out.glob(".sc-docs-tmp-*"))
    assert len([z for z in out.glob("*.zip") if not z.name.startswith(".")]) == 120


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd", "CON", "a/b\\c", "nul", "..", "   ", "Ünïcødé ⚡ Power", "x" * 300, "A\x00B"],
    ids=["traversal", "con", "slashes", "nul-device", "dotdot", "blank", "unicode", "long", "nul-byte"],
)
def test_hostile_names_get_safe_slugs(tmp_path: Path, name: str) -> None:
    from sc_docs.slugs import slugify

    slug = slugify(name)
    assert slug and "/" not in slug and "\\" not in slug and ".." not in slug and "\x00" not in slug
    assert slug.lower() not in {"con", "nul", "prn", "aux"} and len(slug) <= 60
    assert (tmp_path / slug).resolve().parent == tmp_path.resolve()


def _sheets(folder: Path, names: dict[str, str]) -> Path:
    """Write one copy of the first sample per `file name -> legal name` into `folder`."""
    base = yaml.safe_load(SAMPLES[0].read_text())
    folder.mkdir(exist_ok=True)
    for file, name in names.items():
        base["applicant"]["legal_name"] = name
        (folder / file).write_text(yaml.safe_dump(base, allow_unicode=True))
    return folder


def test_colliding_and_hostile_names_in_a_batch(tmp_path: Path) -> None:
    from sc_docs.slugs import suffixed_slug

    names = ["Acme Power & Light, LLC", "ACME POWER AND LIGHT LLC", "Énergie Nord Power", "Energie Nord Power",
             "../../etc/passwd Power", "CON"]
    sheets = _sheets(tmp_path / "sheets", {f"s{i}.yaml": name for i, name in enumerate(names)})
    out = tmp_path / "out"
    report = run_batch([sheets], Options(out), jobs=1)
    assert (report.done, report.failed) == (6, 0)
    slugs = [e.slug for e in report.entries]
    # The second spelling of Acme is the same applicant given again: its own folder, named by its input.
    assert slugs == ["acme-power-and-light-llc", suffixed_slug("ACME POWER AND LIGHT LLC", salt=str(sheets / "s1.yaml")),
                     "energie-nord-power", suffixed_slug("Energie Nord Power"), "etc-passwd-power", "con-1"]
    assert suffixed_slug("ACME POWER AND LIGHT LLC", salt="s1.yaml") != suffixed_slug("ACME POWER AND LIGHT LLC")
    written = {p.resolve() for p in tmp_path.rglob("*")}
    assert all(str(p).startswith(str(tmp_path.resolve())) for p in written)


def test_resume_after_adding_a_similar_name_moves_nothing(tmp_path: Path) -> None:
    from sc_docs.slugs import suffixed_slug

    sheets = _sheets(tmp_path / "sheets", {"b.yaml": "Energie Nord Power"})
    out = tmp_path / "out"
    run_batch([sheets], Options(out), jobs=1)
    before = (out / "energie-nord-power.zip").read_bytes()
    _sheets(sheets, {"a.yaml": "Énergie Nord Power"})  # read first from now on
    for jobs in (1, 2):
        report = run_batch([sheets], Options(out, resume=True), jobs=jobs)
        got = {e.source: (e.slug, e.status) for e in report.entries}
        assert got[str(sheets / "b.yaml")] == ("energie-nord-power", "skipped")
        assert got[str(sheets / "a.yaml")][0] == suffixed_slug("Énergie Nord Power")
        assert (out / "energie-nord-power.zip").read_bytes() == before
        manifest = json.loads((out / "energie-nord-power" / "manifest.json").read_text())
        assert manifest["legal_name"] == "Energie Nord Power"


def test_packet_into_a_batch_folder_never_replaces_another_applicants(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    import sc_docs
    from sc_docs.errors import OutputError
    from sc_docs.packet import build_packet, write_packet
    from sc_docs.slugs import suffixed_slug

    sheets = _sheets(tmp_path / "sheets", {"b.yaml": "Energie Nord Power", "a.yaml": "Énergie Nord Power"})
    out = tmp_path / "out"
    run_batch([sheets / "b.yaml"], Options(out), jobs=1)
    before = (out / "energie-nord-power.zip").read_bytes()
    result = run("packet", sheets / "a.yaml", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == str(out / f"{suffixed_slug('Énergie Nord Power')}.zip")
    assert (out / "energie-nord-power.zip").read_bytes() == before
    # Even told to use the other's slug, the writer refuses to take its place.
    packet = build_packet(sc_docs.load_applicant(sheets / "a.yaml"), slug="energie-nord-power")
    with pytest.raises(OutputError, match="holds the packet of another applicant"):
        write_packet(packet, out)
    assert (out / "energie-nord-power.zip").read_bytes() == before


def test_a_batch_into_its_own_input_folder_skips_its_outputs(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "work"
    assert run("batch", SAMPLES[0], "-o", folder, "-j", "1", "-q").exit_code == 0
    (folder / SAMPLES[0].name).write_bytes(SAMPLES[0].read_bytes())
    for _ in range(2):  # the second run also sees the first's batch-report.json
        result = run("batch", folder, "-o", folder, "--resume", "-j", "1", "-q")
        assert result.exit_code == 0, result.stdout + result.stderr
        report = json.loads((folder / "batch-report.json").read_text())
        assert [(e["source"], e["status"]) for e in report["entries"]] == [(str(folder / SAMPLES[0].name), "skipped")]


def test_printed_file_names_are_escaped(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    evil = tmp_path / "in" / "x\x1b]0;owned\x07.yaml"
    evil.parent.mkdir()
    evil.write_text("applicant: [", encoding="utf-8")
    result = run("batch", evil.parent, "-o", tmp_path / "out", "-j", "1")
    assert result.exit_code == 1
    assert "\x1b" not in result.stdout + result.stderr and "\x07" not in result.stdout + result.stderr
    assert "x\\x1b]0;owned\\x07.yaml" in result.stdout


def _interrupt_batch(tmp_path: Path, n: int, extra: list[str]) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    """Start a batch, wait for its first packet, press Ctrl-C (SIGINT to the process group)."""
    sheets = tmp_path / "sheets"
    write_synthetic(sheets, n)
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    tmp.mkdir()
    env = dict(os.environ, TMPDIR=str(tmp))
    proc = subprocess.Popen([sys.executable, "-m", "sc_docs", "batch", str(sheets), "-o", str(out), "-q", *extra],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while not any(p.suffix == ".zip" and not p.name.startswith(".") for p in out.glob("*.zip")):
        assert proc.poll() is None and time.monotonic() < deadline, "the batch ended before it could be interrupted"
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr), out, tmp


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_exits_130_with_the_report_of_what_finished(tmp_path: Path, jobs: str) -> None:
    result, out, tmp = _interrupt_batch(tmp_path, 300, ["-j", jobs])
    assert result.returncode == 130, result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(f"Error: {out}: interrupted; ")
    assert "Traceback" not in result.stderr
    report = json.loads((out / "batch-report.json").read_text())
    zips = sorted(p.stem for p in out.glob("*.zip") if not p.name.startswith("."))
    assert 1 <= report["done"] < 300 and sorted(e["slug"] for e in report["entries"]) == zips
    assert not list(out.glob(".sc-docs-tmp-*")) and not list(tmp.iterdir())


@pytest.mark.skipif(not __import__("shutil").which("soffice"), reason="LibreOffice is not installed")
def test_ctrl_c_during_pdf_conversion_leaves_no_libreoffice_profile(tmp_path: Path) -> None:
    result, out, tmp = _interrupt_batch(tmp_path, 4, ["-j", "1", "--pdf"])
    assert result.returncode == 130, result.stderr
    time.sleep(0.5)
    assert not list(tmp.iterdir())  # no sc-docs-soffice-* profile folder left behind
    assert json.loads((out / "batch-report.json").read_text())["done"] >= 1


def test_csv_roster(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    import csv

    from sc_docs.sheets.record import format_path

    def flat(data: object, path: tuple = ()) -> dict[str, object]:
        if isinstance(data, dict):
            return {k: v for key, val in data.items() for k, v in flat(val, (*path, key)).items()}
        if isinstance(data, list):
            return {k: v for i, val in enumerate(data) for k, v in flat(val, (*path, i)).items()}
        return {format_path(path): data}

    rows = [flat(yaml.safe_load(p.read_text())) for p in SAMPLES[:3]]
    rows[2]["applicant.scids[0]"] = "1BAD"
    header = sorted({k for r in rows for k in r})
    roster = tmp_path / "roster.csv"
    with roster.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for r in rows:
            w.writerow(["true" if r.get(h) is True else "false" if r.get(h) is False else r.get(h, "") for h in header])
    result = run("batch", roster, "-o", tmp_path / "out", "-j", "1")
    assert result.exit_code == 1
    report = json.loads((tmp_path / "out" / "batch-report.json").read_text())
    assert (report["done"], report["failed"]) == (2, 1)
    failed = next(e for e in report["entries"] if e["status"] == "failed")
    assert failed["source"] == f"{roster}:4"
    assert failed["problems"] == [f"{roster}:row 4 column applicant.scids[0]: applicant.scids[0]: SCID must be a letter followed by three letters or digits, upper case, e.g. ACME; got '1BAD'"]


def test_fail_fast_stops_early(tmp_path: Path) -> None:
    report = run_batch([INVALID[0], *SAMPLES], Options(tmp_path / "out"), jobs=1, fail_fast=True)
    assert (report.failed, report.done) == (1, 0)


def test_second_batch_into_the_same_folder_is_refused(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    out.mkdir()
    (out / ".sc-docs-output").touch()
    with locked(out):
        result = run("batch", EXAMPLES, "-o", out)
    assert result.exit_code == 1
    assert "another sc-docs run is writing to this folder" in result.stderr


def test_progress_lines_and_quiet(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    result = run("batch", SAMPLES[0], "-o", tmp_path / "a", "-j", "1")
    assert result.stderr.startswith("done acme-power-and-light-llc (")
    result = run("batch", SAMPLES[0], "-o", tmp_path / "b", "-j", "1", "--quiet")
    assert result.stderr == ""
    assert os.path.exists(tmp_path / "b" / "acme-power-and-light-llc.zip")


def test_batch_records_documents_in_the_tracker(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "track.sqlite"
    result = run("batch", *SAMPLES[:2], "-o", tmp_path / "out", "-j", "1", "-q", "--db", db)
    assert result.exit_code == 0, result.stdout + result.stderr
    import sqlite3

    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
        doc_table = next(t for t in tables if "document" in t)
        count = conn.execute(f"select count(*) from {doc_table}").fetchone()[0]
    manifests = [json.loads(p.read_text()) for p in (tmp_path / "out").glob("*/manifest.json")]
    assert count == sum(len([d for d in m["documents"] if d["kind"] not in ("pdf", "packet-pdf")]) for m in manifests) > 0


def test_ctrl_c_right_after_a_packet_is_written_still_lists_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The window between a packet landing on disk and its entry in the report is closed: Ctrl-C
    there lets the entry be recorded, then the batch stops before the next applicant."""
    import sc_docs.batch as batch
    from sc_docs.batch import BatchInterrupted

    real = batch.write_packet

    def write_then_ctrl_c(packet, outdir):  # type: ignore[no-untyped-def]
        real(packet, outdir)
        signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(batch, "write_packet", write_then_ctrl_c)
    out = tmp_path / "out"
    with pytest.raises(BatchInterrupted):
        run_batch(SAMPLES[:3], Options(out), jobs=1)
    report = json.loads((out / "batch-report.json").read_text())
    zips = sorted(p.stem for p in out.glob("*.zip"))
    assert report["done"] == 1 and [e["slug"] for e in report["entries"]] == zips
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # Ctrl-C is itself again
