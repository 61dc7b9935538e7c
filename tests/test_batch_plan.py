"""Batch planning: a YAML sheet is planned from its legal name alone and loaded by its worker,
with exactly the slugs and failures a planner that loaded every sheet would give."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sc_docs import batch, batch_plan
from sc_docs.batch import Options, make_one, run_batch
from sc_docs.batch_plan import SheetRef
from sc_docs.sheets import load_sheet
from sc_docs.sheets.yaml_source import quick_legal_name
from sc_docs.slugs import slugify, suffixed_slug
from tests.conftest import EXAMPLES, SAMPLES

ACME = EXAMPLES / "acme-power-and-light.yaml"


@pytest.mark.parametrize("sheet", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_quick_name_is_the_loaded_name(sheet: Path) -> None:
    assert quick_legal_name(sheet.read_text(encoding="utf-8")) == (True, load_sheet(sheet).data["applicant"]["legal_name"])


@pytest.mark.parametrize(("text", "want"), [
    ("applicant:\n  legal_name: Acme\n", (True, "Acme")),
    ("applicant:\n  x: [1, {a: 2}]\n  legal_name: 'B'\nlater: [\n", (True, "B")),  # the rest is the worker's to judge
    ("applicant:\n  legal_name: 2020-01-01\n", (True, "2020-01-01")),  # dates stay text, as loading keeps them
    ("applicant:\n  legal_name: !!str 12\n", (True, "12")),
    ("applicant:\n  legal_name: Cafe\u0301\n", (True, "Caf\u00e9")),  # NFC, as the record holds it
    ("applicant:\n  legal_name: 12\n", (True, None)),
    ("applicant: text\n", (True, None)),
    ("schema_version: 1\n", (True, None)),
    ("applicant:\n  legal_name: *name\n", (False, None)),
    ("applicant: !custom\n  legal_name: A\n", (False, None)),
    ("applicant:\n  legal_name: !custom A\n", (False, None)),
    ("? [a]\n: 1\napplicant:\n  legal_name: A\n", (False, None)),
    ("applicant:\n  legal_name: A\x01B\n", (False, None)),
    ("- a\n", (False, None)),
    ("", (False, None)),
    ("a: [\n", (False, None)),
], ids=lambda v: repr(v)[:40])
def test_quick_name_answers_or_says_unsure(text: str, want: tuple[bool, str | None]) -> None:
    assert quick_legal_name(text) == want


def _broken_copy(folder: Path) -> tuple[Path, Path]:
    """Two sheets of one applicant: the first (by name) does not load, the second does; and
    enough other applicants after them for -j2 to plan ahead of the workers."""
    from tools.synthetic import write_synthetic

    write_synthetic(folder, 8)
    good = folder / "a-good.yaml"
    shutil.copy(ACME, good)
    broken = folder / "a-broken.yaml"
    broken.write_text(ACME.read_text(encoding="utf-8") + "extra: [unclosed\n", encoding="utf-8")
    return broken, good


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_sheet_that_does_not_load_claims_no_slug(tmp_path: Path, jobs: int) -> None:
    broken, good = _broken_copy(tmp_path / "sheets")
    report = run_batch([tmp_path / "sheets"], Options(tmp_path / "out"), jobs=jobs)
    got = {Path(e.source).name: (e.status, e.slug) for e in report.entries[:2]}
    assert got == {broken.name: ("failed", None), good.name: ("done", slugify("Acme Power & Light, LLC"))}
    assert "invalid YAML" in (report.entries[0].reason or "")
    assert report.done == 9


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_corrected_copy_gets_its_own_folder(tmp_path: Path, jobs: int) -> None:
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    for name in ("a.yaml", "b.yaml"):
        shutil.copy(ACME, sheets / name)
    report = run_batch([sheets], Options(tmp_path / "out"), jobs=jobs)
    name = "Acme Power & Light, LLC"
    assert [(e.status, e.slug) for e in report.entries] == [("done", slugify(name)),
                                                            ("done", suffixed_slug(name, salt=str(sheets / "b.yaml")))]


def test_the_parent_loads_no_yaml_sheet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """At -j2 the parent reads legal names only; each sheet is loaded once, by its worker."""
    from tools.synthetic import write_synthetic

    write_synthetic(tmp_path / "sheets", 12)
    loads: list[str] = []
    real = batch_plan.load_sheet

    def counting(path: object, *args: object) -> object:
        loads.append(str(path))  # in this process only: a worker's list is its own copy
        return real(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(batch_plan, "load_sheet", counting)
    report = run_batch([tmp_path / "sheets"], Options(tmp_path / "out"), jobs=2)
    assert (report.done, loads) == (12, [])


def test_a_sheet_edited_after_planning_is_not_made(tmp_path: Path) -> None:
    sheet = tmp_path / "acme.yaml"
    shutil.copy(ACME, sheet)
    entry = make_one(str(sheet), SheetRef(str(sheet), "Another Name"), "another-name", Options(tmp_path / "out"))
    assert (entry.status, entry.slug) == ("failed", None)
    assert entry.reason == "the sheet changed while the batch ran; run the batch again"
    assert not (tmp_path / "out").exists()


def test_report_lists_load_failures_without_a_slug(tmp_path: Path) -> None:
    sheet = tmp_path / "bad.yaml"
    sheet.write_text("applicant:\n  legal_name: Bad Co\n  x: !custom 1\n", encoding="utf-8")
    run_batch([sheet], Options(tmp_path / "out"), jobs=1)
    entry = json.loads((tmp_path / "out" / batch.REPORT).read_text())["entries"][0]
    assert entry["slug"] is None and entry["status"] == "failed" and "custom YAML tag" in entry["reason"]


def test_workers_build_a_font_subset_once_between_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Eight applicants whose forms need a CJK subset, on two workers: one builds it, the other reads it."""
    import multiprocessing
    import os

    import yaml

    from sc_docs.engines.pdf import _font

    if multiprocessing.get_start_method() != "fork":
        pytest.skip("needs fork so the workers inherit the counting stand-in")
    sierra = EXAMPLES / "sierra-federal-power.yaml"
    data = yaml.safe_load(sierra.read_text(encoding="utf-8"))
    if not any(_font._coverage(p) >= frozenset("刘") for p in _font.font_paths("")):
        pytest.skip("no CJK font installed")
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    for i in range(8):
        data["applicant"]["legal_name"] = f"Sierra Federal Power {i}"
        (sheets / f"s{i}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    marks = tmp_path / "marks"
    marks.mkdir()
    real = _font._subset

    def counting(path: str, chars: frozenset[str]) -> _font.EmbeddedFont:
        if "刘" in chars:
            (marks / str(os.getpid())).touch()
        return real(path, chars)

    monkeypatch.setattr(_font, "_subset", counting)
    monkeypatch.setattr(_font, "_picked", {})  # font choices an earlier fill in this process made
    monkeypatch.setenv("SC_DOCS_CACHE_DIR", str(tmp_path / "cache"))  # no subset kept by an earlier test
    _font.embedded_font.cache_clear()
    report = run_batch([sheets], Options(tmp_path / "out"), jobs=2)
    assert report.done == 8
    assert len(list(marks.iterdir())) == 1
    assert not list((tmp_path / "out").glob(".sc-docs-tmp-*"))  # the shared folder is gone
    _font.embedded_font.cache_clear()
