"""sc-docs' own records: agreement metadata (`meta.yaml`) and packet manifests, as plain dataclasses.

Info sheets are described by the JSON Schemas in `schemas/`, not here. These records used to be
pydantic models; importing pydantic and building them cost a tenth of a one-sheet packet. Now a
record that is obviously valid (exact types, every constraint met) is checked here by hand, and
anything else goes to its pydantic twin in `sc_docs.pydantic_models`, which accepts it (converting
as it always did) or raises its usual `ValidationError`. Batch reports are pydantic models there
too, importable from here as before.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

Kind = Literal["agreement", "form", "workbook", "letter"]
KINDS = ("agreement", "form", "workbook", "letter")
DOCUMENT_KINDS = (*KINDS, "pdf", "packet-pdf")

# The files each kind of document needs, by meta.yaml field (and the suffix that file must have).
KIND_FILES: dict[str, dict[str, str]] = {
    "agreement": {"template": ".docx"},
    "letter": {"template": ".docx"},
    "form": {"form": ".pdf", "fields": ".yaml"},
    "workbook": {"template": ".xlsx", "cells": ".yaml"},
}

_KEY = re.compile(r"[a-z][a-z0-9_]*")
_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]*")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def __getattr__(name: str) -> Any:
    """`BatchEntry` and `BatchReport` stay pydantic models: imported with pydantic on first use."""
    if name in ("BatchEntry", "BatchReport"):
        from sc_docs import pydantic_models

        return getattr(pydantic_models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _text(value: Any, *, optional: bool = False) -> bool:
    return type(value) is str or (optional and value is None)


def _texts(value: Any) -> bool:
    return type(value) is list and all(type(v) is str for v in value)


@dataclass(frozen=True)
class DocumentMeta:
    """`pro_forma/<key>/meta.yaml`: what a document is, where packets put it and which files make it."""

    key: str
    title: str
    version: str
    as_of: dt.date
    schema_: str  # `schema` in meta.yaml
    kind: str = "agreement"
    tariff_appendix: str | None = None
    source: str | None = None
    order: int = 1000
    template: str | None = None
    form: str | None = None
    fields: str | None = None
    cells: str | None = None
    unused_fields: list[str] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)

    @classmethod
    def model_validate(cls, raw: Any) -> DocumentMeta:
        """Return the metadata in `raw` (meta.yaml's data); raise pydantic's `ValidationError` if invalid."""
        meta = cls._checked(raw)
        if meta is None:
            from sc_docs.pydantic_models import DocumentMeta as Checked

            meta = cls._checked(Checked.model_validate(raw).model_dump(by_alias=True))
            if meta is None:  # pragma: no cover - pydantic accepted what it now refuses
                raise AssertionError("meta.yaml accepted by pydantic but not by its own output")
        return meta

    @classmethod
    def _checked(cls, raw: Any) -> DocumentMeta | None:
        """Return the record when `raw` is plainly valid; None when pydantic must decide."""
        names = {f.name for f in fields(cls)} - {"schema_"} | {"schema"}
        if type(raw) is not dict or not set(raw) <= names or not {"key", "title", "version", "as_of", "schema"} <= set(raw):
            return None
        values = {("schema_" if k == "schema" else k): v for k, v in raw.items()}
        ok = (
            _text(values["key"]) and _KEY.fullmatch(values["key"]) is not None
            and values.get("kind", "agreement") in KINDS and type(values.get("kind", "")) is str
            and _text(values["title"]) and len(values["title"]) >= 1
            and _text(values["version"]) and _VERSION.fullmatch(values["version"]) is not None
            and type(values["as_of"]) is dt.date
            and _text(values["schema_"])
            and type(values.get("order", 0)) is int and values.get("order", 0) >= 0
            and all(_text(values.get(n), optional=True) for n in ("tariff_appendix", "source", "template", "form", "fields", "cells"))
            and all(_texts(values.get(n, [])) for n in ("unused_fields", "inputs"))
        )
        if not ok:
            return None
        meta = cls(**{k: list(v) if isinstance(v, list) else v for k, v in values.items()})
        return meta if meta.files_problem() is None else None

    def files_problem(self) -> str | None:
        """Say what is wrong with the files named for this kind (None: each needed one, right suffix)."""
        needed = KIND_FILES[self.kind]
        for name, suffix in needed.items():
            value = getattr(self, name)
            if not value:
                return f"a {self.kind} needs `{name}` (a {suffix} file)"
            if not str(value).lower().endswith(suffix):
                return f"`{name}` of a {self.kind} must be a {suffix} file, not {value!r}"
        stray = [n for n in ("template", "form", "fields", "cells") if getattr(self, n) and n not in needed]
        return f"a {self.kind} takes no `{stray[0]}`" if stray else None


@dataclass(frozen=True)
class ManifestDocument:
    """One document of a packet, with the hashes that make it auditable."""

    key: str
    title: str
    kind: str  # one of DOCUMENT_KINDS
    file: str
    template_version: str
    template_sha256: str
    meta_sha256: str
    sha256: str
    size: int

    @classmethod
    def _checked(cls, raw: Any) -> ManifestDocument | None:
        names = [f.name for f in fields(cls)]
        if type(raw) is not dict or set(raw) != set(names):
            return None
        if not all(type(raw[n]) is str for n in names if n != "size") or type(raw["size"]) is not int:
            return None
        return cls(**raw) if raw["kind"] in DOCUMENT_KINDS else None


@dataclass
class Manifest:
    """`manifest.json` of a packet: what was made, from what, by which sc-docs."""

    sc_docs_version: str
    slug: str
    legal_name: str
    packet_date: dt.date
    input_files: list[str]
    input_sha256: str
    documents: list[ManifestDocument]
    #: What the record certifies false (FILE:LINE: path: message), for a reviewer.
    warnings: list[str] = field(default_factory=list)

    def model_dump(self, mode: str = "python") -> dict[str, Any]:
        """Return the manifest as a dict (`mode="json"`: the date as ISO text), in field order."""
        data = asdict(self)
        if mode == "json":
            data["packet_date"] = self.packet_date.isoformat()
        return data

    @classmethod
    def model_validate_json(cls, data: str | bytes) -> Manifest:
        """Return the manifest in JSON `data`; raise `ValueError` (pydantic's) if it is not one."""
        try:  # pydantic reads UTF-8 only; absurd nesting is pydantic's to refuse, with its error
            raw = json.loads(data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else data)
        except (ValueError, RecursionError):
            raw = None
        manifest = cls._checked(raw)
        if manifest is None:
            from sc_docs.pydantic_models import Manifest as Checked

            manifest = cls._checked(Checked.model_validate_json(data).model_dump(mode="json"))
            if manifest is None:  # pragma: no cover - pydantic accepted what it now refuses
                raise ValueError("manifest accepted by pydantic but not by its own output")
        return manifest

    @classmethod
    def _checked(cls, raw: Any) -> Manifest | None:
        names = [f.name for f in fields(cls)]
        if type(raw) is not dict or not set(raw) <= set(names) or not set(names) - {"warnings"} <= set(raw):
            return None
        date = raw["packet_date"]
        if not (type(date) is str and _ISO_DATE.fullmatch(date)) or type(raw["documents"]) is not list:
            return None
        if not all(type(raw[n]) is str for n in ("sc_docs_version", "slug", "legal_name", "input_sha256")):
            return None
        if not _texts(raw["input_files"]) or not _texts(raw.get("warnings", [])):
            return None
        documents = [ManifestDocument._checked(d) for d in raw["documents"]]
        if any(d is None for d in documents):
            return None
        try:
            packet_date = dt.date.fromisoformat(date)
        except ValueError:
            return None
        return cls(**{**raw, "packet_date": packet_date, "documents": documents,
                      "input_files": list(raw["input_files"]), "warnings": list(raw.get("warnings", []))})
