"""Due dates, days left and overdue items, computed as of a given day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sc_docs.tracker import views
from sc_docs.tracker.progress import ItemProgress
from sc_docs.tracker.store import Tracker

D = dt.date


def item(tracker: Tracker, slug: str, key: str, today: dt.date) -> ItemProgress:
    return next(i for i in views.show(tracker, slug, today).items if i.key == key)


def test_review_due_ten_business_days_after_the_application_date(tracker: Tracker, acme: str) -> None:
    # Application date Tue 2026-12-01: ten business days later is Tue 2026-12-15.
    review = item(tracker, acme, "completeness_review", D(2026, 12, 10))
    assert (review.due, review.days_left, review.overdue) == (D(2026, 12, 15), 5, False)
    late = item(tracker, acme, "completeness_review", D(2026, 12, 16))
    assert (late.days_left, late.overdue) == (-1, True)
    assert item(tracker, acme, "completeness_review", D(2026, 12, 15)).overdue is False  # due today


def test_review_follows_the_submission_once_marked(tracker: Tracker, acme: str) -> None:
    # Submitted the day before Thanksgiving: Fri 27 is day 1, Mon 30 day 2 ... day 10 is Thu Dec 10.
    tracker.mark(acme, "application", "done", date=D(2026, 11, 25))
    assert item(tracker, acme, "completeness_review", D(2026, 11, 25)).due == D(2026, 12, 10)


def test_review_across_christmas_and_new_year(tracker: Tracker, acme: str) -> None:
    # Dec 18 + 10 business days skips Dec 25 (Fri) and Jan 1 (Fri): Jan 5, 2027.
    tracker.mark(acme, "application", "done", date=D(2026, 12, 18))
    assert item(tracker, acme, "completeness_review", D(2026, 12, 20)).due == D(2027, 1, 5)


def test_done_items_are_never_overdue(tracker: Tracker, acme: str) -> None:
    tracker.mark(acme, "completeness_review", "done", date=D(2026, 12, 20))
    review = item(tracker, acme, "completeness_review", D(2027, 3, 1))
    assert (review.status, review.overdue, review.days_left) == ("done", False, None)


def test_officer_certification_is_due_the_next_april_30(tracker: Tracker, acme: str) -> None:
    cert = item(tracker, acme, "officer_certification", D(2026, 12, 1))
    assert (cert.due, cert.days_left) == (D(2027, 4, 30), 150)
    tracker.mark(acme, "officer_certification", "done", date=D(2027, 4, 12))
    done = item(tracker, acme, "officer_certification", D(2027, 4, 20))
    assert done.next_due == D(2028, 4, 30)


def test_without_an_anchor_date_there_is_no_due_date(
    tracker: Tracker, make_record: Callable[..., dict[str, Any]]
) -> None:
    slug = tracker.add_applicant(make_record("Nodate Energy", application_date=None)).slug
    review = item(tracker, slug, "completeness_review", D(2026, 12, 1))
    assert review.due is None
    assert review.waiting_on == "waiting on application or documents.application.application_date"


def test_overdue_first_then_by_due_date(tracker: Tracker, acme: str) -> None:
    progress = views.show(tracker, acme, D(2026, 12, 20))
    assert progress.items[0].key == "completeness_review" and progress.items[0].overdue
    assert progress.items[1].key == "officer_certification"
    assert progress.overdue == 1 and progress.complete == 0


def test_report_puts_the_most_overdue_applicant_first(
    tracker: Tracker, make_record: Callable[..., dict[str, Any]]
) -> None:
    tracker.add_applicant(make_record("Zeta Power", application_date="2026-11-02"))
    tracker.add_applicant(make_record("Alpha Power", application_date="2026-12-15"))
    order = [p.slug for p in views.report(tracker, D(2026, 12, 20))]
    assert order == ["zeta-power", "alpha-power"]


def test_documents_show_under_the_requirement_they_serve(tracker: Tracker, acme: str) -> None:
    tracker.record_packet(
        slug=acme,
        legal_name="Acme Power & Light, LLC",
        documents=[{"key": "nca", "version": "1.0"}],
        packet_date="2026-12-02",
    )
    progress = views.show(tracker, acme, D(2026, 12, 3))
    with_nca = {i.key for i in progress.items if i.documents}
    assert with_nca == {"ecn_access", "nca"}


@pytest.fixture
def custom_requirements(tmp_path: Path) -> Path:
    path = tmp_path / "reqs.yaml"
    path.write_text(
        "version: test\nrequirements:\n"
        "  - key: notice\n    title: Change request filed\n"
        "    deadline: {kind: business_days, days: -11, after: {field: documents.sca.effective_date}}\n",
        encoding="utf-8",
    )
    return path


def test_deadlines_before_a_record_date(
    db_path: Path, custom_requirements: Path, make_record: Callable[..., dict[str, Any]]
) -> None:
    tracker = Tracker.open(db_path, create=True, requirements=custom_requirements)
    slug = tracker.add_applicant(make_record()).slug
    # 11 business days before Fri 2027-01-15, skipping Jan 1 (and MLK day is after): Wed 2026-12-30.
    notice = item(tracker, slug, "notice", D(2026, 12, 1))
    assert notice.due == D(2026, 12, 30)
