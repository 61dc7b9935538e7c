"""Opening the tracker's SQLite file safely: checks, WAL, busy timeouts, migrations, error mapping.

Every write runs in a `BEGIN IMMEDIATE` transaction, so a read-modify-write (read the current
status, append the change) holds the write lock from its first read and two processes marking at
once queue up instead of losing a row. WAL lets readers go on while one writer works.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from sc_docs.errors import DatabaseLockedError, DatabaseUnreadableError, TrackerError
from sc_docs.tracker.migrations import HEAD_REVISION, SCRIPT_LOCATION

ENV_DB: Final = "SC_DOCS_DB"
ENV_TIMEOUT: Final = "SC_DOCS_DB_TIMEOUT"
DEFAULT_DB: Final = "sc-docs.sqlite"
DEFAULT_TIMEOUT: Final = 30.0
_SQLITE_MAGIC: Final = b"SQLite format 3\x00"


def resolve_db_path(db: str | os.PathLike[str] | None = None) -> Path:
    """Return `db`, else `$SC_DOCS_DB`, else `./sc-docs.sqlite`."""
    return Path(db if db else os.environ.get(ENV_DB) or DEFAULT_DB)


def _default_timeout() -> float:
    raw = os.environ.get(ENV_TIMEOUT)
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        return max(0.0, float(raw))
    except ValueError as exc:
        raise TrackerError(f"${ENV_TIMEOUT}: not a number of seconds: {raw!r}") from exc


def check_file(path: Path, *, create: bool) -> None:
    """Refuse, before SQLite touches it, a path that is not (and cannot become) a tracker file."""
    if path.is_dir():
        raise DatabaseUnreadableError("is a directory, not a tracker database", file=str(path))
    if not path.exists():
        if not create:
            raise TrackerError(
                "no tracker database here yet; register an applicant with `sc-docs track add` first",
                file=str(path),
            )
        if not path.parent.is_dir():
            raise TrackerError(f"folder {path.parent} does not exist", file=str(path))
        return
    if not path.is_file():  # a device or FIFO: SQLite would write a journal beside it
        raise DatabaseUnreadableError("is not a regular file, so not a tracker database (left untouched)", file=str(path))
    try:
        with path.open("rb") as fh:
            head = fh.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise DatabaseUnreadableError(f"cannot read: {exc.strerror or exc}", file=str(path)) from exc
    if head and head != _SQLITE_MAGIC:  # an empty file is a new, empty database to SQLite
        raise DatabaseUnreadableError("not a SQLite database (left untouched)", file=str(path))


class Database:
    """One tracker file. Cheap to create; connections are opened per transaction (no pool)."""

    def __init__(self, path: Path, *, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self.engine = sa.create_engine(
            f"sqlite:///{path}", poolclass=NullPool, connect_args={"timeout": timeout}
        )
        sa.event.listen(self.engine, "connect", self._on_connect)
        sa.event.listen(self.engine, "begin", self._on_begin)

    def _on_connect(self, dbapi_conn: sqlite3.Connection, _record: object) -> None:
        # Take transactions out of the sqlite3 module's hands; `_on_begin` issues BEGIN itself.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            cur.execute("PRAGMA foreign_keys = ON")
        finally:
            cur.close()

    @staticmethod
    def _on_begin(conn: sa.Connection) -> None:
        mode = conn.get_execution_options().get("sc_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """Yield a connection inside a write-locked transaction; commit on success."""
        with self._errors(), self.engine.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """Yield a connection inside a read transaction (one consistent snapshot)."""
        with self._errors(), self.engine.connect() as conn:
            conn = conn.execution_options(sc_begin="DEFERRED")
            with conn.begin():
                yield conn

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sa.exc.OperationalError as exc:
            text = str(exc.orig).lower()
            if "locked" in text or "busy" in text:
                raise self._locked_error() from exc
            if "unable to open" in text or "readonly" in text:
                raise TrackerError(f"cannot open the database: {exc.orig}", file=str(self.path)) from exc
            raise DatabaseUnreadableError(f"database error: {exc.orig}", file=str(self.path)) from exc
        except sa.exc.DatabaseError as exc:
            raise DatabaseUnreadableError(
                f"corrupt or not a tracker database: {exc.orig}", file=str(self.path)
            ) from exc

    def revision(self) -> str | None:
        """Return the schema revision recorded in the file, `None` for an empty database.

        Looks with a bare sqlite3 connection (no WAL switch, no writes), so a SQLite file that
        belongs to something else is refused exactly as it was found.
        """
        if not self.path.exists() or self.path.stat().st_size == 0:
            return None
        try:
            conn = sqlite3.connect(self.path, timeout=self.timeout)
        except sqlite3.Error as exc:
            raise TrackerError(f"cannot open the database: {exc}", file=str(self.path)) from exc
        try:
            tables = {
                row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            if "alembic_version" not in tables:
                if {t for t in tables if not t.startswith("sqlite_")}:
                    raise DatabaseUnreadableError(
                        "a SQLite database, but not an sc-docs tracker (it has other tables; left untouched)",
                        file=str(self.path),
                    )
                return None
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            return row[0] if row else None
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc).lower():
                raise self._locked_error() from exc
            raise DatabaseUnreadableError(f"database error: {exc}", file=str(self.path)) from exc
        except sqlite3.DatabaseError as exc:
            raise DatabaseUnreadableError(
                f"corrupt or not a tracker database: {exc}", file=str(self.path)
            ) from exc
        finally:
            conn.close()

    def ensure_wal(self) -> None:
        """Switch the file to WAL (a lasting property of the file), retrying while others hold it.

        Done once per open outside any transaction: SQLite may answer a concurrent journal-mode
        change with SQLITE_BUSY at once, without waiting on the busy timeout.
        """
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
                try:
                    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
                    if str(mode).lower() != "wal":
                        conn.execute("PRAGMA journal_mode = WAL")
                    return
                finally:
                    conn.close()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc).lower() and "busy" not in str(exc).lower():
                    raise DatabaseUnreadableError(f"database error: {exc}", file=str(self.path)) from exc
                if time.monotonic() >= deadline:
                    raise self._locked_error() from exc
                time.sleep(0.02)
            except sqlite3.DatabaseError as exc:
                raise DatabaseUnreadableError(
                    f"corrupt or not a tracker database: {exc}", file=str(self.path)
                ) from exc

    def _locked_error(self) -> DatabaseLockedError:
        return DatabaseLockedError(
            f"database is locked by another process (waited {self.timeout:g} s); "
            f"try again, or raise ${ENV_TIMEOUT}",
            file=str(self.path),
        )

    def migrate(self, revision: str = "head") -> None:
        """Upgrade the schema to `revision` under the write lock (a no-op when already there)."""
        from alembic import command
        from alembic.config import Config
        from alembic.script import ScriptDirectory
        from alembic.util import CommandError

        config = Config()
        config.set_main_option("script_location", str(SCRIPT_LOCATION))
        current = self.revision()
        known = {s.revision for s in ScriptDirectory.from_config(config).walk_revisions()}
        if current is not None and current not in known:
            raise DatabaseUnreadableError(
                f"made by a newer sc-docs (schema revision {current}); upgrade sc-docs to use it",
                file=str(self.path),
            )
        try:
            with self.write() as conn:
                config.attributes["connection"] = conn
                command.upgrade(config, revision)
        except CommandError as exc:
            raise TrackerError(f"cannot migrate the database: {exc}", file=str(self.path)) from exc
        except DatabaseUnreadableError as exc:
            # One transaction holds every step, so a failed step leaves the file as it was.
            raise TrackerError(
                f"schema migration failed and was rolled back, the database is unchanged: {exc.message}",
                file=str(self.path),
            ) from exc


def open_database(
    db: str | os.PathLike[str] | None = None, *, create: bool = False, timeout: float | None = None
) -> Database:
    """Open (and with `create`, make) the tracker file at `db`, migrated to the newest schema.

    Raises `DatabaseUnreadableError` for a file that is not a tracker database (untouched),
    `DatabaseLockedError` when another process holds it past `timeout` seconds.
    """
    path = resolve_db_path(db)
    check_file(path, create=create)
    database = Database(path, timeout=_default_timeout() if timeout is None else timeout)
    revision = database.revision()  # refuses foreign or corrupt files before anything is written
    database.ensure_wal()
    if revision != HEAD_REVISION:
        database.migrate()
    return database
