"""Check a returned agreement against its pro forma and read its fill-ins back.

Public API:

- `verify_docx(data, *, template_key=None, sheet=None, strict=False) -> Report`: identify the
  pro forma (custom properties `sc_docs.template_key` / `_version` / `_sha256`, else the most
  similar bundled template), align the document's text with the template's, and report whether
  only fill-ins differ; otherwise each inserted, deleted or changed text with its article /
  section, paragraph and snippets. What a reader sees is compared: hidden text (vanished, white
  on white, tiny, off the page) counts as deleted and is reported (`hidden`), field results are
  text, embedded documents (`embedded`) and bound content controls (`bound`) are deviations.
  Pending tracked changes are deviations (marked `tracked`),
  comments are listed, formatting counts only with `strict`. `sheet` (a path or a record)
  adds `sheet_differences`. `Report.to_json()` gives plain JSON.
- `extract_fill_ins(data, template_key=None) -> dict`: the fill-ins as an applicant record,
  `{"applicant": {...}, "documents": {key: {...}}}`; dates come back as ISO strings.

A file that is not a readable DOCX raises `UnreadableFileError` (exit code 2).
"""

from __future__ import annotations

from .report import Comment, Deviation, FillIn, Identification, Report, SheetDifference
from .verify import extract_fill_ins, verify_docx

__all__ = [
    "Comment",
    "Deviation",
    "FillIn",
    "Identification",
    "Report",
    "SheetDifference",
    "extract_fill_ins",
    "verify_docx",
]
