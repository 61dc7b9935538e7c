"""A folder is ONE applicant's sheets: a folder of many applicants says so in one line."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import EXAMPLES, SAMPLES


def test_validate_folder_of_many_applicants_points_to_batch(run) -> None:  # type: ignore[no-untyped-def]
    result = run("validate", EXAMPLES)
    assert result.exit_code == 1
    assert result.stdout == (
        f"{EXAMPLES}: holds the sheets of 5 different applicants ('Acme Power & Light, LLC', 'Ciudad de Río Verde "
        "Electric Utility Department', \"O'Brien Valley Community Energy Authority\", ...); a folder here is ONE "
        f"applicant's sheets: for many applicants use `sc-docs batch {EXAMPLES} -o OUTDIR`\n"
    )


def test_packet_folder_of_many_applicants_points_to_batch(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "two"
    folder.mkdir()
    for s in SAMPLES[:2]:
        shutil.copy(s, folder)
    result = run("packet", folder, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: {folder}: holds the sheets of 2 different applicants ('Acme Power & Light, LLC', 'Ciudad de Río Verde "
        f"Electric Utility Department'); a folder here is ONE applicant's sheets: for many applicants use "
        f"`sc-docs batch {folder} -o OUTDIR`"
    ]
    assert not (tmp_path / "out").exists()


def test_folder_with_a_misspelled_name_keeps_the_detailed_problem(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "one"
    folder.mkdir()
    shutil.copy(SAMPLES[0], folder / "a.yaml")
    (folder / "b.yaml").write_text("applicant:\n  legal_name: Acme Power & Light LLC\n")
    result = run("validate", folder)
    assert result.exit_code == 1
    assert "differs between sheets of the same applicant: 'Acme Power & Light, LLC' at" in result.stdout


def test_packet_of_a_roster_points_to_batch(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    roster = tmp_path / "r.csv"
    roster.write_text("applicant.legal_name\nAcme LLC\n")
    result = run("packet", roster, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: {roster}: is a roster (CSV, one applicant per row), not one applicant's sheet; "
        "check it with `sc-docs validate` or make its packets with `sc-docs batch`")
