"""The pydantic models of sc-docs' own records: batch reports, and the checks behind the plain
records of `sc_docs.models` (agreement metadata, packet manifests).

`sc_docs.models` holds agreement metadata and manifests as plain dataclasses, checked by hand when
they are obviously valid, so that a command that reads the catalog or writes a packet never
imports pydantic (a tenth of a one-sheet packet's time). Whatever that hand check does not accept
comes here: pydantic accepts it (converting as it always did) or raises its usual error. The
field lists here and there are kept equal by a test.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sc_docs.models import KIND_FILES, Kind


class DocumentMeta(BaseModel):
    """`pro_forma/<key>/meta.yaml`: what a document is, where packets put it and which files make it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Short key; the record section is documents.<key>.")
    kind: Kind = "agreement"
    title: str = Field(min_length=1)
    tariff_appendix: str | None = None
    source: str | None = Field(default=None, description="Where the document comes from when not a tariff appendix.")
    version: str = Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]*$", description="Template version, used in file names.")
    as_of: dt.date
    order: int = Field(default=1000, ge=0, description="Place in a packet: CAISO reads lower numbers first.")
    schema_: str = Field(alias="schema", description="Schema file of the record section this document takes.")
    template: str | None = Field(default=None, description="DOCX template (agreement, letter) or XLSX template (workbook).")
    form: str | None = Field(default=None, description="PDF form file (form).")
    fields: str | None = Field(default=None, description="Field map: PDF field -> record path (form).")
    cells: str | None = Field(default=None, description="Cell map: worksheet cell -> record path (workbook).")
    unused_fields: list[str] = Field(default_factory=list)
    inputs: list[str] = Field(
        default_factory=list, description="Context beyond the record the template reads, by name (e.g. checklist).",
    )

    @model_validator(mode="after")
    def _files_of_kind(self) -> DocumentMeta:
        """Name every file the kind needs, with the right suffix, and no file of another kind."""
        needed = KIND_FILES[self.kind]
        for name, suffix in needed.items():
            value = getattr(self, name)
            if not value:
                raise ValueError(f"a {self.kind} needs `{name}` (a {suffix} file)")
            if not str(value).lower().endswith(suffix):
                raise ValueError(f"`{name}` of a {self.kind} must be a {suffix} file, not {value!r}")
        stray = [n for n in ("template", "form", "fields", "cells") if getattr(self, n) and n not in needed]
        if stray:
            raise ValueError(f"a {self.kind} takes no `{stray[0]}`")
        return self


class ManifestDocument(BaseModel):
    """One document of a packet, with the hashes that make it auditable."""

    model_config = ConfigDict(extra="forbid")

    key: str
    title: str
    kind: Literal["agreement", "form", "workbook", "letter", "pdf", "packet-pdf"]
    file: str
    template_version: str
    template_sha256: str
    meta_sha256: str
    sha256: str
    size: int


class Manifest(BaseModel):
    """`manifest.json` of a packet: what was made, from what, by which sc-docs."""

    model_config = ConfigDict(extra="forbid")

    sc_docs_version: str
    slug: str
    legal_name: str
    packet_date: dt.date
    input_files: list[str]
    input_sha256: str
    documents: list[ManifestDocument]
    warnings: list[str] = Field(
        default_factory=list, description="What the record certifies false (FILE:LINE: path: message), for a reviewer.",
    )


class BatchEntry(BaseModel):
    """What happened to one applicant in a batch."""

    model_config = ConfigDict(extra="forbid")

    source: str
    slug: str | None = None
    status: Literal["done", "failed", "skipped"]
    reason: str | None = None
    problems: list[str] = Field(default_factory=list)
    seconds: float = 0.0


class BatchReport(BaseModel):
    """`batch-report.json`: the outcome of every applicant of a batch."""

    model_config = ConfigDict(extra="forbid")

    sc_docs_version: str
    output_dir: str
    done: int
    failed: int
    skipped: int
    seconds: float
    entries: list[BatchEntry]
