"""sc-docs: the paperwork of becoming a CAISO Scheduling Coordinator, generated and checked."""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from sc_docs.sheets import ApplicantRecord, Problem


def load_applicant(source: Any) -> ApplicantRecord:
    """Load an applicant record from a sheet file, a folder of sheets, or several files."""
    from sc_docs.sheets import load_applicant as _load

    return _load(source)


def load_valid_applicant(source: Any) -> ApplicantRecord:
    """Load an applicant record and validate it; an invalid one raises `sc_docs.errors.ValidationFailed`."""
    from sc_docs.sheets import load_valid_applicant as _load_valid

    return _load_valid(source)


def validate(record: Any) -> list[Problem]:
    """Return every problem in `record` (an `ApplicantRecord` or a plain dict), in source order."""
    from sc_docs.sheets import validate as _validate

    return _validate(record)
