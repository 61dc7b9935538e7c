"""Domain rules JSON Schema cannot say: checked beside the validator, reported the same way.

Each rule yields `(path, message, rule)`; rules look only at values of the right shape and leave
shape problems to the schema, so one mistake is reported once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from sc_docs import fieldpath
from sc_docs.sheets.record import Path_

Finding = tuple[Path_, str, str]

# Characters XML 1.0 cannot hold (as pasted from spreadsheets), plus lone surrogates and the
# two non-characters. Policy: reject with the field named; never strip silently.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _date(value: Any) -> date | None:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _norm(text: Any) -> str:
    return " ".join(str(text).split()).casefold()


def control_characters(data: Any, path: Path_ = ()) -> Iterator[Finding]:
    """Reject text holding characters a Word or PDF document cannot carry."""
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and _ILLEGAL.search(key):
                yield (*path, key), "field name contains a control character", "control-character"
            yield from control_characters(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from control_characters(value, (*path, i))
    elif isinstance(data, str):
        m = _ILLEGAL.search(data)
        if m:
            code = f"U+{ord(m.group()):04X}"
            yield path, (
                f"contains the invisible control character {code} at position {m.start() + 1} "
                "(often pasted from a spreadsheet); delete it and retype the text"
            ), "control-character"


def _sections(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The record's document sections (`documents.<key>`) that are sections of fields."""
    from sc_docs.catalog import document_sections

    return [(k, v) for k, v in document_sections(data).items() if isinstance(v, dict)]


def _field(data: dict[str, Any], name: str) -> tuple[Path_, Any] | None:
    """The first document section holding field `name`: facts are found by field, not by document."""
    from sc_docs.catalog import section_field

    return section_field(data, name)


def distinct_scid_choices(data: dict[str, Any]) -> Iterator[Finding]:
    found = _field(data, "scid_choices")
    if found is None or not isinstance(found[1], list):
        return
    path, choices = found
    first: dict[str, int] = {}
    for i, scid in enumerate(choices):
        if not isinstance(scid, str):
            continue
        if scid in first:
            yield (
                (*path, i),
                f"SCID choice {i + 1} '{scid}' repeats choice {first[scid] + 1}; the three choices must differ",
                "distinct-scid-choices",
            )
        else:
            first[scid] = i


def effective_dates(data: dict[str, Any]) -> Iterator[Finding]:
    found = _field(data, "application_date")
    applied = _date(found[1]) if found else None
    if found is None or applied is None:
        return
    app_path = found[0][:-1]
    start = _date(fieldpath.get(data, (*app_path, "proposed_commencement_date"), None))
    if start is not None and start < applied:
        yield (
            (*app_path, "proposed_commencement_date"),
            f"proposed commencement date {start} is before the application date {applied}",
            "dates-not-before-application",
        )
    for key, section in _sections(data):
        eff = _date(section.get("effective_date"))
        if eff is not None and eff < applied:
            yield (
                ("documents", key, "effective_date"),
                f"effective date {eff} is before the application date {applied} "
                f"({fieldpath.format(found[0])})",
                "dates-not-before-application",
            )


def distinct_representatives(data: dict[str, Any]) -> Iterator[Finding]:
    facts = data.get("applicant")
    if not isinstance(facts, dict):
        return
    primary, alternate = facts.get("primary_representative"), facts.get("alternate_representative")
    if not (isinstance(primary, dict) and isinstance(alternate, dict)):
        return
    for field in ("name", "email"):
        a, b = primary.get(field), alternate.get(field)
        if isinstance(a, str) and isinstance(b, str) and _norm(a) == _norm(b):
            yield (
                ("applicant", "alternate_representative", field),
                f"the alternate representative must be a different person from the primary; "
                f"both have {field} '{b}'",
                "distinct-representatives",
            )


def scheduling_agent_name(data: dict[str, Any]) -> Iterator[Finding]:
    found = _field(data, "uses_scheduling_agent")
    if found is None or found[1] is not False:
        return
    path = (*found[0][:-1], "scheduling_agent_name")
    if fieldpath.get(data, path, None) is not None:
        yield (path, "a Scheduling Agent is named but uses_scheduling_agent is false", "scheduling-agent")


_ATTENTION = re.compile(r"^\s*(attn\b|attention\b|c/o\b|care of\b)", re.I)


def attention_lines(data: dict[str, Any]) -> Iterator[Finding]:
    """An "Attn:" line is not part of an address: a preamble would state it as the legal address."""
    facts = data.get("applicant")
    if not isinstance(facts, dict):
        return
    address = facts.get("legal_address")
    street = address.get("street") if isinstance(address, dict) else None
    if not isinstance(street, list):
        return
    for i, line in enumerate(street):
        if isinstance(line, str) and _ATTENTION.match(line):
            yield (
                ("applicant", "legal_address", "street", i),
                f"'{line.strip()}' is an attention line, not part of the legal address; "
                "put whom it is for in applicant.legal_address.attention",
                "attention-line",
            )


def aba_checksum(data: dict[str, Any]) -> Iterator[Finding]:
    """An ABA routing number's ninth digit checks the others (weights 3, 7, 1); the message masks it."""
    from sc_docs.catalog.sensitive import mask

    for key, section in _sections(data):
        number = section.get("aba_routing_number")
        if not (isinstance(number, str) and len(number) == 9 and number.isdigit()):
            continue  # the schema reports the shape
        d = [int(c) for c in number]
        if (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + d[2] + d[5] + d[8]) % 10:
            yield (
                ("documents", key, "aba_routing_number"),
                f"ABA routing number {mask(number)} fails its checksum; check it against the bank's wire instructions",
                "aba-checksum",
            )


RULES = (control_characters, distinct_scid_choices, effective_dates, distinct_representatives, scheduling_agent_name,
         attention_lines, aba_checksum)


def check(data: Any) -> Iterator[Finding]:
    """Yield the findings of every domain rule for record `data`."""
    yield from control_characters(data)
    if not isinstance(data, dict):
        return
    for rule in RULES[1:]:
        yield from rule(data)
