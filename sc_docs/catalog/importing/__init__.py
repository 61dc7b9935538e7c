"""Bring official documents into the catalog: a Word document's blanks become template tags
(`import_docx`), a fillable PDF's fields become a field map (`map_form`).

Everything proposed is listed for a person to review; what cannot be mapped is named, never
guessed. The words that tie CAISO's wording to record paths live in `synonyms.yaml`.
"""

from __future__ import annotations

from sc_docs.catalog.importing.entry import ImportResult, Mapped
from sc_docs.catalog.importing.form import map_form
from sc_docs.catalog.importing.template import import_docx

__all__ = ["ImportResult", "Mapped", "import_docx", "map_form"]
