"""A workspace folder: one YAML record per applicant, plus the packets, evidence and tracker made for them.

Layout of `DIR` (every path below is made here from fixed names and ids found by listing `DIR`;
nothing a user typed or uploaded becomes part of a path):

    DIR/<id>.yaml           applicant records, readable by the CLI (`sc-docs validate DIR/<id>.yaml`)
    DIR/packets/            packets built from the web (`<id>/`, `<id>.zip`)
    DIR/batches/<job>/      batch runs; their progress in DIR/.sc-docs/jobs/<job>.json
    DIR/evidence/<id>/      certification evidence uploads
    DIR/sc-docs.sqlite      the certification tracker (`cd DIR && sc-docs track ...` reads it)
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sc_docs.errors import ScDocsError, UnreadableFileError
from sc_docs.files import atomic_write
from sc_docs.slugs import slugify
from sc_docs.web import records

SUFFIXES = (".yaml", ".yml")
TRACKER = "sc-docs.sqlite"


class ConflictError(ScDocsError):
    """The record changed on disk since the form was opened."""


class NotFound(ScDocsError):
    """No applicant (or file) by that id."""


@dataclass(frozen=True)
class Summary:
    """What the applicants list shows of one record; cached by the file's size and mtime."""

    id: str
    legal_name: str
    problems: int
    unreadable: str | None
    documents: int
    pending: bool = False  # not checked yet: the start-up pass has not reached it


def version_of(data: bytes) -> str:
    """The version a form carries: the SHA-256 of the record file it was opened from."""
    return hashlib.sha256(data).hexdigest()


class Workspace:
    """The applicants of one folder, with a cache of their summaries and one lock for writes."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.lock = threading.RLock()
        self._summarizing = threading.Lock()
        self.warmed = threading.Event()  # set once the start-up pass has checked every record
        self._cache: dict[str, tuple[tuple[int, int, int], Summary]] = {}
        self.packets = self.root / "packets"
        self.state = self.root / ".sc-docs"

    # -- listing ------------------------------------------------------------------------------

    def ids(self) -> list[str]:
        """Return the ids (file stems) of the records, sorted; hidden files and folders are skipped."""
        return sorted(self.listing())

    def listing(self) -> dict[str, Path]:
        """Return every record file by id (its stem); the only way an id becomes a path."""
        out: dict[str, Path] = {}
        try:
            entries = list(os.scandir(self.root))
        except OSError as exc:
            raise UnreadableFileError(f"cannot list the workspace: {exc.strerror or exc}", file=str(self.root)) from None
        for e in entries:
            name = e.name
            stem, dot, suffix = name.rpartition(".")
            if dot and f".{suffix.lower()}" in SUFFIXES and stem and not name.startswith(".") and e.is_file():
                out.setdefault(stem, self.root / name)
        return out

    def path(self, id_: str) -> Path:
        """Return the record file of `id_`; an id that is not a listed record raises `NotFound`."""
        path = self.listing().get(id_)
        if path is None:
            raise NotFound(f"no applicant '{id_}' in this workspace")
        return path

    def read(self, id_: str) -> tuple[bytes, str]:
        """Return the record file's bytes and version."""
        data = self.path(id_).read_bytes()
        return data, version_of(data)

    def summaries(self, *, wait: bool = True) -> list[Summary]:
        """Return a summary of every record, re-reading only files that changed.

        With `wait=False`, while another caller (the start-up pass) is checking records, return at
        once: records it has not reached yet come back as `pending` summaries.
        """
        if not self._summarizing.acquire(blocking=wait):
            return [self._cached(id_, path) or Summary(id_, id_, 0, None, 0, pending=True)
                    for id_, path in sorted(self.listing().items())]
        try:
            listing = self.listing()
            out = [self.summary(id_, listing[id_]) for id_ in sorted(listing)]
            for gone in set(self._cache) - set(listing):
                self._cache.pop(gone, None)
            return out
        finally:
            self._summarizing.release()

    def _key(self, id_: str, path: Path) -> tuple[int, int, int]:
        st = path.stat()
        try:
            mst = (self.packets / id_ / "manifest.json").stat().st_mtime_ns
        except OSError:
            mst = 0
        return (st.st_size, st.st_mtime_ns, mst)

    def _cached(self, id_: str, path: Path) -> Summary | None:
        hit = self._cache.get(id_)
        try:
            return hit[1] if hit and hit[0] == self._key(id_, path) else None
        except OSError:
            return None

    def summary(self, id_: str, path: Path | None = None) -> Summary:
        """Return the summary of record `id_` (from the cache when its file is unchanged)."""
        path = path or self.path(id_)
        key = self._key(id_, path)
        hit = self._cache.get(id_)
        if hit and hit[0] == key:
            return hit[1]
        summary = self._summarize(id_, path)
        self._cache[id_] = (key, summary)
        return summary

    def _summarize(self, id_: str, path: Path) -> Summary:
        from sc_docs import load_applicant, validate
        from sc_docs.packet import read_manifest

        manifest = read_manifest(self.packets / id_)
        docs = len(manifest.documents) if manifest else 0
        try:
            record = load_applicant(path)
        except ScDocsError as exc:
            return Summary(id_, id_, 0, exc.message, docs)
        facts = record.data.get("applicant")
        name = facts.get("legal_name") if isinstance(facts, dict) else None
        return Summary(id_, name if isinstance(name, str) and name else id_, len(validate(record)), None, docs)

    # -- writing ------------------------------------------------------------------------------

    def new_id(self, legal_name: str) -> str:
        """Return an unused id for a new record named `legal_name`."""
        base = slugify(legal_name or "applicant")
        taken = set(self.ids()) | {p.name for p in self.root.iterdir()}
        candidate, n = base, 1
        while candidate in taken or f"{candidate}.yaml" in taken:
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def create(self, data: dict[str, Any]) -> str:
        """Write `data` as a new record; return its id (never replaces a file)."""
        with self.lock:
            facts = data.get("applicant")
            name = facts.get("legal_name") if isinstance(facts, dict) else None
            id_ = self.new_id(name if isinstance(name, str) else "")
            atomic_write(self.root / f"{id_}.yaml", records.dump_new(data))
            return id_

    def create_raw(self, legal_name: str, raw: bytes) -> str:
        """Store an uploaded YAML record unchanged (its comments too) under a new id."""
        with self.lock:
            id_ = self.new_id(legal_name)
            atomic_write(self.root / f"{id_}.yaml", raw)
            return id_

    def save(self, id_: str, data: dict[str, Any], version: str) -> str:
        """Replace record `id_` with `data` unless it changed since `version`; return the new version."""
        with self.lock:
            path = self.path(id_)
            current = path.read_bytes()
            if version_of(current) != version:
                raise ConflictError(
                    "not saved: this applicant's file changed since you opened it (another tab or program "
                    "saved it). Your entries are still in the form: copy what you need, reload, and apply them again."
                )
            text = current.decode("utf-8", errors="replace")
            new = records.update_text(text, data)
            atomic_write(path, new)
            return version_of(new)

    def tracker_path(self) -> Path:
        return self.root / TRACKER
