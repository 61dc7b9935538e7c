"""A validation problem: where it is, which rule it broke, and a message an analyst understands."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

# What a message must not carry to a terminal or a JSON report: control characters (an ESC
# sequence in a field name could recolour or retitle the user's terminal), lone surrogates (no
# encoder writes them) and bidirectional overrides (they reorder what the user reads).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
MAX_MESSAGE = 1_000
MAX_PATH = 300


def printable(text: str, limit: int | None = None) -> str:
    """Return `text` with unprintable characters shown as `\\xNN` / `\\uNNNN`, cut to `limit`."""
    def escape(m: re.Match[str]) -> str:
        code = ord(m.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return _UNPRINTABLE.sub(escape, text)


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in an info sheet. `cell` is set instead of `line` for workbook sources."""

    file: str
    line: int | None
    path: str
    message: str
    rule: str
    cell: str | None = None

    def __post_init__(self) -> None:
        # Sheets are untrusted: what they hold reaches messages only escaped and bounded.
        object.__setattr__(self, "file", printable(self.file, MAX_PATH))
        object.__setattr__(self, "path", printable(self.path, MAX_PATH))
        object.__setattr__(self, "message", printable(self.message, MAX_MESSAGE))

    def where(self) -> str:
        if self.cell:
            return f"{self.file}:{self.cell}"
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    def format(self) -> str:
        """Return `FILE:LINE: field.path: message`."""
        return f"{self.where()}: {self.path}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def sort_key(self) -> tuple[str, int, int, str]:
        """Order by file, then line, then workbook row (B9 before B10), then cell."""
        row = re.search(r"(\d+)$", self.cell or "")
        return (self.file, self.line if self.line is not None else 0, int(row.group(1)) if row else 0, self.cell or "")


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
