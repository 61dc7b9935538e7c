"""Fixtures for the tracker: applicant records built in code and a fresh database per test."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sc_docs.tracker.store import Tracker

BASE_RECORD: dict[str, Any] = {
    "applicant": {
        "legal_name": "Acme Power & Light, LLC",
        "entity_type": "power_marketer",
        "state_of_organization": "DE",
        "legal_address": {"street": ["1200 J Street"], "city": "Sacramento", "state": "CA", "zip": "95814"},
        "primary_representative": {"name": "Dana Whitfield", "email": "dana@example.com"},
        "signatory": {"name": "Margaret Chen", "title": "CEO"},
        "scids": ["ACME"],
    },
    "documents": {
        "application": {"application_date": "2026-12-01", "scid_choices": ["ACME", "ACM2", "APL1"]},
        "sca": {"effective_date": "2027-01-15"},
    },
}


@pytest.fixture
def make_record() -> Callable[..., dict[str, Any]]:
    """Return a factory of applicant records: `make_record("Name", application_date="2026-12-01")`."""

    def _make(legal_name: str = "Acme Power & Light, LLC", application_date: str | None = "2026-12-01") -> dict[str, Any]:
        data = copy.deepcopy(BASE_RECORD)
        data["applicant"]["legal_name"] = legal_name
        if application_date is None:
            del data["documents"]["application"]["application_date"]
        else:
            data["documents"]["application"]["application_date"] = application_date
        return data

    return _make


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "tracker.sqlite"


@pytest.fixture
def tracker(db_path: Path) -> Tracker:
    return Tracker.open(db_path, create=True)


@pytest.fixture
def acme(tracker: Tracker, make_record: Callable[..., dict[str, Any]]) -> str:
    """Register Acme (application date Tue 2026-12-01) and return its slug."""
    return tracker.add_applicant(make_record(), by="setup").slug
