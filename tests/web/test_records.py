"""Saving from the web keeps a record's comments and layout, and the CLI reads back what was typed."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sc_docs.errors import ScDocsError
from sc_docs.web import records
from tests.conftest import SAMPLES


def test_an_edit_keeps_comments_and_changes_only_the_value() -> None:
    original = SAMPLES[0].read_text(encoding="utf-8")
    data = yaml.safe_load(original)
    data["applicant"]["signatory"]["title"] = "President"
    new = records.update_text(original, data).decode("utf-8")
    assert new.splitlines()[0] == original.splitlines()[0]  # the header comment
    changed = [(a, b) for a, b in zip(original.splitlines(), new.splitlines()) if a != b]
    assert changed == [("    title: Chief Executive Officer", "    title: President")]
    assert yaml.safe_load(new) == data


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_an_unchanged_record_is_written_back_byte_for_byte(sample) -> None:  # type: ignore[no-untyped-def]
    original = sample.read_text(encoding="utf-8")
    assert records.update_text(original, yaml.safe_load(original)).decode("utf-8") == original


@pytest.mark.parametrize("text", ["yes", "no", "on", "0123", "1e3", "2027-01-01", "null", "~", "08", "12:30", "1_000"])
def test_text_that_yaml_would_retype_stays_text(text: str) -> None:
    data = {"applicant": {"legal_name": text}}
    out = records.dump_new(data)
    assert yaml.safe_load(out) == data


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=40).filter(lambda s: "\x00" not in s and "\ufeff" not in s))
def test_any_text_reads_back_as_typed_or_is_refused(text: str) -> None:
    data = {"applicant": {"legal_name": text}}
    try:
        out = records.dump_new(data)
    except ScDocsError:
        return  # refused rather than written wrong
    assert yaml.safe_load(out) == data


def test_a_file_that_cannot_be_parsed_is_rewritten_whole() -> None:
    out = records.update_text("applicant: [unclosed\n", {"applicant": {"legal_name": "A"}})
    assert yaml.safe_load(out) == {"applicant": {"legal_name": "A"}}
