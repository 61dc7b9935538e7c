"""Pydantic models of sc-docs' own records: agreement metadata, packet manifests, batch reports.

Info sheets are described by the JSON Schemas in `schemas/`, not here.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class DocumentMeta(BaseModel):
    """`pro_forma/<key>/meta.yaml`: what a pro forma document is and which files make it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Short key, also the record section name.")
    kind: Literal["agreement", "form"] = "agreement"
    title: str = Field(min_length=1)
    tariff_appendix: str | None = None
    version: str = Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]*$", description="Template version, used in file names.")
    as_of: dt.date
    schema_: str = Field(alias="schema", description="Schema file of the record section this document takes.")
    template: str | None = Field(default=None, description="DOCX template file (agreements).")
    form: str | None = Field(default=None, description="PDF form file (forms).")
    fields: str | None = Field(default=None, description="Field map file (forms).")
    unused_fields: list[str] = Field(default_factory=list)


class ManifestDocument(BaseModel):
    """One document of a packet, with the hashes that make it auditable."""

    model_config = ConfigDict(extra="forbid")

    key: str
    title: str
    kind: Literal["agreement", "form", "pdf", "packet-pdf"]
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
