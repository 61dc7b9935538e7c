"""The certification checklist as data: `pro_forma/requirements.yaml`, validated by pydantic.

Keeping the requirements in a versioned file means a changed BPM is an edit and a version bump,
not a code change; the tracker stores the version next to every history row.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sc_docs.errors import RequirementsFileError

KEY_PATTERN = r"^[a-z][a-z0-9_]*$"


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
        keys = [r.key for r in self.requirements]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"duplicate requirement keys: {', '.join(dupes)}")
        for req in self.requirements:
            for anchor in getattr(req.deadline, "after", []):
                if isinstance(anchor, RequirementAnchor) and anchor.requirement not in keys:
                    raise ValueError(f"{req.key}: deadline after unknown requirement '{anchor.requirement}'")
        self._check_cycles()
        return self

    def _check_cycles(self) -> None:
        graph = {
            r.key: [a.requirement for a in getattr(r.deadline, "after", []) if isinstance(a, RequirementAnchor)]
            for r in self.requirements
        }
        state: dict[str, int] = {}

        def visit(key: str, trail: list[str]) -> None:
            if state.get(key) == 2:
                return
            if state.get(key) == 1:
                raise ValueError(f"deadlines depend on each other in a circle: {' -> '.join(trail + [key])}")
            state[key] = 1
            for nxt in graph[key]:
                visit(nxt, trail + [key])
            state[key] = 2

        for key in graph:
            visit(key, [])

    @cached_property
    def by_key(self) -> dict[str, Requirement]:
        return {r.key: r for r in self.requirements}

    @property
    def keys(self) -> list[str]:
        return [r.key for r in self.requirements]


def default_requirements_path() -> Path:
    """Return the bundled `pro_forma/requirements.yaml`."""
    from sc_docs.paths import pro_forma_dir

    return pro_forma_dir() / "requirements.yaml"


def load_requirements(path: str | os.PathLike[str] | None = None) -> RequirementSet:
    """Read and validate the requirements file at `path` (`None`: the bundled one).

    The file is read every time, but parsed and validated once per distinct content: a batch
    builds a checklist for every packet, and parsing the YAML again cost 8 ms a packet. The
    models are frozen, so every caller can share one.
    """
    import yaml

    from sc_docs import yamlfile

    file = Path(path) if path is not None else default_requirements_path()
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise RequirementsFileError(f"cannot read: {exc.strerror or exc}", file=str(file)) from exc
    except UnicodeDecodeError as exc:
        raise RequirementsFileError(f"not UTF-8 text: {exc.reason}", file=str(file)) from exc
    known = _PARSED.get(text)
    if known is not None:
        return known
    try:
        raw = yamlfile.safe_load(text)
    except yaml.YAMLError as exc:
        raise RequirementsFileError(f"not valid YAML: {exc}", file=str(file)) from exc
    try:
        parsed = RequirementSet.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "<root>"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise RequirementsFileError(f"{where}: {first['msg']}{more}", file=str(file)) from exc
    if len(_PARSED) >= 8:
        _PARSED.clear()
    _PARSED[text] = parsed
    return parsed


#: Requirement sets already validated, by the text they came from (a handful at most).
_PARSED: dict[str, RequirementSet] = {}
