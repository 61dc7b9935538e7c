"""The small things a newcomer trips on: headers, slugs, fail-fast counts (issue 17)."""

from __future__ import annotations

import shutil
from pathlib import Path

from sc_docs.slugs import slugify
from tests.conftest import INVALID, SAMPLES


def test_templates_list_has_a_header_row(run) -> None:  # type: ignore[no-untyped-def]
    lines = run("templates", "list").stdout.splitlines()
    assert lines[0].split() == ["KEY", "VERSION", "AS", "OF", "APPENDIX", "SHA-256", "TITLE"]
    sca = next(line for line in lines if line.startswith("sca "))
    # Columns line up under their headers.
    assert sca.index("B.1") == lines[0].index("APPENDIX")
    assert sca.endswith("Scheduling Coordinator Agreement")


def test_slugs_are_cut_at_a_word_boundary() -> None:
    name = "The Extraordinarily Long Named Municipal Utility Department of Rio Verde Valley"
    assert slugify(name) == "the-extraordinarily-long-named-municipal-utility-department"
    assert slugify("x" * 70) == "x" * 60  # one long word: cut at the limit
    assert slugify("Acme Power & Light, LLC") == "acme-power-and-light-llc"


def test_fail_fast_summary_counts_inputs_never_attempted(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "in"
    folder.mkdir()
    for s in SAMPLES:
        shutil.copy(s, folder)
    shutil.copy(next(p for p in INVALID if p.name == "bad-scid.yaml"), folder / "0-bad.yaml")
    result = run("batch", folder, "-o", tmp_path / "out", "--fail-fast", "-j", "1", "--quiet")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith(
        f"done 0, failed 1, skipped 0, not attempted {len(SAMPLES)} (--fail-fast stopped the run) in ")


def test_packet_says_which_date_it_used_and_why(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import yaml

    acme = next(s for s in SAMPLES if s.name == "acme-power-and-light.yaml")
    result = run("packet", acme, "-o", tmp_path / "a")
    assert result.exit_code == 0
    assert "packet date 2026-12-01, from documents.application.application_date" in result.stderr.splitlines()
    result = run("packet", acme, "-o", tmp_path / "b", "--date", "2027-01-05")
    assert "packet date 2027-01-05, from --date" in result.stderr.splitlines()
    data = yaml.safe_load(acme.read_text())
    del data["documents"]["application"]
    sheet = tmp_path / "no-application.yaml"
    sheet.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    result = run("packet", sheet, "-o", tmp_path / "c")
    assert result.exit_code == 0, result.stderr
    earliest = min(s["effective_date"] for s in data["documents"].values() if "effective_date" in s)
    assert (f"packet date {earliest}, from the earliest effective date of its documents (no application date in "
            "the sheet; give --date to choose)") in result.stderr.splitlines()


def test_verify_sheet_counts_one_item_in_the_singular(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import yaml

    pcge = next(s for s in SAMPLES if s.name == "pacific-crest-gas-and-electric.yaml")
    draft = tmp_path / "draft.docx"
    assert run("render", "sca", pcge, "-o", draft).exit_code == 0
    data = yaml.safe_load(pcge.read_text())
    data["applicant"]["scids"] = data["applicant"]["scids"][:1]
    sheet = tmp_path / "one-scid.yaml"
    sheet.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    result = run("verify", draft, "--sheet", sheet)
    assert result.exit_code == 1
    assert '  applicant.scids: sheet "1 item", document "4 items"' in result.stdout.splitlines()


def test_fill_prints_one_problem_per_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import ROOT

    form = ROOT / "pro_forma" / "application" / "form.pdf"
    values = tmp_path / "values.yaml"
    values.write_text("section1.legal_name: " + "A" * 300 + "\nsection1.city: " + "B" * 300 + "\n")
    result = run("fill", form, values, "-o", tmp_path / "out.pdf")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"Error: {form}: section1.legal_name: takes at most 200 characters, got 300 (")
    assert lines[1].startswith(f"{form}: section1.city: takes at most ")
    assert not (tmp_path / "out.pdf").exists()
