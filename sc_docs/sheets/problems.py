"""A validation problem: where it is, which rule it broke, and a message an analyst understands."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in an info sheet. `cell` is set instead of `line` for workbook sources."""

    file: str
    line: int | None
    path: str
    message: str
    rule: str
    cell: str | None = None

    def where(self) -> str:
        if self.cell:
            return f"{self.file}:{self.cell}"
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    def format(self) -> str:
        """Return `FILE:LINE: field.path: message`."""
        return f"{self.where()}: {self.path}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def sort_key(self) -> tuple[str, int, str]:
        return (self.file, self.line if self.line is not None else 0, self.cell or "")


def short(value: Any, limit: int = 60) -> str:
    """Return `repr`-like text of `value` cut to `limit` characters, for messages."""
    if isinstance(value, str):
        text = value if len(value) <= limit else value[: limit - 1] + "…"
        return "'" + text.replace("\n", "\\n") + "'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a section of fields"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
