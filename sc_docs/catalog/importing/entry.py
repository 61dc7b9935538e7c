"""Write an imported official document as a catalog entry: its folder, meta.yaml and schema.

Shared by `templates import` (DOCX) and `forms map` (PDF). An entry whose key the bundled
catalog knows takes that entry's metadata and schema (the official file replaces the draft); a
new key gets a schema of its own holding the section fields its blanks were mapped to.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sc_docs.catalog import Catalog, Entry, load_catalog, read_entry
from sc_docs.catalog.importing.propose import Proposal, Proposer
from sc_docs.errors import OutputError, OutputExistsError
from sc_docs.files import atomic_write


@dataclass
class Mapped:
    """One blank or form field and what the import made of it (for the list a person reviews)."""

    number: int
    kind: str
    name: str  # the blank's text or the PDF field's name
    context: str  # the words that decided it
    proposal: Proposal
    record_path: str | None = None  # where the value comes from in the record (documents.<key>...)
    written: str = ""  # what the output holds in its place

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number, "kind": self.kind, "name": self.name, "context": self.context,
            "action": self.proposal.action, "path": self.record_path, "reason": self.proposal.reason,
            "written": self.written,
        }


@dataclass
class ImportResult:
    """What an import wrote and what it leaves for a person."""

    key: str
    folder: Path
    items: list[Mapped]
    files: list[str]
    unused_fields: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # the lint's, on the written entry

    @property
    def unmapped(self) -> list[Mapped]:
        return [m for m in self.items if m.proposal.action == "unmapped"]

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key, "folder": str(self.folder), "files": self.files,
            "blanks": [m.as_json() for m in self.items], "unmapped": [m.number for m in self.unmapped],
            "unused_fields": self.unused_fields, "lint": self.problems,
        }


def proposer_for(key: str, catalog: Catalog | None = None) -> tuple[Proposer, Entry | None]:
    """Return a proposer over the applicant section and `key`'s section (None if `key` is new)."""
    catalog = catalog or load_catalog()
    known = catalog.entries.get(key)
    return Proposer(catalog.schemas, known.schema_name if known else None), known


def claim_folder(folder: Path, force: bool) -> None:
    """Refuse an existing non-empty folder unless `force`: an import never mixes into one silently."""
    if folder.exists() and not folder.is_dir():
        raise OutputError("exists and is not a folder", file=str(folder))
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise OutputExistsError("already exists; pass --force to replace its files", file=str(folder))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder: {exc.strerror or exc}", file=str(folder)) from None


def meta_text(
    key: str, kind: str, known: Entry | None, *, title: str, version: str, as_of: dt.date, files: Mapping[str, str],
    unused: list[str], source_name: str,
) -> str:
    """Return the meta.yaml of an imported entry, commented for the person who reviews it."""
    import yaml

    meta: dict[str, Any] = {"key": key, "kind": kind}
    if known is not None:
        meta["title"] = known.meta.title
        meta["tariff_appendix"] = known.meta.tariff_appendix
        meta["source"] = known.meta.source
        meta["order"] = known.meta.order
        meta["schema"] = known.schema_name
    else:
        meta["title"] = title
        meta["source"] = f"official document {source_name}"
        meta["schema"] = f"{key}.schema.json"
    meta.update({"version": version, "as_of": as_of, **files, "unused_fields": unused})
    meta = {k: v for k, v in meta.items() if v is not None}
    head = (
        f"# Imported from the official document {source_name} by `sc-docs`.\n"
        "# Review the proposals (`--format json` lists them) before using this entry in a packet.\n"
    )
    return head + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)


def section_schema(key: str, title: str, fields: Mapping[str, dict[str, Any]]) -> bytes:
    """Return the schema of a new entry's section: the fields its blanks were mapped to."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://sc-docs.dev/schemas/{key}.schema.json",
        "title": f"{title}: document facts",
        "description": "Facts of this imported document beyond the applicant section; made by `sc-docs` from the fields its blanks ask for.",
        "type": "object",
        "additionalProperties": False,
        "required": sorted(fields),
        "properties": dict(sorted(fields.items())),
    }
    return (json.dumps(schema, indent=2, ensure_ascii=False) + "\n").encode()


def write_files(folder: Path, files: Mapping[str, bytes], source: Path) -> None:
    """Write `files` into `folder`; an output that is the input document itself is refused."""
    from sc_docs.errors import BadOutputError
    from sc_docs.files import same_file

    for name in files:
        if (folder / name).exists() and same_file(folder / name, source):
            raise BadOutputError("is the document being imported; import it from a copy, or choose another -o", file=str(folder / name))
    for name, data in sorted(files.items()):
        atomic_write(folder / name, data)


def lint(folder: Path) -> list[str]:
    """Return the lint problems of the entry written in `folder` (as `templates check` prints them)."""
    from sc_docs.catalog.lint import check_entry
    from sc_docs.errors import ScDocsError

    try:
        return check_entry(read_entry(folder))
    except ScDocsError as exc:
        return [exc.format_message()]


def output_folder(key: str, out: Path | None) -> Path:
    """`out/KEY` when `out` is given (a catalog folder), else the bundled `pro_forma/KEY`."""
    from sc_docs.paths import pro_forma_dir

    return (out if out is not None else pro_forma_dir()) / key


def assigned(proposer: Proposer, key: str, path: str) -> Proposal:
    """Turn a person's `--assign` path into a proposal, or refuse a path the schema lacks."""
    from sc_docs import fieldpath
    from sc_docs.catalog.contract import DOCUMENTS
    from sc_docs.catalog.importing.propose import SECTION
    from sc_docs.errors import UsageError

    if path in ("keep", "-"):
        return Proposal("keep", None, "kept by --assign")
    try:
        parts = tuple(fieldpath.parse(path))
    except ValueError as exc:
        raise UsageError(f"--assign {path!r}: {exc}") from None
    if parts[:2] == (DOCUMENTS, key):
        target = proposer.target(SECTION, parts[2:])
    elif parts[:1] == ("applicant",):
        target = proposer.target("applicant", parts[1:])
    else:
        raise UsageError(f"--assign {path!r}: a path starts with applicant. or {DOCUMENTS}.{key}.")
    if target is None:
        raise UsageError(f"--assign {path!r}: not a field of the schema")
    return Proposal("map", target, "assigned by --assign")
