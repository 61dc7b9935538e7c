"""The applicant record as loaded: plain data plus where each value came from."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from sc_docs import fieldpath

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Location:
    """Where a value sits in its source: a file plus a line (YAML/JSON) or a cell (XLSX)."""

    file: str
    line: int | None = None
    cell: str | None = None

    def format(self) -> str:
        if self.cell:
            return f"{self.file}:{self.cell}"
        if self.line is not None:
            return f"{self.file}:{self.line}"
        return self.file


@dataclass
class ApplicantRecord:
    """One applicant's data (`data`, plain JSON-like values) and the source of each value.

    `positions` maps a path such as `("applicant", "legal_address", "street", 0)` to its `Location`.
    `problems` holds what loading found but did not refuse outright (e.g. two sheets disagreeing on
    the legal name); `sc_docs.validate` reports them with the schema problems. `blanks` maps each
    field the sheet left empty (and loading removed as "not given") to where it was, so a required
    one is reported as empty at its own line or cell.
    """

    data: dict[str, Any]
    sources: list[str]
    positions: dict[Path_, Location] = field(default_factory=dict)
    problems: list[Any] = field(default_factory=list)
    blanks: dict[Path_, Location] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)  # not problems: e.g. the old layout was read

    def __post_init__(self) -> None:
        # NFC and NFD spellings of one name ("Río" typed on two systems) are the same text:
        # normalize every value once, where the record is built, so no comparison sees a difference.
        self.data = _nfc(self.data)

    @property
    def source(self) -> str:
        """The file name used when an error has no better location."""
        return self.sources[0] if self.sources else "<record>"

    def locate(self, path: Path_) -> Location:
        """Return the location of `path`, or of its nearest ancestor that has one."""
        p = tuple(path)
        while True:
            loc = self.positions.get(p)
            if loc is not None:
                return loc
            if not p:
                return Location(self.source)
            p = p[:-1]


def _nfc(value: Any) -> Any:
    """Return `value` with every string in it (not the keys: they are field names) in NFC."""
    if isinstance(value, str):
        return value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {k: _nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    return value


def format_path(path: Path_) -> str:
    """Render a path as users write it: `documents.msa_sc.resources[0].resource_id`."""
    return fieldpath.format(path)


def parse_path(text: str) -> Path_:
    """Parse `a.b[0].c` back into `("a", "b", 0, "c")`; raise ValueError when malformed."""
    return fieldpath.parse(text)
