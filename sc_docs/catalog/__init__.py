"""The catalog of pro forma documents, read from `pro_forma/<key>/meta.yaml`.

Adding an agreement is data only: a folder with `meta.yaml` and a template, plus its schema.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from sc_docs.errors import CatalogError
from sc_docs.models import DocumentMeta
from sc_docs.paths import pro_forma_dir


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Entry:
    """One pro forma document: its metadata and the files in its folder."""

    meta: DocumentMeta
    folder: Path

    @property
    def key(self) -> str:
        return self.meta.key

    @property
    def source_path(self) -> Path:
        """The template (agreements) or the PDF form (forms)."""
        name = self.meta.template if self.meta.kind == "agreement" else self.meta.form
        return self.folder / str(name)

    @cached_property
    def source_sha256(self) -> str:
        return sha256_file(self.source_path)

    @cached_property
    def meta_sha256(self) -> str:
        return sha256_file(self.folder / "meta.yaml")


class Catalog:
    """The pro forma documents found in a folder, by key."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = {e.key: e for e in entries}

    def get(self, key: str) -> Entry:
        """Return the entry for `key`; an unknown key raises with the nearest known one."""
        try:
            return self.entries[key]
        except KeyError:
            near = difflib.get_close_matches(key, self.entries, n=1)
            hint = f"; did you mean '{near[0]}'?" if near else f"; known: {', '.join(sorted(self.entries))}"
            raise CatalogError(f"unknown pro forma document '{key}'{hint}") from None

    def agreements(self) -> list[Entry]:
        return [e for k, e in sorted(self.entries.items()) if e.meta.kind == "agreement"]

    def forms(self) -> list[Entry]:
        return [e for k, e in sorted(self.entries.items()) if e.meta.kind == "form"]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(e for _, e in sorted(self.entries.items()))


def read_entry(folder: Path) -> Entry:
    """Read and check `folder/meta.yaml`."""
    import yaml
    from pydantic import ValidationError

    meta_path = folder / "meta.yaml"
    try:
        raw = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
        meta = DocumentMeta.model_validate(raw)
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"cannot read: {exc}", file=str(meta_path)) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CatalogError(f"{where}: {first['msg']}", file=str(meta_path)) from None
    if meta.key != folder.name:
        raise CatalogError(f"key '{meta.key}' does not match its folder name '{folder.name}'", file=str(meta_path))
    entry = Entry(meta, folder)
    if not entry.source_path.is_file():
        raise CatalogError(f"names {entry.source_path.name}, which does not exist", file=str(meta_path))
    return entry


@cache
def load_catalog(folder: Path | None = None) -> Catalog:
    """Return the catalog of `folder` (default: the bundled `pro_forma/`), read once per process."""
    folder = folder or pro_forma_dir()
    return Catalog([read_entry(p.parent) for p in sorted(folder.glob("*/meta.yaml"))])
