"""Sheets of the old layout (`agreements.<key>`, forms at the top level) still load, with one notice."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import sc_docs
from sc_docs.catalog.layout import upgrade_layout, upgrade_path
from sc_docs.packet import build_packet
from tests.conftest import EXAMPLES, ROOT

ACME = EXAMPLES / "acme-power-and-light.yaml"
RIO = EXAMPLES / "ciudad-de-rio-verde.yaml"  # an application and two agreements


def old_layout(text: str) -> str:
    """Write a sample the way sheets were written before `documents`: the inverse of the migration."""
    lines, out, block = text.split("\n"), [], None
    for line in lines:
        if line == "documents:":
            block = "documents"
            continue
        if block == "documents" and re.match(r"^  application:", line):
            block = "application"
            out.append("application:")
            continue
        if block == "application" and line.startswith("    "):
            out.append(line[2:])
            continue
        if block in ("documents", "application") and re.match(r"^  [a-z_]+:", line):
            if block != "agreements":
                out.append("agreements:")
            block = "agreements"
        out.append(line)
    return "\n".join(out)


def test_old_layout_loads_as_documents_with_one_notice_and_true_lines(tmp_path: Path) -> None:
    old = tmp_path / "rio-old.yaml"
    old.write_text(old_layout(RIO.read_text(encoding="utf-8")), encoding="utf-8")
    assert "\nagreements:\n" in old.read_text() and "\napplication:\n" in old.read_text()
    record = sc_docs.load_applicant(old)
    new = sc_docs.load_applicant(RIO)
    assert record.data == new.data
    assert record.notices == [
        f"{old}: notice: this sheet uses the old layout (agreements.sca, agreements.msa_sc, "
        "application); it was read as documents.<key>. Move those sections under a top-level `documents:` "
        "section; the old layout will stop loading in a later version"
    ]
    line = next(i for i, t in enumerate(old.read_text().split("\n"), 1) if "rims_project_code" in t)
    assert record.locate(("documents", "msa_sc", "rims_project_code")).line == line
    packet = build_packet(record)
    assert packet.files == build_packet(new).files


def test_validate_prints_the_notice_and_still_passes(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    old = tmp_path / "old.yaml"
    old.write_text(old_layout(ACME.read_text(encoding="utf-8")).replace("[ACME, ACM2, APL1]", "[ACME, ACM2, 1PL1]"))
    result = run("validate", old)
    line = next(i for i, t in enumerate(old.read_text().split("\n"), 1) if "1PL1" in t)
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{old}:{line}: documents.application.scid_choices[2]: SCID must be")
    assert result.stderr.count("notice: this sheet uses the old layout") == 1


def test_new_layout_has_no_notice() -> None:
    assert sc_docs.load_applicant(ACME).notices == []


def test_upgrade_keeps_a_section_already_under_documents_in_place() -> None:
    data = {"documents": {"sca": {"effective_date": "2027-01-01"}}, "agreements": {"sca": {"effective_date": "2026-01-01"}}}
    assert upgrade_layout(data, {}, keys=["sca"]) is None
    assert data["agreements"] == {"sca": {"effective_date": "2026-01-01"}}  # the schema reports it


def test_upgrade_path() -> None:
    assert upgrade_path(("agreements", "sca", "effective_date"), keys=["sca"]) == ("documents", "sca", "effective_date")
    assert upgrade_path(("application", "fee"), keys=["application"]) == ("documents", "application", "fee")
    assert upgrade_path(("applicant", "legal_name"), keys=["application"]) == ("applicant", "legal_name")


def test_roster_csv_of_the_old_layout(tmp_path: Path) -> None:
    from sc_docs.sheets.csv_source import iter_roster

    text = "applicant.legal_name,agreements.sca.effective_date,application.uses_scheduling_agent\nAcme,2027-01-01,yes\n"
    [(label, record)] = list(iter_roster(text, "r.csv"))
    assert record.data["documents"] == {"sca": {"effective_date": "2027-01-01"}, "application": {"uses_scheduling_agent": True}}
    assert len(record.notices) == 1 and "column headers agreements.sca.effective_date" in record.notices[0]


def test_samples_use_the_documents_layout() -> None:
    for sheet in sorted(EXAMPLES.rglob("*.yaml")):
        text = sheet.read_text(encoding="utf-8")
        assert not re.search(r"^(agreements|application):", text, re.M), sheet
    assert subprocess.run(["git", "grep", "-n", "agreements\\.[a-z]", "--", "pro_forma", "schemas"], cwd=ROOT,
                          capture_output=True, text=True).stdout == ""
