"""The document catalog: every document sc-docs makes is a folder `pro_forma/<key>/`.

A folder holds `meta.yaml` (read by `DocumentMeta`: key, kind, title, order, schema, files) and
the files its kind needs (`KIND_FILES`). The catalog composes the record schema from the
entries' schemas (`documents.<key>`), and the template contract (`contract`) and the makers by
kind (`makers`) turn an entry plus a record into document bytes. Adding a document of any kind
is a folder and a schema: no code names a document by its key.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from sc_docs.catalog.contract import (
    OUTPUT_PROPERTIES,
    SECTION_NAMES,
    TEMPLATE_KEY,
    TEMPLATE_SHA256,
    TEMPLATE_VERSION,
    build_context,
    document_sections,
    output_properties,
    section_field,
)
from sc_docs.errors import CatalogError
from sc_docs.models import KIND_FILES, DocumentMeta
from sc_docs.paths import pro_forma_dir, schemas_dir
from sc_docs.sheets.schema import SchemaSet, load_schemas, read_schema

__all__ = [
    "OUTPUT_PROPERTIES", "SECTION_NAMES", "TEMPLATE_KEY", "TEMPLATE_SHA256", "TEMPLATE_VERSION",
    "Catalog", "Entry", "build_context", "document_sections", "load_catalog", "output_properties", "read_entry",
    "section_field",
]


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Entry:
    """One document: its metadata and the folder holding its files."""

    meta: DocumentMeta
    folder: Path

    @property
    def key(self) -> str:
        return self.meta.key

    @property
    def kind(self) -> str:
        return self.meta.kind

    @property
    def source_path(self) -> Path:
        """The file the document is made from: the DOCX or XLSX template, or the PDF form."""
        name = self.meta.form if self.meta.kind == "form" else self.meta.template
        return self.folder / str(name)

    def file(self, name: str) -> Path:
        """Return the path of the file that meta.yaml field `name` (`fields`, `cells`, ...) names."""
        value = getattr(self.meta, name)
        if not value:
            raise CatalogError(f"{self.key}: meta.yaml names no `{name}`", file=str(self.folder / "meta.yaml"))
        return self.folder / str(value)

    @property
    def schema_name(self) -> str:
        """The name of this entry's section schema in the catalog's `SchemaSet`."""
        return self.meta.schema_

    @cached_property
    def source_sha256(self) -> str:
        return sha256_file(self.source_path)

    @cached_property
    def meta_sha256(self) -> str:
        return sha256_file(self.folder / "meta.yaml")


class Catalog:
    """The documents found in a folder, by key; iterated in packet order (`order`, then key)."""

    def __init__(self, entries: list[Entry], folder: Path | None = None) -> None:
        ordered = sorted(entries, key=lambda e: (e.meta.order, e.key))
        self.entries = {e.key: e for e in ordered}
        self.folder = folder

    def get(self, key: str) -> Entry:
        """Return the entry for `key`; an unknown key raises with the nearest known one."""
        try:
            return self.entries[key]
        except KeyError:
            near = difflib.get_close_matches(key, self.entries, n=1)
            hint = f"; did you mean '{near[0]}'?" if near else f"; known: {', '.join(sorted(self.entries))}"
            raise CatalogError(f"unknown pro forma document '{key}'{hint}") from None

    def of_kind(self, *kinds: str) -> list[Entry]:
        """Return the entries of the given kinds, in packet order."""
        return [e for e in self.entries.values() if e.meta.kind in kinds]

    def agreements(self) -> list[Entry]:
        return self.of_kind("agreement")

    def forms(self) -> list[Entry]:
        return self.of_kind("form")

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries.values())

    def __contains__(self, key: object) -> bool:
        return key in self.entries

    @cached_property
    def schemas(self) -> SchemaSet:
        """The bundled schemas plus the entries' own, with the record schema composed from the catalog."""
        extra = {}
        bundled = load_schemas()
        for entry in self:
            own = entry.folder / entry.schema_name
            if own.is_file():
                extra[entry.schema_name] = read_schema(own)
            elif entry.schema_name not in bundled:
                raise CatalogError(
                    f"its schema {entry.schema_name} is neither in its folder nor in {schemas_dir()}",
                    file=str(entry.folder / "meta.yaml"),
                )
        documents = [(e.key, e.schema_name, describe(e)) for e in self]
        return SchemaSet(bundled).with_documents(documents, extra)


def describe(entry: Entry) -> str:
    """One line naming a document, for the composed schema and listings."""
    meta = entry.meta
    where = f" (tariff Appendix {meta.tariff_appendix})" if meta.tariff_appendix else f" ({meta.source})" if meta.source else ""
    return f"{meta.title}{where}."


def read_entry(folder: Path) -> Entry:
    """Read and check `folder/meta.yaml` and that the files its kind needs exist."""
    import yaml

    from sc_docs import yamlfile

    meta_path = folder / "meta.yaml"
    try:
        raw = yamlfile.safe_load(meta_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"cannot read: {exc}", file=str(meta_path)) from None
    try:
        meta = DocumentMeta.model_validate(raw)
    except ValueError as exc:  # pydantic's ValidationError: only it decides that metadata is invalid
        first = exc.errors()[0]  # type: ignore[attr-defined]
        where = ".".join(str(p) for p in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        raise CatalogError(f"{where + ': ' if where else ''}{message}", file=str(meta_path)) from None
    if meta.key != folder.name:
        raise CatalogError(f"key '{meta.key}' does not match its folder name '{folder.name}'", file=str(meta_path))
    for field in KIND_FILES[meta.kind]:
        name = str(getattr(meta, field))
        if not (folder / name).is_file():
            raise CatalogError(f"names {name}, which does not exist", file=str(meta_path))
    return Entry(meta, folder)


@cache
def load_catalog(folder: Path | None = None) -> Catalog:
    """Return the catalog of `folder` (default: the bundled `pro_forma/`), read once per process."""
    folder = folder or pro_forma_dir()
    return Catalog([read_entry(p.parent) for p in sorted(folder.glob("*/meta.yaml"))], folder)
