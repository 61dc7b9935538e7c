"""The verification report: JSON-serialisable pydantic models."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Deviation(BaseModel):
    """Text that differs from the pro forma where only fill-ins may differ."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["inserted", "deleted", "changed", "formatting", "hidden", "embedded", "bound"] = Field(
        description="hidden: text in the file no reader sees (read as deleted); embedded: an embedded document "
                    "or object; bound: a content control whose data binding holds other text than it shows.")
    tracked: bool = Field(default=False, description="A pending tracked change (w:ins / w:del).")
    location: str = Field(description="Article / section / schedule, or header / footer.")
    article: str | None = None
    section: str | None = None
    part: str = "document"
    paragraph: int | None = Field(
        default=None,
        description="1-based paragraph number in its part (empty ones counted); for a deletion, the paragraph now in its place.",
    )
    expected: str = Field(default="", description="The pro forma's text (empty for an insertion).")
    found: str = Field(default="", description="The document's text (empty for a deletion).")
    before: str = ""
    after: str = ""
    fill_in: str | None = Field(default=None, description="The fill-in involved, when a fill-in reads differently in different places.")
    author: str | None = None
    date: str | None = None
    reason: str | None = Field(default=None, description="Why hidden text cannot be seen; what an embedded or bound item is.")

    def describe(self) -> str:
        what = {"inserted": "inserted", "deleted": "deleted", "changed": "changed", "formatting": "formatting changed",
                "hidden": "text no reader sees", "embedded": "embedded content", "bound": "content control bound to other text"}[self.kind]
        if self.tracked:
            what = f"tracked {what}"
        where = self.location + (f", {self.part} paragraph {self.paragraph}" if self.paragraph else "")
        if self.kind == "changed":
            body = f"{_q(self.expected)} -> {_q(self.found)}"
        elif self.kind == "inserted":
            body = _q(self.found)
        elif self.kind == "deleted":
            body = _q(self.expected)
        elif self.kind == "hidden":
            body = f"{_q(self.found)} ({self.reason})"
        elif self.kind == "bound":
            body = f"shows {_q(self.expected)}, bound to {_q(self.found)}"
        else:
            body = self.found
        extra = f" (fill-in {self.fill_in})" if self.fill_in else ""
        by = f" by {self.author}" if self.author else ""
        return f"{where}: {what}{by}: {body}{extra}"


def _q(text: str, width: int = 160) -> str:
    text = " ".join(text.split())
    return '"' + (text if len(text) <= width else text[: width - 3] + "...") + '"'


class Comment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    author: str | None = None
    date: str | None = None
    text: str
    anchor: str = Field(default="", description="The text the comment is attached to.")
    location: str | None = None
    part: str | None = None
    paragraph: int | None = None


class FillIn(BaseModel):
    """A fill-in value read back from the document."""

    model_config = ConfigDict(extra="forbid")

    path: str
    value: Any
    displayed: str
    source: Literal["exact", "inverted", "guessed", "inferred", "fuzzy", "displayed"]
    occurrences: int = 1


class SheetDifference(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str
    sheet: Any
    document: Any
    location: str | None = None


class Identification(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str
    title: str
    version: str
    template_sha256: str
    by: Literal["properties", "similarity", "option"]
    similarity: float | None = Field(default=None, description="Text similarity (0-1) when identified by similarity.")
    properties: dict[str, str] = Field(default_factory=dict, description="The sc_docs.* custom properties found.")


class Report(BaseModel):
    """The outcome of `verify_docx`: conforming or each deviation, plus the fill-ins read back."""

    model_config = ConfigDict(extra="forbid")

    file: str | None = None
    template: Identification
    conforming: bool
    strict: bool = False
    deviations: list[Deviation] = Field(default_factory=list)
    comments: list[Comment] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    fill_ins: list[FillIn] = Field(default_factory=list)
    record: dict[str, Any] = Field(default_factory=dict, description="The fill-ins as an applicant record (applicant, documents.KEY).")
    sheet: str | None = None
    sheet_differences: list[SheetDifference] = Field(default_factory=list)

    @property
    def matches_sheet(self) -> bool | None:
        return None if self.sheet is None else not self.sheet_differences

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
