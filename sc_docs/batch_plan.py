"""A batch's plan: every input's applicants in a stable order, each with its distinct slug.

The parent process plans; workers make the packets. Planning a YAML sheet reads only its legal
name (`quick_legal_name`: a few YAML events, not the whole sheet), so the parent's share of the
work stays small and the worker that makes the packet is the only one to load the sheet. Such a
slug is provisional until the sheet is known to load: today's rules give a sheet that does not
load no slug, so before a later applicant's slug depends on an earlier provisional one, the parent
loads that earlier sheet itself to settle it (rare: it takes two applicants of the same name or
slug). Other inputs (JSON, XLSX, CSV rosters) are loaded here, as before.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Union

from sc_docs.errors import ScDocsError, UnreadableFileError
from sc_docs.models import BatchEntry
from sc_docs.packet import folder_owner
from sc_docs.sheets import ApplicantRecord, load_sheet
from sc_docs.slugs import choose_slug, identity_key, slugify, suffixed_slug


@dataclass(frozen=True)
class SheetRef:
    """A YAML sheet the worker loads itself; `name` is what planning read as the applicant's name."""

    path: str
    name: str


Item = Union[ApplicantRecord, SheetRef]
Task = tuple[str, Item, str, "str | None"]  # label, record or sheet, slug, duplicate of


def name_of(label: str, record: ApplicantRecord) -> str:
    """The name a slug is made from: the legal name, else the input file's stem."""
    facts = record.data.get("applicant")
    name = facts.get("legal_name") if isinstance(facts, dict) else None
    return name if isinstance(name, str) and name.strip() else Path(label).stem


def _quick(path: Path) -> SheetRef | None:
    """Plan a YAML sheet from its legal name alone; None when it must be loaded whole here."""
    from sc_docs.sheets.loader import read_bytes
    from sc_docs.sheets.yaml_source import quick_legal_name

    if path.suffix.lower() not in (".yaml", ".yml"):
        return None
    try:
        data = read_bytes(path)
        text = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
        known, name = quick_legal_name(text.decode("utf-8"))
    except (ScDocsError, UnicodeDecodeError):
        return None  # loaded here, which reports the problem as before
    if not known:
        return None
    label = str(path)
    return SheetRef(label, name if name is not None and name.strip() else Path(label).stem)


def iter_inputs(inputs: Sequence[str | os.PathLike[str]],
                input_files: Callable[[Path], list[Path]]) -> Iterator[tuple[str, Item | ScDocsError]]:
    """Yield `(label, record, sheet or error)` for every applicant in `inputs`, in a stable order.

    An input is a sheet file, a folder (its sheet files, not its subfolders, as `input_files`
    lists them) or a CSV roster. A YAML sheet is yielded as a `SheetRef` when its legal name can
    be read quickly, else loaded here like every other sheet.
    """
    from sc_docs.sheets.csv_source import decode_roster, iter_roster
    from sc_docs.sheets.loader import read_bytes

    for item in inputs:
        path = Path(item)
        files = input_files(path)
        if path.is_dir() and not files:
            yield str(path), UnreadableFileError("holds no info sheets", file=str(path))
        for f in files:
            if f.suffix.lower() == ".csv":
                try:
                    text, _ = decode_roster(read_bytes(f))  # the CLI tells the user about cp1252
                    yield from iter_roster(text, str(f))
                except ScDocsError as exc:
                    yield str(f), exc
                continue
            ref = _quick(f)
            if ref is not None:
                yield str(f), ref
                continue
            try:
                yield str(f), load_sheet(f)
            except ScDocsError as exc:
                yield str(f), exc


class Planner:
    """Give each applicant its slug: the plain slug of its name unless that belongs to another
    applicant (in this run, or a packet already in the output folder), then a suffix derived from
    its own identity key. So `--resume` after adding a similar name never moves a packet, and two
    applicants never share a folder.
    """

    def __init__(self, outdir: Path) -> None:
        self.outdir = outdir
        self.owners: dict[str, str] = {}  # slug -> identity key, this run
        self.first: dict[str, str] = {}  # identity key -> label of its first input
        # The claims not yet known to hold (a few at a time: settled as their packets finish)
        self.provisional: dict[str, tuple[SheetRef, str, str]] = {}  # label -> (sheet, slug, key)
        self.by: dict[str, str] = {}  # slug -> label, of the provisional claims

    def tasks(self, items: Iterator[tuple[str, Item | ScDocsError]], failed: Callable[[BatchEntry], None]) -> Iterator[Task]:
        """Yield `(label, item, slug, duplicate_of)`; unreadable inputs go straight to `failed`."""
        for label, item in items:
            if isinstance(item, ScDocsError):
                failed(BatchEntry(source=label, status="failed", reason=item.format_message()))
                continue
            name = item.name if isinstance(item, SheetRef) else name_of(label, item)
            key = identity_key(name)
            if self._first(key) is not None:  # the same applicant again (a corrected copy, say): its own folder
                slug = suffixed_slug(name, salt=label)
                if self._owner(slug) is None:
                    self._claim(label, item, slug, key)
                    yield label, item, slug, None
                    continue
                yield label, item, slugify(name), self.first[key]
                continue
            try:
                slug = choose_slug(name, self._owner_anywhere)
            except ValueError as exc:
                failed(BatchEntry(source=label, status="failed", reason=str(exc)))
                continue
            self._claim(label, item, slug, key)
            self.first[key] = label
            yield label, item, slug, None

    def settle(self, entry: BatchEntry) -> None:
        """Take a finished applicant's outcome: a sheet that loaded keeps its slug, else it is freed."""
        if entry.source in self.provisional:
            if entry.slug is None:  # the sheet did not load (a loaded one reports its slug)
                self._release(entry.source)
            else:
                self._keep(entry.source)

    def _claim(self, label: str, item: Item, slug: str, key: str) -> None:
        if label in self.provisional:  # the same file given twice: settle the first one now
            self._check(label)
        self.owners[slug] = key
        if isinstance(item, SheetRef):
            self.provisional[label] = (item, slug, key)
            self.by[slug] = label

    def _owner_anywhere(self, slug: str) -> str | None:
        owner = self._owner(slug)
        return owner if slug in self.owners else folder_owner(self.outdir, slug)

    def _owner(self, slug: str) -> str | None:
        label = self.by.get(slug)
        if label is not None and label in self.provisional:
            self._check(label)
        return self.owners.get(slug)

    def _first(self, key: str) -> str | None:
        label = self.first.get(key)
        if label is not None and label in self.provisional:
            self._check(label)
        return self.first.get(key)

    def _check(self, label: str) -> None:
        """Load a provisional sheet here: keep its claims if it loads with the name planned, else free them."""
        ref = self.provisional[label][0]
        try:
            loads = name_of(label, load_sheet(ref.path)) == ref.name
        except ScDocsError:
            loads = False
        if loads:
            self._keep(label)
        else:
            self._release(label)

    def _keep(self, label: str) -> None:
        _, slug, _ = self.provisional.pop(label)
        if self.by.get(slug) == label:
            del self.by[slug]

    def _release(self, label: str) -> None:
        _, slug, key = self.provisional.pop(label)
        if self.by.get(slug) == label:
            del self.by[slug]
            self.owners.pop(slug, None)
        if self.first.get(key) == label:
            del self.first[key]
