"""Where sc-docs writes: hostile applicant names, output folders it does not own, symlinks planted
in its own folder, and two runs racing for one folder (real processes).

`tests/test_batch.py` already checks a handful of hostile names and an in-process lock; these
tests add names from other scripts and encodings, a property over any name, and the cases an
attacker with write access to the output folder could set up.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sc_docs.slugs import slugify, unique_slugs
from tests.checks import assert_docx_ok
from tests.conftest import EXAMPLES, ROOT

SAMPLE = EXAMPLES / "acme-power-and-light.yaml"
BASE = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")} if folder.exists() else set()


@pytest.mark.parametrize(
    "name",
    [
        "\u202eredaolnwod\u202c.exe", "／etc／passwd", "..\\..\\windows\\system32", "LPT¹", "COM1 Power", "con.txt",
        "\u200b\u200b", "東京電力", "..", ".", "~root", "$(rm -rf /)", "a\tb\nc", "\ufeffAcme", "İstanbul Enerji",
    ],
    ids=["bidi", "fullwidth-slash", "backslashes", "superscript-lpt", "com1-prefix", "con-dot", "zero-width",
         "cjk", "dotdot", "dot", "tilde", "shell", "whitespace", "bom", "dotted-i"],
)
def test_more_hostile_names_get_safe_slugs(name: str) -> None:
    slug = slugify(name)
    assert SLUG.fullmatch(slug), slug
    assert slug not in RESERVED and len(slug) <= 60


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300))
def test_any_name_gives_a_safe_slug(name: str) -> None:
    slug = slugify(name)
    assert SLUG.fullmatch(slug) and slug not in RESERVED and len(slug) <= 60
    assert slugify(slug) == slug  # stable: a slug is its own slug


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["CON", "con", "東京", "", "Acme", "ACME", "acme!", "x" * 80]), max_size=30))
def test_unique_slugs_never_collide(names: list[str]) -> None:
    slugs = unique_slugs(names)
    assert len(set(slugs)) == len(slugs) == len(names)
    assert all(SLUG.fullmatch(s) and s not in RESERVED for s in slugs)


@pytest.mark.parametrize("name", ["../../etc/passwd Power", "CON", "C:\\Windows\\System32 Energy", "／..／..／x Corp"],
                         ids=["traversal", "con", "drive", "fullwidth"])
def test_packet_for_a_hostile_name_stays_inside_the_output_folder(tmp_path: Path, name: str, run) -> None:  # type: ignore[no-untyped-def]
    data = copy.deepcopy(BASE)
    data["applicant"]["legal_name"] = name
    sheet = tmp_path / "in" / "sheet.yaml"
    sheet.parent.mkdir()
    sheet.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    before = files_under(tmp_path)
    result = run("packet", sheet, "-o", out, "--only", "sca")
    assert result.exit_code == 0, result.stderr
    new = files_under(tmp_path) - before
    assert new and all(p == out or out.resolve() in p.resolve().parents for p in new)
    docx_files = [p for p in new if p.suffix == ".docx"]
    assert len(docx_files) == 1 and name in assert_docx_ok(docx_files[0].read_bytes())
    with zipfile.ZipFile(next(p for p in new if p.suffix == ".zip")) as zf:
        assert all(not n.startswith(("/", "..")) and ".." not in n.split("/") for n in zf.namelist())


def test_batch_refuses_a_foreign_non_empty_folder_unless_forced(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "documents"
    out.mkdir()
    (out / "contract.docx").write_bytes(b"someone's work")
    result = run("batch", SAMPLE, "-o", out, "-j", "1", "--quiet")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {out}: is a non-empty folder sc-docs did not create")
    assert sorted(p.name for p in out.iterdir()) == ["contract.docx"]
    assert run("batch", SAMPLE, "-o", out, "-j", "1", "--quiet", "--force").exit_code == 0
    assert (out / "contract.docx").read_bytes() == b"someone's work"


def test_output_that_is_a_file_or_a_link_to_a_foreign_folder_is_refused(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    a_file = tmp_path / "out.txt"
    a_file.write_text("x")
    for command in ("packet", "batch"):
        result = run(command, SAMPLE, "-o", a_file)
        assert result.exit_code in (1, 2) and "Traceback" not in result.stderr
        assert a_file.read_text() == "x"
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("keep")
    link = tmp_path / "link"
    link.symlink_to(foreign, target_is_directory=True)
    result = run("packet", SAMPLE, "-o", link)
    assert result.exit_code == 1 and "did not create" in result.stderr
    assert sorted(p.name for p in foreign.iterdir()) == ["keep.txt"]


def test_links_planted_in_our_folder_are_replaced_not_followed(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    """Someone who can write to the output folder plants links where the packet will go."""
    out = tmp_path / "out"
    assert run("packet", SAMPLE, "-o", out, "--only", "sca").exit_code == 0
    slug = "acme-power-and-light-llc"
    victim_dir = tmp_path / "victim"
    victim_dir.mkdir()
    (victim_dir / "precious.txt").write_text("precious")
    victim_file = tmp_path / "victim.zip"
    victim_file.write_bytes(b"precious zip")
    import shutil

    shutil.rmtree(out / slug)
    (out / slug).symlink_to(victim_dir, target_is_directory=True)
    (out / f"{slug}.zip").unlink()
    (out / f"{slug}.zip").symlink_to(victim_file)
    assert run("packet", SAMPLE, "-o", out, "--only", "sca").exit_code == 0
    assert sorted(p.name for p in victim_dir.iterdir()) == ["precious.txt"]
    assert (victim_dir / "precious.txt").read_text() == "precious"
    assert victim_file.read_bytes() == b"precious zip"
    assert not (out / slug).is_symlink() and not (out / f"{slug}.zip").is_symlink()
    with zipfile.ZipFile(out / f"{slug}.zip") as zf:
        assert zf.testzip() is None


def test_two_batches_into_one_folder_the_second_is_refused(tmp_path: Path) -> None:
    """Two real processes: while the first holds the folder, the second exits 1 and writes nothing."""
    from tools.synthetic import write_synthetic

    sheets = tmp_path / "sheets"
    write_synthetic(sheets, 150)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "sc_docs", "batch", str(sheets), "-o", str(out), "-j", "1", "--quiet"]
    first = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        lock = out / ".sc-docs.lock"
        # Wait until the first run holds the lock and has written a packet, so the race is real.
        while time.monotonic() < deadline and first.poll() is None:
            if lock.exists() and lock.read_text().strip() == str(first.pid) and list(out.glob("*.zip")):
                break
            time.sleep(0.02)
        assert first.poll() is None, "the first batch ended before the second could start; make it bigger"
        second = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
        still_running = first.poll() is None
    finally:
        _, stderr = first.communicate(timeout=600)
    assert still_running, "the first batch ended while the second ran; the race was not tested"
    assert second.returncode == 1, second.stderr
    assert "another sc-docs run is writing to this folder" in second.stderr
    assert "Traceback" not in second.stderr + stderr.decode()
    assert first.returncode == 0, stderr.decode()[-2000:]
    report = json.loads((out / "batch-report.json").read_text(encoding="utf-8"))
    assert (report["done"], report["failed"]) == (150, 0)
    zips = sorted(out.glob("*.zip"))
    assert len(zips) == 150 and not list(out.glob(".sc-docs-tmp-*"))
    for z in zips:
        with zipfile.ZipFile(z) as zf:
            assert zf.testzip() is None
    with zipfile.ZipFile(zips[0]) as zf:
        for name in zf.namelist():
            if name.endswith(".docx"):
                assert_docx_ok(zf.read(name))


def test_packet_while_a_batch_holds_the_folder_is_refused(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    from sc_docs.files import claim_output_dir, locked

    out = tmp_path / "out"
    claim_output_dir(out)
    with locked(out):
        result = run("packet", SAMPLE, "-o", out)
    assert result.exit_code == 1 and "another sc-docs run is writing to this folder" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == [".sc-docs-output", ".sc-docs.lock"]
    assert os.path.exists(out / ".sc-docs.lock")


@pytest.mark.parametrize("failing", ["staged-file", "zip-rename"])
def test_a_full_disk_is_an_error_and_keeps_the_previous_packet(tmp_path: Path, run, monkeypatch: pytest.MonkeyPatch, failing: str) -> None:  # type: ignore[no-untyped-def]
    import errno

    out = tmp_path / "out"
    assert run("packet", SAMPLE, "-o", out, "--only", "sca").exit_code == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file() and not p.name.startswith(".sc-docs")}

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    if failing == "staged-file":
        real = Path.write_bytes
        monkeypatch.setattr(Path, "write_bytes", lambda self, data: disk_full() if ".sc-docs-tmp-" in str(self) else real(self, data))
    else:
        real_replace = os.replace
        monkeypatch.setattr(os, "replace", lambda a, b: disk_full() if str(b).endswith(".zip") else real_replace(a, b))
    result = run("packet", SAMPLE, "-o", out, "--only", "sca", "--date", "2027-06-01")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {out}: cannot write the packet: No space left on device\n"
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file() and not p.name.startswith(".sc-docs")}
    assert (out / "acme-power-and-light-llc" / "manifest.json").exists()
    assert after == before  # the previous packet, folder and zip, as it was
    assert not list(out.glob(".sc-docs-tmp-*"))


def _die_for_one(label: str, rec: object, slug: str, opts: object) -> object:
    """Stands in for `make_one` in forked workers: the worker making 'killer' dies outright."""
    from sc_docs.batch import _real_make_one  # type: ignore[attr-defined]

    if "killer" in label:
        os._exit(137)  # as the OOM killer would end it
    return _real_make_one(label, rec, slug, opts)


def test_a_worker_that_dies_fails_its_applicant_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    from sc_docs import batch
    from tools.synthetic import write_synthetic

    if multiprocessing.get_start_method() != "fork":
        pytest.skip("needs fork so the workers inherit the stand-in")
    sheets = tmp_path / "sheets"
    paths = write_synthetic(sheets, 12)
    paths[5].rename(sheets / "killer.yaml")
    monkeypatch.setattr(batch, "_real_make_one", batch.make_one, raising=False)
    monkeypatch.setattr(batch, "make_one", _die_for_one)
    report = batch.run_batch([sheets], batch.Options(tmp_path / "out"), jobs=2)
    failed = [e for e in report.entries if e.status == "failed"]
    assert [Path(e.source).name for e in failed] == ["killer.yaml"]
    assert "worker process died" in (failed[0].reason or "")
    assert report.done == 11
    assert json.loads((tmp_path / "out" / "batch-report.json").read_text())["done"] == 11


@pytest.mark.parametrize("planted", [".sc-docs.lock", ".sc-docs-output"])
@pytest.mark.parametrize("command", ["packet", "batch"])
def test_a_link_planted_as_lock_or_marker_is_not_followed(tmp_path: Path, run, planted: str, command: str) -> None:  # type: ignore[no-untyped-def]
    """With write access to the output folder, a link named like the lock must not let a run
    (perhaps run as root) truncate or create a file elsewhere."""
    out = tmp_path / "out"
    assert run("packet", SAMPLE, "-o", out, "--only", "sca").exit_code == 0
    victim = tmp_path / "victim.conf"
    victim.write_text("do not truncate\n")
    (out / planted).unlink()
    (out / planted).symlink_to(victim)
    args = ["packet", SAMPLE, "-o", out, "--only", "sca"] if command == "packet" else ["batch", SAMPLE, "-o", out, "-j", "1", "--quiet"]
    result = run(*args)
    assert victim.read_text() == "do not truncate\n"
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"Error: {out}: cannot "), result.stderr
    dangling = tmp_path / "created-by-sc-docs"
    (out / planted).unlink()
    (out / planted).symlink_to(dangling)
    result = run(*args)
    assert result.exit_code == 1 and not dangling.exists()


def test_resume_reads_planted_manifests_and_zips_with_a_limit(tmp_path: Path) -> None:
    """`--resume` reads what sits in the output folder: an endless manifest or a lying zip is
    treated as out of date (the packet is made again), in bounded memory."""
    from tests.corpus.isolate import run_isolated
    from tests.corpus.zips import lying_bomb

    out = tmp_path / "out"
    from sc_docs.batch import Options, run_batch

    run_batch([SAMPLE], Options(out), jobs=1)
    slug = "acme-power-and-light-llc"
    (out / slug / "manifest.json").unlink()
    (out / slug / "manifest.json").symlink_to("/dev/zero")
    report = run_isolated(f"""
        from sc_docs.cli import main
        def work():
            raise SystemExit(main(["batch", {str(SAMPLE)!r}, "-o", {str(out)!r}, "-j", "1", "--resume", "--quiet"]))
    """, memory_mb=1024, timeout=120)
    assert report["error"] == "SystemExit" and report["message"] == "0", report
    assert json.loads((out / "batch-report.json").read_text())["done"] == 1
    zipped = out / f"{slug}.zip"
    zipped.write_bytes(lying_bomb(zipped.read_bytes(), f"{slug}/manifest.json", 128))
    report = run_isolated(f"""
        from sc_docs.cli import main
        def work():
            raise SystemExit(main(["batch", {str(SAMPLE)!r}, "-o", {str(out)!r}, "-j", "1", "--resume", "--quiet"]))
    """, memory_mb=1024, timeout=120)
    assert report["error"] == "SystemExit" and report["message"] == "0", report
    assert float(report["peak_growth_mb"]) < 100, report  # type: ignore[arg-type]
    assert json.loads((out / "batch-report.json").read_text())["done"] == 1
    with zipfile.ZipFile(zipped) as zf:
        assert zf.testzip() is None
