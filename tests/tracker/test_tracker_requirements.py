"""The requirements file: the bundled one is valid, and broken ones fail with a located message."""

from __future__ import annotations

from pathlib import Path

import pytest

from sc_docs.errors import RequirementsFileError
from sc_docs.tracker.requirements import (
    AnnualDeadline,
    BusinessDaysDeadline,
    FieldAnchor,
    RequirementAnchor,
    load_requirements,
)


def test_bundled_requirements_cover_the_checklist() -> None:
    reqs = load_requirements()
    assert reqs.version
    keys = set(reqs.keys)
    for key in ("application", "completeness_review", "officer_certification", "eft_test", "sca", "msa_sc", "nca"):
        assert key in keys
    review = reqs.by_key["completeness_review"].deadline
    assert isinstance(review, BusinessDaysDeadline) and review.days == 10
    assert review.after == [RequirementAnchor(requirement="application"), FieldAnchor(field="documents.application.application_date")]
    officer = reqs.by_key["officer_certification"].deadline
    assert isinstance(officer, AnnualDeadline) and (officer.month, officer.day) == (4, 30)
    assert reqs.by_key["sca"].satisfied_by.documents == ["sca"]


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "requirements.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_a_single_anchor_needs_no_list(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "version: '1'\nrequirements:\n"
        "  - {key: a, title: A}\n"
        "  - key: b\n    title: B\n    deadline: {kind: business_days, days: 5, after: {requirement: a}}\n",
    )
    reqs = load_requirements(path)
    assert reqs.by_key["b"].deadline == BusinessDaysDeadline(kind="business_days", days=5, after=[RequirementAnchor(requirement="a")])
    assert reqs.by_key["a"].deadline.kind == "none"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("version: '1'\nrequirements:\n  - {key: a, title: A}\n  - {key: a, title: B}\n", "duplicate requirement keys: a"),
        (
            (
                "version: '1'\nrequirements:\n  - key: a\n    title: A\n"
                "    deadline: {kind: business_days, days: 3, after: {requirement: nope}}\n"
            ),
            "deadline after unknown requirement 'nope'",
        ),
        (
            (
                "version: '1'\nrequirements:\n"
                "  - {key: a, title: A, deadline: {kind: business_days, days: 1, after: {requirement: b}}}\n"
                "  - {key: b, title: B, deadline: {kind: business_days, days: 1, after: {requirement: a}}}\n"
            ),
            "circle: a -> b -> a",
        ),
        (
            (
                "version: '1'\nrequirements:\n"
                "  - {key: a, title: A, deadline: {kind: annual, month: 2, day: 30, after: {field: x}}}\n"
            ),
            "no day 02-30",
        ),
        ("version: '1'\nrequirements:\n  - {key: a, title: A, deadline: {kind: weekly}}\n", "requirements.0.deadline"),
        ("version: '1'\nrequirements:\n  - {key: A-1, title: A}\n", "requirements.0.key"),
        ("version: '1'\nrequirements:\n  - {key: a, title: A, colour: red}\n", "requirements.0.colour"),
        ("requirements: [{key: a, title: A}]\n", "version: Field required"),
        ("version: '1'\nrequirements: [\n", "not valid YAML"),
    ],
    ids=["duplicate", "unknown-anchor", "cycle", "bad-day", "bad-kind", "bad-key", "extra-field", "no-version", "bad-yaml"],
)
def test_broken_files_are_clear_errors(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(RequirementsFileError) as info:
        load_requirements(path)
    assert message in str(info.value)
    assert str(info.value).startswith(f"{path}: ")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RequirementsFileError, match="cannot read"):
        load_requirements(tmp_path / "absent.yaml")


def test_an_edited_file_is_read_again_and_an_unchanged_one_is_shared(tmp_path: Path) -> None:
    path = write(tmp_path, "version: '1'\nrequirements:\n  - {key: a, title: A}\n")
    first = load_requirements(path)
    assert load_requirements(path) is first  # parsed once per content
    path.write_text("version: '2'\nrequirements:\n  - {key: a, title: A}\n  - {key: b, title: B}\n", encoding="utf-8")
    second = load_requirements(path)
    assert (second.version, second.keys) == ("2", ["a", "b"])
    path.write_text("version: '1'\nrequirements:\n  - {key: a, title: A}\n  - {key: a, title: B}\n", encoding="utf-8")
    with pytest.raises(RequirementsFileError, match="duplicate requirement keys"):
        load_requirements(path)  # a broken edit is an error every time, never an old answer
    with pytest.raises(RequirementsFileError, match="duplicate requirement keys"):
        load_requirements(path)


def test_a_file_that_is_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "requirements.yaml"
    path.write_bytes(b"version: '1'\nrequirements: [{key: a, title: \xff}]\n")
    with pytest.raises(RequirementsFileError, match="not UTF-8"):
        load_requirements(path)
