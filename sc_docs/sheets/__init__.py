"""Info sheets: loading (YAML, JSON, XLSX) with source positions, and validation.

`load_applicant(path)` returns an `ApplicantRecord`; `validate(record)` returns its problems.
"""

from __future__ import annotations

from sc_docs.sheets.loader import load_applicant, load_sheet
from sc_docs.sheets.problems import Problem
from sc_docs.sheets.record import ApplicantRecord, Location
from sc_docs.sheets.validate import validate_record as validate

__all__ = ["ApplicantRecord", "Location", "Problem", "load_applicant", "load_sheet", "validate"]
