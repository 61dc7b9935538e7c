"""The makers of documents, registered by kind: one function per kind turns an entry and a record into bytes.

- `agreement`, `letter`: a DOCX template rendered by the DOCX engine with the contract context;
- `form`: a PDF AcroForm filled by the PDF engine through the entry's field map (`fields.yaml`);
- `workbook`: an XLSX template filled cell by cell through the entry's cell map (`cells.yaml`).

Nothing here knows a document by its key: the packet, batch and the web front end ask
`maker_for(entry)` and get the same bytes for the same record and date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sc_docs.catalog.contract import build_context, output_properties
from sc_docs.errors import CatalogError

if TYPE_CHECKING:
    from sc_docs.catalog import Catalog, Entry

MakeFn = Callable[["Entry", Mapping[str, Any], dt.date, "Mapping[str, Any] | None"], bytes]


@dataclass(frozen=True)
class Maker:
    """How one kind of document is made: the function, the file suffix, whether `--pdf` converts it."""

    kind: str
    suffix: str
    make: MakeFn
    office_document: bool  # a DOCX LibreOffice turns into a PDF for the merged packet


MAKERS: dict[str, Maker] = {}


def register(kind: str, suffix: str, *, office_document: bool = False) -> Callable[[MakeFn], MakeFn]:
    """Register `fn` as the maker of documents of `kind`."""
    def decorate(fn: MakeFn) -> MakeFn:
        MAKERS[kind] = Maker(kind, suffix, fn, office_document)
        return fn
    return decorate


def maker_for(entry: Entry) -> Maker:
    """Return the maker of `entry`'s kind."""
    try:
        return MAKERS[entry.meta.kind]
    except KeyError:
        raise CatalogError(f"{entry.key}: no maker for documents of kind {entry.meta.kind!r}") from None


def make(entry: Entry, record: Mapping[str, Any], date: dt.date, inputs: Mapping[str, Any] | None = None) -> bytes:
    """Return the document `entry` makes from `record` (an applicant record's data) on `date`.

    `inputs` are the context beyond the record that the entry's `inputs` name.
    """
    return maker_for(entry).make(entry, record, date, inputs)


def stamp(date: dt.date) -> dt.datetime:
    """The creation time written into outputs: midnight UTC of the packet date, never the clock."""
    return dt.datetime.combine(date, dt.time(), tzinfo=dt.timezone.utc)


def subject(entry: Entry) -> str:
    meta = entry.meta
    return f"CAISO tariff Appendix {meta.tariff_appendix}" if meta.tariff_appendix else meta.title


@register("agreement", ".docx", office_document=True)
@register("letter", ".docx", office_document=True)
def make_docx(entry: Entry, record: Mapping[str, Any], date: dt.date, inputs: Mapping[str, Any] | None = None) -> bytes:
    """Render a DOCX template with fixed document properties and the template's identity."""
    from sc_docs.engines.docx import compile_template

    when = stamp(date)
    return compile_template(entry.source_path).render(
        build_context(entry, record, inputs),
        core_properties={
            "title": f"{entry.meta.title} - {record['applicant']['legal_name']}",
            "subject": subject(entry),
            "creator": "sc-docs",
            "last_modified_by": "sc-docs",
            "created": when,
            "modified": when,
        },
        custom_properties=output_properties(entry),
    )


@register("form", ".pdf")
def make_form(entry: Entry, record: Mapping[str, Any], date: dt.date, inputs: Mapping[str, Any] | None = None) -> bytes:
    """Fill a PDF form through its field map (the PDF engine's output is already deterministic)."""
    from sc_docs.catalog.formfill import fill_form

    return fill_form(entry, record)


@register("workbook", ".xlsx")
def make_workbook(entry: Entry, record: Mapping[str, Any], date: dt.date, inputs: Mapping[str, Any] | None = None) -> bytes:
    """Fill an XLSX template through its cell map."""
    from sc_docs.catalog.workbook import fill_workbook

    return fill_workbook(entry, record, stamp(date))


def warm(catalog: Catalog) -> None:
    """Compile every template and read every form and map once: for a worker process's start-up."""
    from sc_docs.catalog.formfill import warm as warm_forms
    from sc_docs.catalog.workbook import load_cell_map
    from sc_docs.engines.docx import compile_template

    for entry in catalog.of_kind("agreement", "letter"):
        compile_template(entry.source_path)
    warm_forms(catalog.of_kind("form"))
    for entry in catalog.of_kind("workbook"):
        load_cell_map(entry.file("cells"))
