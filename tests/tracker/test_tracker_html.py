"""The HTML report: self-contained, escaped, and showing every applicant in a real browser."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from sc_docs.tracker import render, views
from sc_docs.tracker.store import Tracker

TODAY = dt.date(2026, 12, 20)
NAMES = ["Acme Power & Light, LLC", "<script>alert('x')</script> Energy", "Ciudad de Río Verde"]


@pytest.fixture
def report_html(tracker: Tracker, make_record: Callable[..., dict[str, Any]], tmp_path: Path) -> Path:
    for i, name in enumerate(NAMES):
        slug = tracker.add_applicant(make_record(name, application_date=f"2026-12-0{i + 1}")).slug
        tracker.mark(slug, "application", "done", date=dt.date(2026, 12, 1), note="<b>fee</b> & co")
    tracker.mark("acme-power-and-light-llc", "completeness_review", "done", date=dt.date(2026, 12, 10))
    page = tmp_path / "report.html"
    page.write_text(render.report_html(views.report(tracker, TODAY), [], TODAY), encoding="utf-8")
    return page


def check_page(tree: Any) -> None:
    sections = tree.xpath("//section[@class='applicant']")
    assert sorted(s.xpath("string(h2)").split(" ")[0] for s in sections) == sorted(n.split(" ")[0] for n in NAMES)
    text = tree.text_content()
    for name in NAMES:
        assert name in text
    assert tree.xpath("//script") == []  # the applicant's name stayed text
    overdue = tree.xpath("//tr[contains(@class,'overdue')]/@data-requirement")
    assert overdue.count("completeness_review") == 2  # Acme's review is done; the others are late
    bars = tree.xpath("//span[@role='progressbar']/@aria-valuenow")
    assert sorted(bars) == ["4", "4", "9"]  # 1, 1 and 2 of 23 requirements


def test_report_is_self_contained_and_escaped(report_html: Path) -> None:
    raw = report_html.read_text(encoding="utf-8")
    assert "<link" not in raw and "src=" not in raw and "url(" not in raw and "http" not in raw
    assert "&lt;script&gt;" in raw
    check_page(lxml_html.fromstring(raw))


def test_report_renders_in_headless_chromium(report_html: Path, tmp_path: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    proc = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'chromium-profile'}",
            "--dump-dom",
            report_html.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    check_page(lxml_html.fromstring(proc.stdout))
