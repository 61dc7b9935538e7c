"""The pydantic models behind `requirements.py`: they decide, and word the error, whenever the
hand check there does not find a requirements file plainly valid.

`load_requirements` builds plain dataclasses so that a packet's Master Checklist never imports
pydantic (a tenth of a one-sheet packet's time); the models here are the contract it follows.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sc_docs.tracker.requirements import KEY_PATTERN, consistency_problem


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RequirementAnchor(_Model):
    """The done date of another requirement."""

    requirement: str = Field(pattern=KEY_PATTERN)


class FieldAnchor(_Model):
    """A date held in the applicant record, by dotted path (`application.application_date`)."""

    field: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


Anchor = RequirementAnchor | FieldAnchor


class _Anchored(_Model):
    """A deadline measured from the first anchor in `after` that has a date."""

    after: list[Anchor] = Field(min_length=1)

    @field_validator("after", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, dict) else value


class NoDeadline(_Model):
    kind: Literal["none"] = "none"


class BusinessDaysDeadline(_Anchored):
    """`days` business days after (negative: before) the anchor date."""

    kind: Literal["business_days"]
    days: int = Field(ge=-366, le=366)


class AnnualDeadline(_Anchored):
    """The next `month`/`day` on or after the anchor date (e.g. officer certification by April 30)."""

    kind: Literal["annual"]
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)

    @model_validator(mode="after")
    def _real_day(self) -> AnnualDeadline:
        import datetime as dt

        try:
            dt.date(2024, self.month, self.day)  # a leap year admits Feb 29
        except ValueError as exc:
            raise ValueError(f"no day {self.month:02d}-{self.day:02d} in the calendar") from exc
        return self


Deadline = Annotated[NoDeadline | BusinessDaysDeadline | AnnualDeadline, Field(discriminator="kind")]


class SatisfiedBy(_Model):
    """What completes a requirement: generated documents (by key) and/or evidence a person files."""

    documents: list[str] = []
    evidence: list[str] = []


class Requirement(_Model):
    """One item of the certification checklist."""

    key: str = Field(pattern=KEY_PATTERN)
    title: str = Field(min_length=1)
    party: Literal["applicant", "iso"] = "applicant"
    satisfied_by: SatisfiedBy = SatisfiedBy()
    deadline: Deadline = NoDeadline()
    reference: str | None = None

    @field_validator("deadline", mode="before")
    @classmethod
    def _none_is_none(cls, value: object) -> object:
        return {"kind": "none"} if value is None else value


class RequirementSet(_Model):
    """The whole checklist file: its `version`, calendar and requirements in display order."""

    version: str = Field(min_length=1)
    calendar: str = "US"
    requirements: list[Requirement] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> RequirementSet:
        problem = consistency_problem(self.requirements)
        if problem:
            raise ValueError(problem)
        return self
