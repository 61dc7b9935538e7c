"""Turn JSON Schema errors and domain-rule findings into located, plain-language problems."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any, Final

from sc_docs.sheets import rules
from sc_docs.sheets.problems import Problem, short
from sc_docs.sheets.record import ApplicantRecord, Path_, format_path
from sc_docs.sheets.schema import subschema, validator

_TYPE_WORDS = {
    "string": "text",
    "object": "a section of fields",
    "array": "a list",
    "boolean": "true or false",
    "number": "a number",
    "integer": "a whole number",
    "null": "nothing",
}


def _type_message(expected: Any, value: Any) -> str:
    names: list[str] = expected if isinstance(expected, list) else [expected]
    words = " or ".join(_TYPE_WORDS.get(n) or n for n in names)
    msg = f"must be {words}; got {short(value)}"
    if "string" in names and isinstance(value, (int, float)) and not isinstance(value, bool):
        msg += " (put it in quotes so it stays text, e.g. \"" + str(value) + "\")"
    if "string" in names and isinstance(value, bool):
        msg += " (YAML reads yes/no/on/off as true/false: put the text in quotes)"
    return msg


def _problem(record: ApplicantRecord, path: Path_, message: str, rule: str) -> Problem:
    loc = record.locate(path)
    return Problem(loc.file, loc.line, format_path(path), message, rule, loc.cell)


def _missing(record: ApplicantRecord, path: Path_) -> list[Problem]:
    """A required field absent: "empty" at its own line when the sheet left it blank.

    A required section left wholly blank (as `sheet new` writes it) names each required field
    inside it, so the user sees every line to fill rather than only the section's heading.
    """
    if path not in record.blanks:
        return [_problem(record, path, "required field is missing", "required")]
    inner = _blank_required(record, path, subschema(path) or {})
    return inner or [_blank(record, path)]


def _blank_required(record: ApplicantRecord, path: Path_, schema: dict[str, Any]) -> list[Problem]:
    out: list[Problem] = []
    for name in schema.get("required", []):
        here = (*path, name)
        if here not in record.blanks:
            continue
        sub = subschema(here) or {}
        out.extend(_blank_required(record, here, sub) or [_blank(record, here)])
    return out


def _blank(record: ApplicantRecord, path: Path_) -> Problem:
    loc = record.blanks[path]
    return Problem(loc.file, loc.line, format_path(path), "required field is empty", "required", loc.cell)


def _schema_problems(record: ApplicantRecord, error: Any) -> list[Problem]:
    path: Path_ = tuple(error.absolute_path)
    kw = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    value = error.instance
    if schema.get("x-sensitive") and not isinstance(value, (dict, list)):
        from sc_docs.catalog.sensitive import mask

        value = mask(value)  # bank numbers never reach a message whole
    if kw == "required":
        present = value if isinstance(value, dict) else {}
        missing = [name for name in error.validator_value if name not in present]
        return [p for n in missing for p in _missing(record, (*path, n))]
    if kw == "minItems" and isinstance(value, list):
        left_blank = sorted(p for p in record.blanks if len(p) == len(path) + 1 and p[: len(path)] == path)
        if left_blank:
            return [_blank(record, p) for p in left_blank[: error.validator_value - len(value)]]
    if kw == "additionalProperties" and isinstance(value, dict):
        known = list(schema.get("properties", {}))
        out = []
        for key in value:
            if key in known:
                continue
            near = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            hint = f"; did you mean '{near[0]}'?" if near else f"; expected one of: {', '.join(known)}"
            problem = _problem(record, (*path, key), f"unknown field '{key}'{hint}", "unknown-field")
            out.append(problem)
            if near:  # the misspelling explains the missing field: report it once
                out.append(Problem("", None, format_path((*path, near[0])), "", "explained-by-misspelling"))
        return out
    if kw == "type":
        return [_problem(record, path, _type_message(error.validator_value, value), "type")]
    custom = schema.get("x-message")
    if custom and kw in {"pattern", "format", "enum", "minLength", "maxLength", "const"}:
        if kw == "maxLength" and isinstance(value, str):
            # a length is measured, not described: the count says more than the custom text
            return [_problem(record, path, _generic(kw, schema["maxLength"], value), kw)]
        return [_problem(record, path, f"{custom}; got {short(value)}", kw)]
    return [_problem(record, path, _generic(kw, error.validator_value, value), kw)]


# One message per JSON Schema keyword, named as the keyword: (expected, value) -> message.
_MESSAGES: Final[dict[str, Callable[[Any, Any], str]]] = {
    "enum": lambda expected, value: f"must be one of {', '.join(map(str, expected))}; got {short(value)}",
    "const": lambda expected, value: f"must be {short(expected)}; got {short(value)}",
    "minItems": lambda expected, value: f"must list at least {expected} item{'s' if expected != 1 else ''}; got {short(value)}",
    "maxItems": lambda expected, value: f"must list at most {expected} items; got {short(value)}",
    "minLength": lambda expected, value: "must not be empty" if expected == 1 else f"must be at least {expected} characters",
    "maxLength": lambda expected, value: f"is too long: at most {expected:,} characters, got {len(value):,}",
    "minProperties": lambda expected, value: "must contain at least one section",
    "minimum": lambda expected, value: f"must be at least {expected}; got {short(value)}",
    "maximum": lambda expected, value: f"must be at most {expected}; got {short(value)}",
    "uniqueItems": lambda expected, value: "must not list the same item twice",
    "format": lambda expected, value: f"must be a valid {expected}; got {short(value)}",
    "pattern": lambda expected, value: f"does not have the expected form; got {short(value)}",
}


def _generic(kw: str, expected: Any, value: Any) -> str:
    message = _MESSAGES.get(kw)
    return message(expected, value) if message else f"is not valid ({kw}); got {short(value)}"


def validate_record(record: ApplicantRecord | dict[str, Any], schemas: Any = None) -> list[Problem]:
    """Return every problem in `record` (schema and domain rules), sorted in source order.

    `schemas` is the `SchemaSet` to check against (default: the bundled catalog's).
    """
    if not isinstance(record, ApplicantRecord):
        record = ApplicantRecord(data=record, sources=["<record>"])
    problems: list[Problem] = list(record.problems)
    for error in (schemas.validator() if schemas is not None else validator()).iter_errors(record.data):
        problems.extend(_schema_problems(record, error))
    for path, message, rule in rules.check(record.data):
        problems.append(_problem(record, path, message, rule))
    explained = {p.path for p in problems if p.rule == "explained-by-misspelling"}
    # A value Excel spoiled is explained by that note; its pattern failure would only repeat it.
    spoiled = {p.path for p in problems if p.rule == "leading-zero-lost"}
    problems = [
        p for p in problems
        if p.rule != "explained-by-misspelling" and not (p.rule == "required" and p.path in explained)
        and not (p.path in spoiled and p.rule != "leading-zero-lost")
    ]
    unique = {(p.file, p.line, p.path, p.message): p for p in problems}
    return sorted(unique.values(), key=Problem.sort_key)
