"""The tracker's operations: register applicants, mark requirements, record packets, read history.

Every change appends a row to `events` in the same transaction as any other write, and the
current status of a requirement is read back from that history (the `current_status` view), so
the two can never disagree.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from sc_docs.slugs import choose_slug, identity_key
from sc_docs.tracker import schema as t
from sc_docs.tracker.database import Database, open_database
from sc_docs.tracker.progress import current_layout
from sc_docs.errors import TrackerError, UnknownApplicantError, UnknownRequirementError
from sc_docs.tracker.records import (
    STATUSES,
    AddResult,
    Applicant,
    DocumentRecord,
    Event,
    dumps,
    parse_iso,
)
from sc_docs.tracker.requirements import RequirementSet, load_requirements


def actor(by: str | None = None) -> str:
    """Return who is making a change: `by`, else `$USER`, else the login name."""
    if by and by.strip():
        return by.strip()
    env = os.environ.get("USER") or os.environ.get("USERNAME")
    if env:
        return env
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


MAX_EVIDENCE = 1 << 30  # 1 GiB: a scanned certificate is megabytes; beyond this it is a mistake


def file_sha256(path: Path, limit: int = MAX_EVIDENCE) -> str:
    """Return the SHA-256 of the regular file at `path`, read in chunks, at most `limit` bytes.

    A device, FIFO or folder is refused before reading: `/dev/zero` would never end.
    """
    import stat

    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise TrackerError("evidence must be a regular file (not a device, pipe or folder)", file=str(path))
            if info.st_size > limit:
                raise TrackerError(f"evidence is larger than {limit >> 20} MB", file=str(path))
            read = 0
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                read += len(chunk)
                if read > limit:  # grew while being read
                    raise TrackerError(f"evidence is larger than {limit >> 20} MB", file=str(path))
                digest.update(chunk)
    except OSError as exc:
        raise TrackerError(f"cannot read evidence: {exc.strerror or exc}", file=str(path)) from exc
    return digest.hexdigest()


def _as_date(value: object, what: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise TrackerError(f"{what}: not a date (YYYY-MM-DD): {value!r}") from exc


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, Mapping) and data:
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: data}


class Tracker:
    """The certification tracker over one database file and one requirements file."""

    def __init__(self, database: Database, requirements: RequirementSet) -> None:
        self.db = database
        self.requirements = requirements

    @classmethod
    def open(
        cls,
        db: str | os.PathLike[str] | None = None,
        *,
        create: bool = False,
        requirements: RequirementSet | str | os.PathLike[str] | None = None,
        timeout: float | None = None,
    ) -> Tracker:
        """Open the tracker at `db` (see `resolve_db_path`); `create` makes a missing file."""
        reqs = requirements if isinstance(requirements, RequirementSet) else load_requirements(requirements)
        return cls(open_database(db, create=create, timeout=timeout), reqs)

    # -- applicants ---------------------------------------------------------------------------

    def add_applicant(
        self, data: Mapping[str, Any], *, slug: str | None = None, by: str | None = None
    ) -> AddResult:
        """Register the applicant of record `data`; again with the same facts, change nothing.

        Changed facts update the applicant row and append an `update` event listing each
        changed field with its old and new value.
        """
        section = data.get("applicant") if isinstance(data, Mapping) else None
        legal_name = section.get("legal_name") if isinstance(section, Mapping) else None
        if not isinstance(legal_name, str) or not legal_name.strip():
            raise TrackerError("applicant.legal_name: missing; cannot register the applicant")
        from sc_docs.catalog import section_field

        found = section_field(data, "application_date")
        app_date = _as_date(found[1] if found else None, ".".join(found[0]) if found else "application_date")
        from sc_docs.catalog.sensitive import redact

        facts_json = dumps(redact(dict(data)))  # bank numbers are kept masked
        facts = json.loads(facts_json)
        now, who = _now(), actor(by)
        with self.db.write() as conn:
            row = self._find(conn, legal_name, slug)
            if row is None:
                slug = slug or self._free_slug(conn, legal_name)
                self._register(conn, slug, legal_name, app_date, facts_json, who, now, f"registered {legal_name}")
                return AddResult(slug, created=True)
            slug = row.slug
            old = _flatten(current_layout(json.loads(row.facts)))  # a row from before the layout moved
            new = _flatten(facts)
            changed = {
                key: [old.get(key), new.get(key)]
                for key in sorted(set(old) | set(new))
                if old.get(key) != new.get(key)
            }
            if not changed:
                return AddResult(slug, created=False)
            conn.execute(
                t.applicants.update()
                .where(t.applicants.c.id == row.id)
                .values(
                    legal_name=legal_name,
                    identity=identity_key(legal_name),
                    application_date=app_date.isoformat() if app_date else None,
                    facts=facts_json,
                    updated_at=now,
                )
            )
            self._event(
                conn,
                row.id,
                "update",
                who,
                now,
                note="changed " + ", ".join(changed),
                detail={"changed": changed},
            )
            return AddResult(slug, created=False, changed=list(changed))

    def applicants(self) -> list[Applicant]:
        """Return every registered applicant, by slug."""
        with self.db.read() as conn:
            rows = conn.execute(sa.select(t.applicants).order_by(t.applicants.c.slug)).all()
        return [self._applicant(r) for r in rows]

    def applicant(self, slug: str) -> Applicant:
        """Return the applicant `slug`, or raise `UnknownApplicantError` with a suggestion."""
        with self.db.read() as conn:
            return self._applicant(self._applicant_row(conn, slug))

    # -- requirements -------------------------------------------------------------------------

    def mark(
        self,
        slug: str,
        requirement: str,
        status: str,
        *,
        date: dt.date | None = None,
        evidence: str | os.PathLike[str] | None = None,
        note: str | None = None,
        by: str | None = None,
    ) -> Event:
        """Set `requirement` of `slug` to `status` as of `date` (default today); return the event."""
        if requirement not in self.requirements.by_key:
            raise UnknownRequirementError(requirement, self.requirements.keys)
        if status not in STATUSES:
            raise TrackerError(f"status must be one of {', '.join(STATUSES)}, not '{status}'")
        evidence_path = Path(evidence).resolve() if evidence is not None else None
        digest = file_sha256(evidence_path) if evidence_path is not None else None
        when = date or dt.date.today()
        now, who = _now(), actor(by)
        with self.db.write() as conn:
            row = self._applicant_row(conn, slug)
            previous = conn.execute(
                sa.select(t.current_status.c.new_status).where(
                    t.current_status.c.applicant_id == row.id,
                    t.current_status.c.requirement == requirement,
                )
            ).scalar()
            event_id = self._event(
                conn,
                row.id,
                "mark",
                who,
                now,
                requirement=requirement,
                old_status=previous or "pending",
                new_status=status,
                effective_date=when.isoformat(),
                note=note,
                evidence_file=str(evidence_path) if evidence_path else None,
                evidence_sha256=digest,
            )
            ev = conn.execute(sa.select(t.events).where(t.events.c.id == event_id)).one()
        return self._event_record(ev, slug)

    def current(self, slug: str) -> dict[str, Event]:
        """Return the latest mark of each requirement of `slug` (unmarked ones are absent)."""
        with self.db.read() as conn:
            row = self._applicant_row(conn, slug)
            rows = conn.execute(
                sa.select(t.current_status).where(t.current_status.c.applicant_id == row.id)
            ).all()
        return {r.requirement: self._event_record(r, slug) for r in rows}

    def history(self, slug: str) -> list[Event]:
        """Return every event of `slug`, oldest first."""
        with self.db.read() as conn:
            row = self._applicant_row(conn, slug)
            rows = conn.execute(
                sa.select(t.events).where(t.events.c.applicant_id == row.id).order_by(t.events.c.id)
            ).all()
        return [self._event_record(r, slug) for r in rows]

    def _register(
        self, conn: Any, slug: str, legal_name: str, app_date: dt.date | None, facts_json: str,
        who: str, now: str, note: str,
    ) -> int:
        """Insert a new applicant row and its `register` event; return the applicant's id."""
        applicant_id = conn.execute(
            t.applicants.insert().values(
                slug=slug,
                legal_name=legal_name,
                identity=identity_key(legal_name),
                application_date=app_date.isoformat() if app_date else None,
                facts=facts_json,
                created_at=now,
                updated_at=now,
            )
        ).inserted_primary_key[0]
        self._event(conn, applicant_id, "register", who, now, note=note)
        return int(applicant_id)

    # -- documents ----------------------------------------------------------------------------

    def record_packet(
        self,
        *,
        slug: str,
        legal_name: str,
        documents: Iterable[Mapping[str, Any]],
        packet_date: dt.date | str,
        by: str | None = None,
    ) -> int:
        """Record the documents of one generated packet; register the applicant if new.

        Returns the id of the `packet` history event the document rows point to.
        """
        day = _as_date(packet_date, "packet_date")
        if day is None:
            raise TrackerError("packet_date: missing")
        docs = [dict(d) for d in documents]
        for i, doc in enumerate(docs):
            if not isinstance(doc.get("key"), str) or not doc["key"]:
                raise TrackerError(f"documents[{i}].key: missing")
        now, who = _now(), actor(by)
        with self.db.write() as conn:
            row = self._by_identity(conn, identity_key(legal_name))
            if row is None:
                facts_json = dumps({"applicant": {"legal_name": legal_name}})
                note = f"registered {legal_name} from a packet"
                slug = slug if self._slug_owner(conn, slug) is None else self._free_slug(conn, legal_name)
                applicant_id = self._register(conn, slug, legal_name, None, facts_json, who, now, note)
            else:
                applicant_id = row.id
            keys = ", ".join(f"{d['key']} {d.get('version') or '?'}" for d in docs)
            event_id = self._event(
                conn,
                applicant_id,
                "packet",
                who,
                now,
                effective_date=day.isoformat(),
                note=f"packet of {len(docs)} document(s): {keys}",
            )
            for doc in docs:
                conn.execute(
                    t.documents.insert().values(
                        applicant_id=applicant_id,
                        event_id=event_id,
                        packet_date=day.isoformat(),
                        key=doc["key"],
                        title=doc.get("title"),
                        version=None if doc.get("version") is None else str(doc["version"]),
                        template_sha256=doc.get("template_sha256"),
                        sha256=doc.get("sha256"),
                        file=None if doc.get("file") is None else str(doc["file"]),
                    )
                )
        return event_id

    def documents(self, slug: str | None = None, *, latest: bool = True) -> list[DocumentRecord]:
        """Return recorded documents (of `slug`, or everyone's); with `latest`, only the newest per key."""
        d, a = t.documents, t.applicants
        query = sa.select(d, a.c.slug, a.c.legal_name).join(a, a.c.id == d.c.applicant_id)
        if latest:
            newest = (
                sa.select(sa.func.max(d.c.id)).group_by(d.c.applicant_id, d.c.key).scalar_subquery()
            )
            query = query.where(d.c.id.in_(newest))
        with self.db.read() as conn:
            if slug is not None:
                query = query.where(a.c.id == self._applicant_row(conn, slug).id)
            rows = conn.execute(query.order_by(a.c.slug, d.c.key, d.c.id)).all()
        return [
            DocumentRecord(
                slug=r.slug,
                legal_name=r.legal_name,
                key=r.key,
                title=r.title,
                version=r.version,
                template_sha256=r.template_sha256,
                sha256=r.sha256,
                file=r.file,
                packet_date=dt.date.fromisoformat(r.packet_date),
                event_id=r.event_id,
            )
            for r in rows
        ]

    # -- internals ----------------------------------------------------------------------------

    def _find(self, conn: sa.Connection, legal_name: str, slug: str | None) -> sa.Row[Any] | None:
        """Return the row of applicant `legal_name` (None: new); with `slug`, it must be that one.

        An applicant is found by its identity key, never by a slug two names can share.
        """
        key = identity_key(legal_name)
        row = self._by_identity(conn, key)
        if slug is None:
            return row
        if row is not None and row.slug != slug:
            raise TrackerError(f"{legal_name} is already registered as '{row.slug}'")
        owner = self._slug_owner(conn, slug)
        if row is None and owner is not None:
            raise TrackerError(f"'{slug}' is another applicant ({owner}); choose another --slug")
        return row

    @staticmethod
    def _by_identity(conn: sa.Connection, key: str) -> sa.Row[Any] | None:
        a = t.applicants
        return conn.execute(sa.select(a).where(a.c.identity == key).order_by(a.c.id).limit(1)).first()

    @staticmethod
    def _slug_owner(conn: sa.Connection, slug: str) -> str | None:
        """Return the legal name registered under `slug`, None when the slug is free."""
        return conn.execute(sa.select(t.applicants.c.legal_name).where(t.applicants.c.slug == slug)).scalar()

    def _free_slug(self, conn: sa.Connection, legal_name: str) -> str:
        """The slug of a new applicant: plain, or suffixed by its key when another holds the plain one."""
        def owner(slug: str) -> str | None:
            name = self._slug_owner(conn, slug)
            return None if name is None else identity_key(name)

        try:
            return choose_slug(legal_name, owner)
        except ValueError as exc:
            raise TrackerError(f"{exc}; register it with --slug") from None

    def _applicant_row(self, conn: sa.Connection, slug: str) -> sa.Row[Any]:
        row = conn.execute(sa.select(t.applicants).where(t.applicants.c.slug == slug)).first()
        if row is None:
            known = conn.execute(sa.select(t.applicants.c.slug)).scalars().all()
            raise UnknownApplicantError(slug, known)
        return row

    def _event(
        self, conn: sa.Connection, applicant_id: int, action: str, who: str, now: str, **values: Any
    ) -> int:
        detail = values.pop("detail", None)
        result = conn.execute(
            t.events.insert().values(
                applicant_id=applicant_id,
                action=action,
                actor=who,
                recorded_at=now,
                requirements_version=self.requirements.version,
                detail=dumps(detail) if detail is not None else None,
                **values,
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    @staticmethod
    def _applicant(row: sa.Row[Any]) -> Applicant:
        return Applicant(
            id=row.id,
            slug=row.slug,
            legal_name=row.legal_name,
            application_date=parse_iso(row.application_date),
            facts=json.loads(row.facts),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @staticmethod
    def _event_record(row: sa.Row[Any], slug: str) -> Event:
        return Event(
            id=row.id,
            slug=slug,
            action=row.action,
            requirement=row.requirement,
            old_status=row.old_status,
            new_status=row.new_status,
            effective_date=parse_iso(row.effective_date),
            note=row.note,
            evidence_file=row.evidence_file,
            evidence_sha256=row.evidence_sha256,
            actor=row.actor,
            recorded_at=row.recorded_at,
            requirements_version=row.requirements_version,
            detail=json.loads(row.detail) if row.detail else None,
        )


def record_packet(db_path: str | os.PathLike[str], **packet: Any) -> int:
    """Record a generated packet in the tracker at `db_path` (created if missing).

    `packet` holds `Tracker.record_packet`'s keyword arguments (slug, legal name, documents,
    packet date, by). Called by the packet and batch commands when a database is configured.
    """
    return Tracker.open(db_path, create=True).record_packet(**packet)
