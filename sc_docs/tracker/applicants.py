"""Reading an applicant record for `track add`.

Uses `sc_docs.sheets.load_applicant` (YAML, JSON and XLSX sheets, with validation) when the
sheets package provides it, and plain YAML otherwise, so the tracker works while sheets is built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sc_docs.tracker.errors import TrackerError


def load_record_data(path: Path) -> dict[str, Any]:
    """Return the record of the info sheet at `path` as a plain dict."""
    try:
        from sc_docs.sheets import load_applicant  # type: ignore[attr-defined]
    except ImportError:
        return _load_yaml(path)
    record = load_applicant(path)
    data = getattr(record, "data", record)
    if not isinstance(data, dict):
        raise TrackerError("the applicant record is not a mapping", file=str(path))
    return data


def _load_yaml(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TrackerError(f"cannot read: {exc.strerror or exc}", file=str(path)) from exc
    except yaml.YAMLError as exc:
        raise TrackerError(f"not valid YAML: {exc}", file=str(path)) from exc
    if not isinstance(data, dict):
        raise TrackerError("the applicant record is not a mapping", file=str(path))
    return data
