"""Turn an uploaded sheet or CSV roster into workspace records (one new YAML file per applicant)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sc_docs.errors import ScDocsError
from sc_docs.web.workspace import Workspace


@dataclass(frozen=True)
class Imported:
    """One applicant from an upload: the record made (`id`) and its problem count, or why not."""

    label: str
    id: str | None
    legal_name: str
    problems: int
    error: str | None = None
    notice: bool = False  # `error` is a notice about the whole upload, not a refusal


def _name(data: dict[str, Any]) -> str:
    facts = data.get("applicant")
    name = facts.get("legal_name") if isinstance(facts, dict) else None
    return name if isinstance(name, str) else ""


def import_upload(workspace: Workspace, kind: str, data: bytes) -> list[Imported]:
    """Store each applicant in `data` (`kind`: yaml, json, xlsx or csv) as a new record.

    A YAML sheet is stored byte for byte, its comments kept; JSON and XLSX sheets and roster rows
    are written as YAML. Records with problems are imported too (as drafts to fix in the form).
    """
    from sc_docs.sheets.loader import parse_sheet

    label = f"upload.{kind}"
    if kind == "csv":
        return _roster(workspace, data)
    try:
        parsed, _ = parse_sheet(data, label, kind)
    except ScDocsError as exc:
        return [Imported(label, None, "", 0, exc.format_message())]
    if not isinstance(parsed, dict):
        return [Imported(label, None, "", 0, f"{label}:1: the top level must be a section of fields")]
    name = _name(parsed)
    id_ = workspace.create_raw(name, data) if kind == "yaml" else workspace.create(parsed)
    return [Imported(label, id_, name, _problems(workspace, id_))]


def _problems(workspace: Workspace, id_: str) -> int:
    """Count the problems of the stored record as the CLI would (old layouts upgraded on load)."""
    from sc_docs import load_applicant, validate

    try:
        return len(validate(load_applicant(workspace.path(id_))))
    except ScDocsError:
        return 1


def _roster(workspace: Workspace, data: bytes) -> list[Imported]:
    from sc_docs.sheets.csv_source import decode_roster, iter_roster

    text, notice = decode_roster(data)
    out = [Imported("roster.csv", None, "", 0, f"roster.csv: {notice}", notice=True)] if notice else []
    try:
        for label, item in iter_roster(text, "roster.csv"):
            if isinstance(item, ScDocsError):
                out.append(Imported(label, None, "", 0, item.format_message()))
                continue
            name = _name(item.data)
            id_ = workspace.create(item.data)
            out.append(Imported(label, id_, name, _problems(workspace, id_)))
    except ScDocsError as exc:
        out.append(Imported("roster.csv", None, "", 0, exc.format_message()))
    return out
