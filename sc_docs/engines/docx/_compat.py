"""docxtpl's own XML transforms, called directly so the engine's output matches docxtpl's.

docxtpl keeps these as methods of `DocxTemplate`, but none of them reads instance state except
`fix_docpr_ids`, which counts from `docx_ids_index`. Calling the very functions (instead of
copies) keeps the tags `{%tr %}`, `{%p %}`, `{%tc %}`, `{%r %}`, `colspan`, `cellbg`, `vm`,
`hm`, RichText and Listing behaving exactly as in the installed docxtpl.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any


def _docxtpl() -> Any:
    from docxtpl.template import DocxTemplate

    return DocxTemplate


def patch_xml(xml: str) -> str:
    """Return `xml` with Word's run boundaries removed from inside tags and `{%p %}` & co. applied."""
    return _docxtpl().patch_xml(None, xml)


def resolve_listing(xml: str) -> str:
    """Turn tabs, newlines, `\\a` and `\\f` inside `<w:t>` into tabs, breaks, paragraphs, pages."""
    return _docxtpl().resolve_listing(None, xml)


def fix_tables(xml: str) -> Any:
    """Return the parsed body with table grids matching the rendered cell counts."""
    return _docxtpl().fix_tables(None, xml)


def fix_docpr_ids(tree: Any) -> None:
    """Renumber drawing ids from 1001, as docxtpl does, so repeated pictures do not collide."""
    _docxtpl().fix_docpr_ids(SimpleNamespace(docx_ids_index=1000), tree)
