"""The certification checklist as data: `pro_forma/requirements.yaml`, read into plain dataclasses.

Keeping the requirements in a versioned file means a changed BPM is an edit and a version bump,
not a code change; the tracker stores the version next to every history row.

The pydantic models of `requirements_schema` are the contract. A file that is plainly valid
(exact types, every constraint met) is read here by hand, because importing pydantic cost a tenth
of a one-sheet packet whose Master Checklist reads this file; anything else goes to pydantic,
which accepts it (converting as it always did) or words the error exactly as before.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from sc_docs.errors import RequirementsFileError

KEY_PATTERN = r"^[a-z][a-z0-9_]*$"
_KEY = re.compile(r"[a-z][a-z0-9_]*")
_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


@dataclass(frozen=True)
class RequirementAnchor:
    """The done date of another requirement."""

    requirement: str


@dataclass(frozen=True)
class FieldAnchor:
    """A date held in the applicant record, by dotted path (`application.application_date`)."""

    field: str


Anchor = RequirementAnchor | FieldAnchor


@dataclass(frozen=True)
class NoDeadline:
    kind: Literal["none"] = "none"


@dataclass(frozen=True)
class BusinessDaysDeadline:
    """`days` business days after (negative: before) the first anchor in `after` that has a date."""

    kind: Literal["business_days"]
    days: int
    after: list[Anchor]


@dataclass(frozen=True)
class AnnualDeadline:
    """The next `month`/`day` on or after the first anchor date (e.g. officer certification by April 30)."""

    kind: Literal["annual"]
    month: int
    day: int
    after: list[Anchor]


Deadline = NoDeadline | BusinessDaysDeadline | AnnualDeadline


@dataclass(frozen=True)
class SatisfiedBy:
    """What completes a requirement: generated documents (by key) and/or evidence a person files."""

    documents: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Requirement:
    """One item of the certification checklist."""

    key: str
    title: str
    party: Literal["applicant", "iso"] = "applicant"
    satisfied_by: SatisfiedBy = field(default_factory=SatisfiedBy)
    deadline: Deadline = field(default_factory=NoDeadline)
    reference: str | None = None


@dataclass(frozen=True)
class RequirementSet:
    """The whole checklist file: its `version`, calendar and requirements in display order."""

    version: str
    requirements: list[Requirement]
    calendar: str = "US"

    @cached_property
    def by_key(self) -> dict[str, Requirement]:
        return {r.key: r for r in self.requirements}

    @property
    def keys(self) -> list[str]:
        return [r.key for r in self.requirements]


def consistency_problem(requirements: list[Any]) -> str | None:
    """Say what is inconsistent across `requirements` (duplicate keys, unknown or circular
    anchors); None when nothing is. Shared with the pydantic contract, so both word it alike."""
    keys = [r.key for r in requirements]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        return f"duplicate requirement keys: {', '.join(dupes)}"
    graph: dict[str, list[str]] = {}
    for req in requirements:
        graph[req.key] = []
        for anchor in getattr(req.deadline, "after", []):
            target = getattr(anchor, "requirement", None)
            if target is None:
                continue
            if target not in keys:
                return f"{req.key}: deadline after unknown requirement '{target}'"
            graph[req.key].append(target)
    state: dict[str, int] = {}

    def visit(key: str, trail: list[str]) -> str | None:
        if state.get(key) == 2:
            return None
        if state.get(key) == 1:
            return f"deadlines depend on each other in a circle: {' -> '.join(trail + [key])}"
        state[key] = 1
        for nxt in graph[key]:
            found = visit(nxt, trail + [key])
            if found:
                return found
        state[key] = 2
        return None

    for key in graph:
        found = visit(key, [])
        if found:
            return found
    return None


def default_requirements_path() -> Path:
    """Return the bundled `pro_forma/requirements.yaml`."""
    from sc_docs.paths import pro_forma_dir

    return pro_forma_dir() / "requirements.yaml"


def load_requirements(path: str | os.PathLike[str] | None = None) -> RequirementSet:
    """Read and validate the requirements file at `path` (`None`: the bundled one).

    The file is read every time, but parsed and validated once per distinct content: a batch
    builds a checklist for every packet, and parsing the YAML again cost 8 ms a packet. The
    records are frozen, so every caller can share one.
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
    parsed = plain_requirements(raw) or _by_contract(raw, file)
    if len(_PARSED) >= 8:
        _PARSED.clear()
    _PARSED[text] = parsed
    return parsed


#: Requirement sets already validated, by the text they came from (a handful at most).
_PARSED: dict[str, RequirementSet] = {}


def _by_contract(raw: Any, file: Path) -> RequirementSet:
    """Let pydantic decide what the hand check did not accept: its requirements, or its error."""
    from pydantic import ValidationError

    from sc_docs.tracker.requirements_schema import RequirementSet as Contract

    try:
        checked = Contract.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "<root>"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise RequirementsFileError(f"{where}: {first['msg']}{more}", file=str(file)) from exc
    plain = plain_requirements(checked.model_dump())
    if plain is None:  # pragma: no cover - the contract accepted what its own output breaks
        raise RequirementsFileError("the requirements checks disagree; please report this", file=str(file))
    return plain


# --------------------------------------------------------------------------- the hand check


def _text(value: Any) -> bool:
    return type(value) is str


def _texts(value: Any) -> bool:
    return type(value) is list and all(type(v) is str for v in value)


def _whole(value: Any, low: int, high: int) -> bool:
    return type(value) is int and low <= value <= high


def plain_requirements(raw: Any) -> RequirementSet | None:
    """Return the requirements in `raw` when they are plainly valid; None when pydantic must decide."""
    if type(raw) is not dict or not set(raw) <= {"version", "calendar", "requirements"}:
        return None
    version, calendar, items = raw.get("version"), raw.get("calendar", "US"), raw.get("requirements")
    if not (_text(version) and version and _text(calendar) and type(items) is list and items):
        return None
    requirements = [_requirement(item) for item in items]
    if any(r is None for r in requirements) or consistency_problem(requirements):
        return None
    return RequirementSet(version=version, calendar=calendar, requirements=requirements)  # type: ignore[arg-type]


def _requirement(raw: Any) -> Requirement | None:
    if type(raw) is not dict or not set(raw) <= {"key", "title", "party", "satisfied_by", "deadline", "reference"}:
        return None
    key, title, party = raw.get("key"), raw.get("title"), raw.get("party", "applicant")
    if not (_text(key) and _KEY.fullmatch(key) and _text(title) and title and _text(party) and party in ("applicant", "iso")):
        return None
    reference = raw.get("reference")
    if reference is not None and not _text(reference):
        return None
    satisfied = raw.get("satisfied_by", {})
    if type(satisfied) is not dict or not set(satisfied) <= {"documents", "evidence"}:
        return None
    if not all(_texts(satisfied.get(n, [])) for n in ("documents", "evidence")):
        return None
    deadline = _deadline(raw.get("deadline"))
    if deadline is None:
        return None
    return Requirement(
        key=key, title=title, party=party, reference=reference, deadline=deadline,
        satisfied_by=SatisfiedBy(documents=list(satisfied.get("documents", [])), evidence=list(satisfied.get("evidence", []))),
    )


def _deadline(raw: Any) -> Deadline | None:
    if raw is None:
        return NoDeadline()
    if type(raw) is not dict:
        return None
    kind = raw.get("kind")
    if kind == "none" and set(raw) == {"kind"}:
        return NoDeadline()
    after = _anchors(raw.get("after"))
    if after is None:
        return None
    if kind == "business_days" and set(raw) == {"kind", "days", "after"} and _whole(raw["days"], -366, 366):
        return BusinessDaysDeadline(kind="business_days", days=raw["days"], after=after)
    if kind == "annual" and set(raw) == {"kind", "month", "day", "after"} and _whole(raw["month"], 1, 12) and _whole(raw["day"], 1, 31):
        try:
            dt.date(2024, raw["month"], raw["day"])  # a leap year admits Feb 29
        except ValueError:
            return None
        return AnnualDeadline(kind="annual", month=raw["month"], day=raw["day"], after=after)
    return None


def _anchors(raw: Any) -> list[Anchor] | None:
    items = [raw] if type(raw) is dict else raw
    if type(items) is not list or not items:
        return None
    out: list[Anchor] = []
    for item in items:
        if type(item) is dict and set(item) == {"requirement"} and _text(item["requirement"]) and _KEY.fullmatch(item["requirement"]):
            out.append(RequirementAnchor(requirement=item["requirement"]))
        elif type(item) is dict and set(item) == {"field"} and _text(item["field"]) and _FIELD.fullmatch(item["field"]):
            out.append(FieldAnchor(field=item["field"]))
        else:
            return None
    return out
