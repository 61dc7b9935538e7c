"""The template contract: what every document's template sees, and what every output carries.

One function (`build_context`) builds the context of any catalog entry from a record, so a
packet, the lint, `verify` and a web preview cannot disagree about it:

- `applicant`: the shared facts, drawn on by every document;
- the entry's own section (`documents.<key>` of the record) under the name of its kind
  (`SECTION_NAMES`: an agreement reads `agreement.*`, a letter `letter.*`, ...);
- `document`: the entry's metadata, with `as_of` as an ISO date string.

`OUTPUT_PROPERTIES` names the custom properties written into every generated document and read
back (by `verify`, `--resume`, the tracker) to tell which template made it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from sc_docs.catalog import Entry

DOCUMENTS: Final = "documents"
SECTION_NAMES: Final[Mapping[str, str]] = {
    "agreement": "agreement",
    "letter": "letter",
    "form": "form",
    "workbook": "workbook",
}
DOCUMENT_KEYS: Final = frozenset({"key", "kind", "title", "tariff_appendix", "source", "version", "as_of"})

TEMPLATE_KEY: Final = "sc_docs.template_key"
TEMPLATE_VERSION: Final = "sc_docs.template_version"
TEMPLATE_SHA256: Final = "sc_docs.template_sha256"
OUTPUT_PROPERTIES: Final = (TEMPLATE_KEY, TEMPLATE_VERSION, TEMPLATE_SHA256)


def document_sections(record: Mapping[str, Any]) -> Mapping[str, Any]:
    """Return the record's document sections by key (empty when it has none)."""
    sections = record.get(DOCUMENTS)
    return sections if isinstance(sections, Mapping) else {}


def document_metadata(entry: Entry) -> dict[str, Any]:
    """Return what a template may read about its own document (`document.*`)."""
    meta = entry.meta
    return {
        "key": meta.key,
        "kind": meta.kind,
        "title": meta.title,
        "tariff_appendix": meta.tariff_appendix,
        "source": meta.source,
        "version": meta.version,
        "as_of": meta.as_of.isoformat(),
    }


def build_context(entry: Entry, record: Mapping[str, Any], inputs: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return the context `entry`'s template renders with, from `record` (an applicant record's data).

    A record without the entry's section gives an empty section; the maker's strict rendering
    then names the first missing value. `inputs` holds what the entry's `inputs` ask for beyond
    the record (e.g. the requirements checklist), by name; a missing one raises `CatalogError`.
    """
    from sc_docs.errors import CatalogError

    context = {
        "applicant": record.get("applicant", {}),
        SECTION_NAMES[entry.meta.kind]: document_sections(record).get(entry.key, {}),
        "document": document_metadata(entry),
    }
    for name in entry.meta.inputs:
        if inputs is None or name not in inputs:
            raise CatalogError(f"{entry.key}: needs the input {name!r}, which the caller did not provide")
        context[name] = inputs[name]
    return context


def output_properties(entry: Entry) -> dict[str, str]:
    """Return the custom properties that identify the template a document was made from."""
    return {
        TEMPLATE_KEY: entry.key,
        TEMPLATE_VERSION: entry.meta.version,
        TEMPLATE_SHA256: entry.source_sha256,
    }


def section_field(record: Mapping[str, Any], name: str, order: list[str] | None = None) -> tuple[tuple[str, str, str], Any] | None:
    """Return `(path, value)` of field `name` in the first document section that has it, or None.

    Facts such as the application date are found by field name, so no code names the document
    that holds them. Sections are searched in `order` (catalog keys; default: the bundled
    catalog's packet order), then any others by key.
    """
    sections = document_sections(record)
    if order is None:
        from sc_docs.catalog import load_catalog

        order = list(load_catalog().entries)
    keys = [k for k in order if k in sections] + sorted(k for k in sections if k not in order)
    for key in keys:
        section = sections[key]
        if isinstance(section, Mapping) and name in section:
            return (DOCUMENTS, key, name), section[name]
    return None
