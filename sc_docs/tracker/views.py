"""Assemble progress for one applicant or all of them from the tracker's rows."""

from __future__ import annotations

import datetime as dt

from sc_docs.tracker.progress import ApplicantProgress, applicant_progress, sort_for_report
from sc_docs.tracker.store import Tracker
from sc_docs.tracker.templates import StaleDocument, current_versions, stale_documents


def show(tracker: Tracker, slug: str, today: dt.date) -> ApplicantProgress:
    """Return where applicant `slug` stands as of `today`."""
    applicant = tracker.applicant(slug)
    return applicant_progress(
        applicant, tracker.requirements, tracker.current(slug), tracker.documents(slug), today
    )


def report(tracker: Tracker, today: dt.date) -> list[ApplicantProgress]:
    """Return every applicant's progress, most overdue first."""
    documents = tracker.documents()
    out = []
    for applicant in tracker.applicants():
        mine = [d for d in documents if d.slug == applicant.slug]
        out.append(
            applicant_progress(
                applicant, tracker.requirements, tracker.current(applicant.slug), mine, today
            )
        )
    return sort_for_report(out)


def stale_templates(tracker: Tracker, current: dict[str, str] | None = None) -> list[StaleDocument]:
    """Return each applicant's newest document per key that was made from an outdated template."""
    return stale_documents(tracker.documents(latest=True), current_versions() if current is None else current)
