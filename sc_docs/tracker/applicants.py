"""Reading an applicant record for `track add`, through the sheets loader (YAML, JSON, XLSX)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sc_docs.errors import TrackerError


def load_record_data(path: Path) -> dict[str, Any]:
    """Return the record of the info sheet (or folder of sheets) at `path` as a plain dict.

    Sheets that disagree on a shared fact (two spellings of the legal name) are refused: the
    tracker would not know which one to register. So is a sheet `sc-docs validate` rejects (a
    control character in a name, say): what the tracker keeps, it later prints and reports.
    """
    from sc_docs.errors import ValidationFailed
    from sc_docs.sheets import load_applicant, validate

    record = load_applicant(path)
    if record.problems:
        first = record.problems[0]
        text = first.format() if hasattr(first, "format") else str(first)
        more = f" (and {len(record.problems) - 1} more)" if len(record.problems) > 1 else ""
        raise TrackerError(f"the sheets disagree: {text}{more}; run `sc-docs validate` first", file=str(path))
    if not isinstance(record.data, dict):
        raise TrackerError("the applicant record is not a mapping", file=str(path))
    problems = validate(record)
    if problems:
        raise ValidationFailed(problems, file=str(path))
    return record.data
