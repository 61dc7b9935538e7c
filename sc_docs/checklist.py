"""The Master Checklist's input: every certification requirement, with its status when tracked.

A catalog entry that lists `checklist` in its `inputs` reads `checklist.requirements` (one item
per requirement of `pro_forma/requirements.yaml`: title, party, status, date, due, the documents
that satisfy it) plus `checklist.version` and `checklist.tracked`. Without a tracker database
every requirement is pending and due dates come from the record's own dates; with one, the
tracker's marks decide status and the dates anchored on them.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from typing import Any

from sc_docs.catalog import Catalog, load_catalog


def checklist_input(
    record: Mapping[str, Any],
    *,
    slug: str,
    db: str | os.PathLike[str] | None = None,
    catalog: Catalog | None = None,
) -> dict[str, Any]:
    """Return the `checklist` context for `record` (and the tracker at `db`, if given)."""
    from sc_docs.errors import ScDocsError
    from sc_docs.tracker import load_requirements
    from sc_docs.tracker.progress import due_date

    catalog = catalog or load_catalog()
    requirements = load_requirements()
    marks: Mapping[str, Any] = {}
    if db is not None:
        from sc_docs.tracker import Tracker  # SQLAlchemy only when there is a database

        try:
            marks = Tracker.open(db).current(slug)
        except ScDocsError:
            marks = {}  # no database yet, or the applicant is not registered: nothing is marked
    items = []
    for req in requirements.requirements:
        mark = marks.get(req.key)
        status = mark.new_status if mark is not None and mark.new_status else "pending"
        due, waiting = due_date(req, record, marks, requirements.calendar)
        titles = [catalog.get(k).meta.title if k in catalog else k for k in req.satisfied_by.documents]
        items.append({
            "key": req.key,
            "title": req.title,
            "party": req.party,
            "status": status,
            "date": _iso(mark.effective_date if mark is not None else None),
            "due": None if status in ("done", "waived") else _iso(due),
            "waiting_on": None if status in ("done", "waived") or due else waiting,
            "documents": ", ".join(titles),
        })
    return {"requirements": items, "version": requirements.version, "tracked": db is not None}


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
