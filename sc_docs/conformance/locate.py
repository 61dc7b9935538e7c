"""Where a paragraph sits in an agreement: its article, section or schedule.

The pro forma templates number their headings in the text itself ("ARTICLE III - TERM",
"3.2 Termination", "SCHEDULE 1"), so a location is read from the text of the headings above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

_ARTICLE: Final = re.compile(r"^\s*ARTICLE\s+([IVXLCDM]+|\d+)\b")
_SCHEDULE: Final = re.compile(r"^\s*(SCHEDULE|APPENDIX|EXHIBIT|ATTACHMENT)\s+([0-9]+|[A-Z]{1,3})\b")
_SECTION: Final = re.compile(r"^\s*(?:Section\s+)?(\d+(?:\.\d+)+)\.?(?=\s|$)")
_RECITALS: Final = re.compile(r"^\s*(RECITALS|WITNESSETH)\b")


@dataclass(frozen=True, slots=True)
class Location:
    """The article (or schedule) and section a paragraph belongs to; `part` for headers etc."""

    part: str = "document"
    article: str | None = None
    section: str | None = None

    def label(self) -> str:
        if self.part != "document":
            return self.part
        bits = [b for b in (self.article, f"Section {self.section}" if self.section else None) if b]
        return ", ".join(bits) or "Preamble"

    def after(self, text: str) -> Location:
        """Return the location of the paragraphs that follow one reading `text`."""
        if self.part != "document":
            return self
        m = _ARTICLE.match(text)
        if m:
            return Location(self.part, f"Article {m.group(1)}", None)
        m = _SCHEDULE.match(text)
        if m:
            return Location(self.part, f"{m.group(1).title()} {m.group(2)}", None)
        m = _RECITALS.match(text)
        if m:
            return Location(self.part, m.group(1).title(), None)
        m = _SECTION.match(text)
        if m:
            return Location(self.part, self.article, m.group(1))
        return self
