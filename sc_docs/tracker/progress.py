"""Where each applicant stands: status, due date and days left of every requirement.

Pure functions of the requirements, the applicant's facts and its current marks, with `today`
passed in, so the same inputs always give the same answer (and tests need no clock).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sc_docs.tracker.calendar import add_business_days, next_annual
from sc_docs.tracker.records import Applicant, DocumentRecord, Event
from sc_docs.tracker.requirements import (
    AnnualDeadline,
    BusinessDaysDeadline,
    FieldAnchor,
    Requirement,
    RequirementAnchor,
    RequirementSet,
)


@dataclass(frozen=True)
class ItemProgress:
    """One requirement of one applicant, as of `today`."""

    key: str
    title: str
    party: str
    status: str
    date: dt.date | None  # when it was marked done / waived / pending
    due: dt.date | None
    days_left: int | None  # calendar days to `due`; negative when past it
    overdue: bool
    waiting_on: str | None  # why there is no due date yet
    next_due: dt.date | None  # annual requirements: the following cycle once done
    evidence_sha256: str | None
    evidence_file: str | None
    note: str | None
    documents: list[DocumentRecord] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "party": self.party,
            "status": self.status,
            "date": _iso(self.date),
            "due": _iso(self.due),
            "days_left": self.days_left,
            "overdue": self.overdue,
            "waiting_on": self.waiting_on,
            "next_due": _iso(self.next_due),
            "evidence_sha256": self.evidence_sha256,
            "evidence_file": self.evidence_file,
            "note": self.note,
            "documents": [d.to_json() for d in self.documents],
        }


@dataclass(frozen=True)
class ApplicantProgress:
    """All requirements of one applicant, overdue ones first, then by due date."""

    slug: str
    legal_name: str
    application_date: dt.date | None
    items: list[ItemProgress]

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def complete(self) -> int:
        return sum(i.status in ("done", "waived") for i in self.items)

    @property
    def overdue(self) -> int:
        return sum(i.overdue for i in self.items)

    @property
    def percent(self) -> int:
        return round(100 * self.complete / self.total) if self.total else 100

    def to_json(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "legal_name": self.legal_name,
            "application_date": _iso(self.application_date),
            "complete": self.complete,
            "total": self.total,
            "percent": self.percent,
            "overdue": self.overdue,
            "items": [i.to_json() for i in self.items],
        }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def current_layout(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Return `facts` in today's record layout (`documents.<key>`), whatever layout they were kept in.

    Rows written before the layout moved keep `agreements.<key>` and top-level form sections.
    """
    import copy

    from sc_docs.catalog.layout import upgrade_layout

    data = copy.deepcopy(dict(facts))
    upgrade_layout(data, {})
    return data


def _field_date(facts: Mapping[str, Any], path: str) -> dt.date | None:
    """Return the date at `path` of `facts` (in today's layout); an old-layout path is read as its new one."""
    from sc_docs import fieldpath
    from sc_docs.catalog.layout import upgrade_path

    try:
        parts = upgrade_path(fieldpath.parse(path))
    except ValueError:
        return None
    value: Any = facts
    for part in parts:
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def due_date(
    req: Requirement, facts: Mapping[str, Any], marks: Mapping[str, Event], calendar: str = "US"
) -> tuple[dt.date | None, str | None]:
    """Return `(due, None)`, or `(None, reason)` when no anchor of `req` has a date yet."""
    rule = req.deadline
    if not isinstance(rule, (BusinessDaysDeadline, AnnualDeadline)):
        return None, None
    start: dt.date | None = None
    for anchor in rule.after:
        if isinstance(anchor, RequirementAnchor):
            mark = marks.get(anchor.requirement)
            if mark and mark.new_status in ("done", "waived"):
                start = mark.effective_date
        elif isinstance(anchor, FieldAnchor):
            start = _field_date(facts, anchor.field)
        if start is not None:
            break
    if start is None:
        names = [a.requirement if isinstance(a, RequirementAnchor) else a.field for a in rule.after]
        return None, "waiting on " + " or ".join(names)
    if isinstance(rule, BusinessDaysDeadline):
        return add_business_days(start, rule.days, calendar), None
    return next_annual(rule.month, rule.day, start), None


def applicant_progress(
    applicant: Applicant,
    requirements: RequirementSet,
    marks: Mapping[str, Event],
    documents: list[DocumentRecord],
    today: dt.date,
) -> ApplicantProgress:
    """Return where `applicant` stands on every requirement as of `today`."""
    items: list[ItemProgress] = []
    facts = current_layout(applicant.facts)
    for req in requirements.requirements:
        mark = marks.get(req.key)
        status = mark.new_status if mark and mark.new_status else "pending"
        due, waiting = due_date(req, facts, marks, requirements.calendar)
        settled = status in ("done", "waived")
        next_due = None
        if settled and isinstance(req.deadline, AnnualDeadline) and due and mark and mark.effective_date:
            after = max(due, mark.effective_date) + dt.timedelta(days=1)
            next_due = next_annual(req.deadline.month, req.deadline.day, after)
        items.append(
            ItemProgress(
                key=req.key,
                title=req.title,
                party=req.party,
                status=status,
                date=mark.effective_date if mark else None,
                due=due,
                days_left=(due - today).days if due and not settled else None,
                overdue=bool(due and not settled and today > due),
                waiting_on=None if settled else waiting,
                next_due=next_due,
                evidence_sha256=mark.evidence_sha256 if mark else None,
                evidence_file=mark.evidence_file if mark else None,
                note=mark.note if mark else None,
                documents=[d for d in documents if d.key in req.satisfied_by.documents],
            )
        )
    order = {key: i for i, key in enumerate(requirements.keys)}
    items.sort(key=lambda i: (not i.overdue, i.status != "pending", i.due or dt.date.max, order[i.key]))
    return ApplicantProgress(applicant.slug, applicant.legal_name, applicant.application_date, items)


def sort_for_report(progress: list[ApplicantProgress]) -> list[ApplicantProgress]:
    """Most overdue applicants first, then the least complete, then by name."""
    return sorted(progress, key=lambda p: (-p.overdue, p.percent, p.legal_name.casefold(), p.slug))
