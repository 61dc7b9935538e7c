"""Plain records the tracker returns: rows of its tables, detached from the database."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["done", "waived", "pending"]
STATUSES: tuple[Status, ...] = ("done", "waived", "pending")


@dataclass(frozen=True)
class Applicant:
    """A registered applicant and the shared facts of its record."""

    id: int
    slug: str
    legal_name: str
    application_date: dt.date | None
    facts: dict[str, Any]
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Event:
    """One row of the append-only history."""

    id: int
    slug: str
    action: str
    requirement: str | None
    old_status: str | None
    new_status: str | None
    effective_date: dt.date | None
    note: str | None
    evidence_file: str | None
    evidence_sha256: str | None
    actor: str
    recorded_at: str
    requirements_version: str | None
    detail: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["effective_date"] = self.effective_date.isoformat() if self.effective_date else None
        return data


@dataclass(frozen=True)
class DocumentRecord:
    """A document generated for an applicant, as recorded from a packet."""

    slug: str
    legal_name: str
    key: str
    title: str | None
    version: str | None
    template_sha256: str | None
    sha256: str | None
    file: str | None
    packet_date: dt.date
    event_id: int

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["packet_date"] = self.packet_date.isoformat()
        return data


@dataclass(frozen=True)
class AddResult:
    """What `add_applicant` did: `created`, or which shared facts `changed` (empty: nothing)."""

    slug: str
    created: bool
    changed: list[str] = field(default_factory=list)


def parse_iso(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def dumps(data: Any) -> str:
    """Serialize `data` canonically (sorted keys, dates as ISO) so equal facts compare equal."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=_default)


def _default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in the tracker")
