"""An applicant is its legal name's identity key: similar names never share a record."""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sc_docs.slugs import suffixed_slug
from sc_docs.errors import TrackerError
from sc_docs.tracker.store import Tracker

Make = Callable[..., dict[str, Any]]


def test_a_name_that_slugs_alike_gets_its_own_record(tracker: Tracker, make_record: Make) -> None:
    first = tracker.add_applicant(make_record("Energie Nord Power"))
    tracker.mark(first.slug, "sca", "done")
    second = tracker.add_applicant(make_record("Énergie Nord Power"))  # same slug, another company
    assert second.created and second.slug == suffixed_slug("Énergie Nord Power") != first.slug
    assert tracker.applicant(first.slug).legal_name == "Energie Nord Power"
    assert {k: e.new_status for k, e in tracker.current(first.slug).items()} == {"sca": "done"}
    assert tracker.current(second.slug) == {}
    # Again, in either order of arrival, each name finds its own record.
    assert tracker.add_applicant(make_record("Énergie Nord Power")).slug == second.slug
    assert tracker.add_applicant(make_record("Energie Nord Power")).slug == first.slug


def test_one_applicant_in_other_spellings_is_the_same_record(tracker: Tracker, make_record: Make) -> None:
    slug = tracker.add_applicant(make_record("Acme Power & Light, LLC")).slug
    nfd = unicodedata.normalize("NFD", "ACME POWER AND LIGHT LLC")
    result = tracker.add_applicant(make_record(nfd))
    assert (result.slug, result.created) == (slug, False)
    assert [a.slug for a in tracker.applicants()] == [slug]


def test_record_packet_finds_the_applicant_by_identity(tracker: Tracker, make_record: Make, db_path: Path) -> None:
    slug = tracker.add_applicant(make_record("Energie Nord Power")).slug
    doc = [{"key": "sca", "version": "1"}]
    # A packet of the accented company arrives under the plain slug (a folder name): not Energie's.
    tracker.record_packet(slug=slug, legal_name="Énergie Nord Power", documents=doc, packet_date="2026-12-01")
    assert tracker.documents(slug) == []
    other = suffixed_slug("Énergie Nord Power")
    assert [d.key for d in tracker.documents(other)] == ["sca"]
    # And one of Energie under any slug lands on Energie's record.
    tracker.record_packet(slug="whatever", legal_name="ENERGIE NORD POWER", documents=doc, packet_date="2026-12-02")
    assert [d.packet_date.isoformat() for d in tracker.documents(slug)] == ["2026-12-02"]


def test_an_explicit_slug_never_takes_another_applicant(tracker: Tracker, make_record: Make) -> None:
    slug = tracker.add_applicant(make_record("Acme Power & Light, LLC")).slug
    with pytest.raises(TrackerError, match=f"'{slug}' is another applicant"):
        tracker.add_applicant(make_record("Other Power Co"), slug=slug)
    with pytest.raises(TrackerError, match=f"already registered as '{slug}'"):
        tracker.add_applicant(make_record("Acme Power & Light, LLC"), slug="acme")


def test_migration_gives_existing_rows_their_identity(db_path: Path, make_record: Make) -> None:
    Tracker.open(db_path, create=True).add_applicant(make_record("Acme Power & Light, LLC"))
    conn = sqlite3.connect(db_path)
    try:  # turn it back into a database from before revision 0003
        conn.execute("UPDATE alembic_version SET version_num = '0002'")
        conn.execute("DROP INDEX applicants_by_identity")
        conn.execute("ALTER TABLE applicants DROP COLUMN identity")
        conn.commit()
    finally:
        conn.close()
    tracker = Tracker.open(db_path)  # migrates 0002 -> head
    assert tracker.add_applicant(make_record("ACME POWER AND LIGHT LLC")).created is False
