"""Info sheets: loading (YAML, JSON, XLSX) with source positions, and validation.

`load_applicant(path)` returns an `ApplicantRecord`; `validate(record)` returns its problems;
`load_valid_applicant(path)` does both and raises `ValidationFailed` (what every command that
makes a document needs).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from sc_docs.sheets.loader import load_applicant, load_sheet
from sc_docs.sheets.problems import Problem
from sc_docs.sheets.record import ApplicantRecord, Location
from sc_docs.sheets.validate import validate_record as validate

__all__ = [
    "ApplicantRecord", "Location", "Problem", "load_applicant", "load_sheet", "load_valid_applicant",
    "require_valid", "validate",
]


def require_valid(record: ApplicantRecord, schemas: Any = None) -> ApplicantRecord:
    """Return `record` if it is valid against `schemas` (default: the bundled catalog's);
    otherwise raise `ValidationFailed` listing every problem."""
    from sc_docs.errors import ValidationFailed

    problems = validate(record, schemas=schemas) if schemas is not None else validate(record)
    if problems:
        raise ValidationFailed(problems, file=record.source)
    return record


def load_valid_applicant(source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> ApplicantRecord:
    """Load the applicant of `source` (a sheet, a folder, or several sheets) and `require_valid` it."""
    return require_valid(load_applicant(source))
