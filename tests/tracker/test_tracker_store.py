"""Registering, marking, history and recorded packets against a real SQLite file."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sc_docs.errors import TrackerError, UnknownApplicantError, UnknownRequirementError
from sc_docs.tracker.store import Tracker, record_packet

D = __import__("datetime").date


def test_registering_twice_changes_nothing(tracker: Tracker, make_record: Callable[..., dict[str, Any]]) -> None:
    first = tracker.add_applicant(make_record(), by="ann")
    again = tracker.add_applicant(make_record(), by="ann")
    assert (first.slug, first.created) == ("acme-power-and-light-llc", True)
    assert (again.created, again.changed) == (False, [])
    assert [a.slug for a in tracker.applicants()] == ["acme-power-and-light-llc"]
    assert [e.action for e in tracker.history(first.slug)] == ["register"]
    applicant = tracker.applicant(first.slug)
    assert applicant.application_date == D(2026, 12, 1)
    assert applicant.facts["applicant"]["scids"] == ["ACME"]


def test_changed_facts_are_updated_with_a_trace(tracker: Tracker, make_record: Callable[..., dict[str, Any]]) -> None:
    slug = tracker.add_applicant(make_record()).slug
    changed = make_record(application_date="2026-12-03")
    result = tracker.add_applicant(changed, by="bob")
    assert result.changed == ["documents.application.application_date"]
    assert tracker.applicant(slug).application_date == D(2026, 12, 3)
    update = tracker.history(slug)[-1]
    assert (update.action, update.actor) == ("update", "bob")
    assert update.detail == {"changed": {"documents.application.application_date": ["2026-12-01", "2026-12-03"]}}


def test_a_record_without_legal_name_is_refused(tracker: Tracker) -> None:
    with pytest.raises(TrackerError, match="applicant.legal_name: missing"):
        tracker.add_applicant({"applicant": {}})


def test_bad_application_date_is_refused(tracker: Tracker, make_record: Callable[..., dict[str, Any]]) -> None:
    with pytest.raises(TrackerError, match="documents.application.application_date: not a date"):
        tracker.add_applicant(make_record(application_date="2026-13-01"))


def test_marks_form_a_chain_and_current_status_follows(tracker: Tracker, acme: str, tmp_path: Path) -> None:
    evidence = tmp_path / "receipt.pdf"
    evidence.write_bytes(b"%PDF-1.4 fee receipt")
    first = tracker.mark(acme, "application", "done", date=D(2026, 12, 1), evidence=evidence, note="wired", by="ann")
    assert (first.old_status, first.new_status, first.actor) == ("pending", "done", "ann")
    assert first.evidence_sha256 == hashlib.sha256(evidence.read_bytes()).hexdigest()
    assert first.evidence_file == str(evidence.resolve())
    second = tracker.mark(acme, "application", "pending", note="fee bounced", by="bob")
    assert (second.old_status, second.new_status) == ("done", "pending")
    tracker.mark(acme, "sca", "waived", date=D(2026, 12, 2))
    current = tracker.current(acme)
    assert {k: e.new_status for k, e in current.items()} == {"application": "pending", "sca": "waived"}
    marks = [e for e in tracker.history(acme) if e.action == "mark"]
    assert [(e.requirement, e.old_status, e.new_status) for e in marks] == [
        ("application", "pending", "done"),
        ("application", "done", "pending"),
        ("sca", "pending", "waived"),
    ]
    assert all(e.requirements_version == tracker.requirements.version for e in marks)


def test_mark_defaults_actor_to_user(tracker: Tracker, acme: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USER", "carol")
    assert tracker.mark(acme, "uaa", "done").actor == "carol"


def test_unknown_names_suggest_the_near_miss(tracker: Tracker, acme: str) -> None:
    with pytest.raises(UnknownApplicantError) as info:
        tracker.mark("acme-power", "sca", "done")
    assert str(info.value) == "no applicant 'acme-power' in the tracker. Did you mean 'acme-power-and-light-llc'?"
    with pytest.raises(UnknownRequirementError) as info2:
        tracker.mark(acme, "sac", "done")
    assert str(info2.value) == "no requirement 'sac'. Did you mean 'sca'?"
    with pytest.raises(TrackerError, match="status must be one of done, waived, pending"):
        tracker.mark(acme, "sca", "finished")
    assert [e.action for e in tracker.history(acme)] == ["register"]


def test_history_cannot_be_edited_or_deleted(tracker: Tracker, acme: str, db_path: Path) -> None:
    tracker.mark(acme, "sca", "done")
    conn = sqlite3.connect(db_path)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("UPDATE events SET new_status = 'waived'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("DELETE FROM events")
        with pytest.raises(sqlite3.DatabaseError, match="never deleted"):
            conn.execute("DELETE FROM applicants")
    finally:
        conn.close()
    assert len(tracker.history(acme)) == 2


def doc(key: str, version: str, **extra: str) -> dict[str, str]:
    return {
        "key": key,
        "title": key.upper(),
        "version": version,
        "template_sha256": "t" * 64,
        "sha256": "s" * 64,
        "file": f"{key}.docx",
        **extra,
    }


def test_record_packet_registers_and_keeps_every_packet(db_path: Path) -> None:
    event_id = record_packet(
        db_path,
        slug="acme",
        legal_name="Acme Power & Light, LLC",
        documents=[doc("sca", "2013-06-12"), doc("nca", "1.0")],
        packet_date="2026-12-01",
        by="packet",
    )
    record_packet(db_path, slug="acme", legal_name="Acme Power & Light, LLC", documents=[doc("sca", "2024-01-01")], packet_date=D(2026, 12, 9))
    tracker = Tracker.open(db_path)
    assert [a.slug for a in tracker.applicants()] == ["acme"]
    history = tracker.history("acme")
    assert [e.action for e in history] == ["register", "packet", "packet"]
    assert history[1].id == event_id and "sca 2013-06-12" in (history[1].note or "")
    latest = {d.key: d.version for d in tracker.documents("acme")}
    assert latest == {"nca": "1.0", "sca": "2024-01-01"}
    assert len(tracker.documents("acme", latest=False)) == 3


def test_record_packet_refuses_a_document_without_key(db_path: Path) -> None:
    with pytest.raises(TrackerError, match=r"documents\[0\].key: missing"):
        record_packet(db_path, slug="a", legal_name="A", documents=[{"title": "x"}], packet_date="2026-12-01")
    assert Tracker.open(db_path).applicants() == []  # nothing half-written


def test_a_row_kept_in_the_old_layout_still_gives_deadlines_and_no_spurious_changes(
    tracker: Tracker, make_record: Callable[..., dict[str, Any]]
) -> None:
    import datetime as dt

    from sc_docs.tracker import views

    old = make_record()
    old["application"] = old.pop("documents")["application"]  # as sheets were written before
    old["agreements"] = {"sca": {"effective_date": "2027-01-15"}}
    slug = tracker.add_applicant(old).slug
    items = {i.key: i for i in views.show(tracker, slug, dt.date(2026, 12, 2)).items}
    assert items["completeness_review"].due is not None
    assert tracker.add_applicant(make_record()).changed == []  # the same facts, in today's layout
