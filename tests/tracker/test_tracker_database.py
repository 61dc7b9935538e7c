"""The database file: WAL, refusal of foreign or corrupt files, locks, and schema migrations."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sc_docs.tracker.database import Database, open_database, resolve_db_path
from sc_docs.errors import DatabaseLockedError, DatabaseUnreadableError, TrackerError
from sc_docs.tracker.migrations import HEAD_REVISION, SCRIPT_LOCATION
from sc_docs.tracker.store import Tracker


def test_head_revision_constant_matches_the_scripts() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    assert ScriptDirectory.from_config(config).get_heads() == [HEAD_REVISION]


def test_new_database_uses_wal(db_path: Path) -> None:
    open_database(db_path, create=True)
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD_REVISION,)
    finally:
        conn.close()


def test_db_path_from_option_env_or_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SC_DOCS_DB", raising=False)
    assert resolve_db_path(None) == Path("sc-docs.sqlite")
    monkeypatch.setenv("SC_DOCS_DB", str(tmp_path / "env.sqlite"))
    assert resolve_db_path(None) == tmp_path / "env.sqlite"
    assert resolve_db_path(tmp_path / "opt.sqlite") == tmp_path / "opt.sqlite"


def test_missing_database_is_not_created_for_reading(db_path: Path) -> None:
    with pytest.raises(TrackerError, match="no tracker database here yet"):
        Tracker.open(db_path)
    assert not db_path.exists()


@pytest.mark.parametrize(
    "content",
    [b"this is a spreadsheet, honest\n" * 10, b"PK\x03\x04" + bytes(200)],
    ids=["text", "zip"],
)
def test_a_file_that_is_not_sqlite_is_left_untouched(db_path: Path, content: bytes) -> None:
    db_path.write_bytes(content)
    with pytest.raises(DatabaseUnreadableError, match="not a SQLite database") as info:
        Tracker.open(db_path, create=True)
    assert info.value.exit_code == 2
    assert db_path.read_bytes() == content
    assert sorted(p.name for p in db_path.parent.iterdir()) == [db_path.name]


def test_someone_elses_sqlite_file_is_refused(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(DatabaseUnreadableError, match="not an sc-docs tracker"):
        Tracker.open(db_path, create=True)
    assert db_path.read_bytes() == before


def test_a_truncated_database_is_a_clear_error(tracker: Tracker, acme: str, db_path: Path) -> None:
    tracker.mark(acme, "sca", "done")
    data = db_path.read_bytes()
    db_path.write_bytes(data[:100] + b"\xff" * (len(data) - 100))  # keep the header, ruin the pages
    with pytest.raises(DatabaseUnreadableError):
        Tracker.open(db_path).history(acme)


def test_database_from_a_newer_sc_docs_is_refused(tracker: Tracker, db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseUnreadableError, match="newer sc-docs"):
        Tracker.open(db_path)


def test_a_locked_database_fails_clearly_and_loses_nothing(tracker: Tracker, acme: str, db_path: Path) -> None:
    tracker.mark(acme, "uaa", "done")
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        impatient = Tracker(Database(db_path, timeout=0.05), tracker.requirements)
        with pytest.raises(DatabaseLockedError, match="locked by another process") as info:
            impatient.mark(acme, "sca", "done")
        assert "SC_DOCS_DB_TIMEOUT" in str(info.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    after = tracker.history(acme)
    assert [(e.action, e.requirement) for e in after] == [("register", None), ("mark", "uaa")]
    tracker.mark(acme, "sca", "done")
    assert len(tracker.history(acme)) == 3


def test_a_database_from_the_first_schema_is_migrated_and_keeps_its_rows(
    db_path: Path, make_record: Callable[..., dict[str, Any]]
) -> None:
    Database(db_path, timeout=5).migrate("0001")
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "documents" not in tables and "current_status" not in tables
        conn.execute(
            "INSERT INTO applicants (id, slug, legal_name, application_date, facts, created_at, updated_at) "
            "VALUES (1, 'old-timer', 'Old Timer Power', '2026-12-01', '{}', 't0', 't0')"
        )
        conn.executemany(
            "INSERT INTO events (applicant_id, action, requirement, old_status, new_status, effective_date,"
            " actor, recorded_at) VALUES (1, ?, ?, ?, ?, ?, 'legacy', 't')",
            [
                ("register", None, None, None, None),
                ("mark", "application", "pending", "done", "2026-12-01"),
                ("mark", "sca", "pending", "done", "2026-12-02"),
                ("mark", "sca", "done", "waived", "2026-12-03"),
            ],
        )
        conn.commit()
    finally:
        conn.close()

    tracker = Tracker.open(db_path)
    assert tracker.db.revision() == HEAD_REVISION
    history = tracker.history("old-timer")
    assert [(e.action, e.requirement, e.new_status) for e in history] == [
        ("register", None, None),
        ("mark", "application", "done"),
        ("mark", "sca", "done"),
        ("mark", "sca", "waived"),
    ]
    assert {k: e.new_status for k, e in tracker.current("old-timer").items()} == {"application": "done", "sca": "waived"}
    # The new schema works on the old rows: documents can be recorded and new marks chain on.
    tracker.record_packet(slug="old-timer", legal_name="Old Timer Power", documents=[{"key": "sca", "version": "1"}], packet_date="2026-12-04")
    assert tracker.mark("old-timer", "sca", "done").old_status == "waived"
    assert [d.key for d in tracker.documents("old-timer")] == ["sca"]


BROKEN_MIGRATION = '''
from alembic import op
import sqlalchemy as sa

revision = "0099"
down_revision = HEAD
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("scratch", sa.Column("id", sa.Integer, primary_key=True))
    op.execute("INSERT INTO scratch (id) VALUES (1)")
    op.execute("CREATE TABLE applicants (id INTEGER)")  # fails: the table exists


def downgrade() -> None:
    pass
'''


def test_a_failing_migration_is_rolled_back_whole(
    tracker: Tracker, acme: str, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from sc_docs.tracker import database

    scripts = tmp_path / "migrations"
    shutil.copytree(SCRIPT_LOCATION, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    broken = BROKEN_MIGRATION.replace("HEAD", repr(HEAD_REVISION))
    (scripts / "versions" / "0099_broken.py").write_text(broken, encoding="utf-8")
    monkeypatch.setattr(database, "SCRIPT_LOCATION", scripts)
    monkeypatch.setattr(database, "HEAD_REVISION", "0099")

    with pytest.raises(TrackerError, match="rolled back, the database is unchanged"):
        Tracker.open(db_path)
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD_REVISION,)
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "scratch" not in names
    finally:
        conn.close()
    monkeypatch.undo()
    assert [e.action for e in Tracker.open(db_path).history(acme)] == ["register"]
