"""`sc-docs track`: exit codes, exact error lines and outputs, against real SQLite files."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ACME = ROOT / "info_sheets" / "examples" / "acme-power-and-light.yaml"
SIERRA = ROOT / "info_sheets" / "examples" / "sierra-federal-power.yaml"
SLUG = "acme-power-and-light-llc"

Run = Callable[..., Any]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tracker file named by $SC_DOCS_DB, as a team would set it once."""
    path = tmp_path / "team.sqlite"
    monkeypatch.setenv("SC_DOCS_DB", str(path))
    monkeypatch.setenv("USER", "tester")
    return path


@pytest.fixture
def registered(run: Run, db: Path) -> Path:
    assert run("track", "add", ACME).exit_code == 0
    return db


def test_add_is_idempotent(run: Run, db: Path) -> None:
    first = run("track", "add", ACME)
    again = run("track", "add", ACME)
    assert (first.exit_code, first.stdout) == (0, f"{SLUG}: registered\n")
    assert (again.exit_code, again.stdout) == (0, f"{SLUG}: already registered, unchanged\n")
    assert db.exists()


def test_add_reports_changed_facts(run: Run, registered: Path, tmp_path: Path) -> None:
    changed = tmp_path / "acme.yaml"
    changed.write_text(ACME.read_text(encoding="utf-8").replace('application_date: "2026-12-01"', 'application_date: "2026-12-02"'), encoding="utf-8")
    result = run("track", "add", changed)
    assert (result.exit_code, result.stdout) == (0, f"{SLUG}: updated documents.application.application_date\n")


def test_add_accepts_a_folder_and_refuses_disagreeing_sheets(run: Run, db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "acme"
    folder.mkdir()
    (folder / "main.yaml").write_text(ACME.read_text(encoding="utf-8"), encoding="utf-8")
    assert run("track", "add", folder).stdout == f"{SLUG}: registered\n"
    (folder / "other.json").write_text('{"applicant": {"legal_name": "Acme Power and Light LLC"}}', encoding="utf-8")
    result = run("track", "add", folder)
    assert result.exit_code == 1
    assert "the sheets disagree" in result.stderr and "run `sc-docs validate` first" in result.stderr


def test_mark_show_history(run: Run, registered: Path, tmp_path: Path) -> None:
    evidence = tmp_path / "fee.txt"
    evidence.write_text("wire ref 42\n", encoding="utf-8")
    result = run(
        "track", "mark", SLUG, "application", "done", "--date", "2026-12-01", "--evidence", evidence, "--note", "fee wired"
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"{SLUG}: application pending -> done (2026-12-01), evidence sha256 ")

    shown = run("track", "show", SLUG, "--today", "2026-12-20")
    assert shown.exit_code == 0
    lines = shown.stdout.splitlines()
    assert lines[0] == "Acme Power & Light, LLC (acme-power-and-light-llc): 1/23 complete (4%), 1 overdue"
    assert lines[2].split() == ["!", "completeness_review", "pending", "due", "2026-12-15,", "overdue", "by", "5", "days"]

    data = json.loads(run("track", "show", SLUG, "--format", "json", "--today", "2026-12-10").stdout)
    review = next(i for i in data["items"] if i["key"] == "completeness_review")
    assert (review["due"], review["days_left"], review["overdue"]) == ("2026-12-15", 5, False)
    application = next(i for i in data["items"] if i["key"] == "application")
    assert application["evidence_sha256"] and application["note"] == "fee wired"

    history = run("track", "history", SLUG, "--format", "json")
    events = json.loads(history.stdout)
    assert [(e["action"], e["actor"]) for e in events] == [("register", "tester"), ("mark", "tester")]
    text = run("track", "history", SLUG).stdout
    assert "pending -> done" in text and "fee wired" in text


def test_mark_by_someone(run: Run, registered: Path) -> None:
    run("track", "mark", SLUG, "uaa", "waived", "--by", "Certification Desk")
    events = json.loads(run("track", "history", SLUG, "--format", "json").stdout)
    assert events[-1]["actor"] == "Certification Desk"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("mark", "acme", "sca", "done"), 1, f"Error: no applicant 'acme' in the tracker. Did you mean '{SLUG}'?"),
        (("mark", SLUG, "msa", "done"), 1, "Error: no requirement 'msa'. Did you mean 'msa_sc'?"),
        (("show", "acme-power"), 1, f"Error: no applicant 'acme-power' in the tracker. Did you mean '{SLUG}'?"),
        (
            ("mark", SLUG, "sca", "done", "--date", "2026-02-30"),
            2,
            "Error: Invalid value for '--date': '2026-02-30' is not a date; write it as YYYY-MM-DD",
        ),
        (("show", SLUG, "--today", "tomorrow"), 2, "Error: Invalid value for '--today': 'tomorrow' is not a date; write it as YYYY-MM-DD"),
    ],
    ids=["applicant", "requirement", "show-applicant", "bad-date", "bad-today"],
)
def test_bad_input(run: Run, registered: Path, args: tuple[str, ...], code: int, message: str) -> None:
    result = run("track", *args)
    assert result.exit_code == code
    assert result.stderr.strip().splitlines()[-1] == message
    assert len(json.loads(run("track", "history", SLUG, "--format", "json").stdout)) == 1


def test_corrupt_database_is_refused_untouched(run: Run, db: Path) -> None:
    db.write_bytes(b"not a database at all\n")
    result = run("track", "add", ACME)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {db}: not a SQLite database (left untouched)\n"
    assert db.read_bytes() == b"not a database at all\n"


def test_reading_commands_need_an_existing_database(run: Run, db: Path) -> None:
    result = run("track", "report")
    assert result.exit_code == 1
    assert "no tracker database here yet" in result.stderr
    assert not db.exists()


def test_db_option_and_default_location(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SC_DOCS_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    assert run("track", "add", ACME).exit_code == 0
    assert (tmp_path / "sc-docs.sqlite").exists()
    other = tmp_path / "other.sqlite"
    assert run("track", "add", SIERRA, "--db", other).exit_code == 0
    report = json.loads(run("track", "report", "--db", other, "--format", "json", "--today", "2026-12-20").stdout)
    assert [a["slug"] for a in report["applicants"]] == ["sierra-nevada-federal-power-administration"]


def test_report_formats(run: Run, registered: Path, tmp_path: Path) -> None:
    assert run("track", "add", SIERRA).exit_code == 0
    run("track", "mark", SLUG, "completeness_review", "done", "--date", "2026-12-10")
    text = run("track", "report", "--today", "2026-12-20").stdout
    assert text.splitlines()[0].startswith("Sierra Nevada Federal Power Administration")  # overdue first
    assert "  ! completeness_review: due 2026-12-17, overdue by 3 days" in text

    data = json.loads(run("track", "report", "--format", "json", "--today", "2026-12-20").stdout)
    assert [a["overdue"] for a in data["applicants"]] == [1, 0]
    assert "stale_templates" not in data

    page = tmp_path / "out" / "report.html"
    page.parent.mkdir()
    result = run("track", "report", "--format", "html", "-o", page, "--today", "2026-12-20")
    assert (result.exit_code, result.stdout) == (0, "")
    body = page.read_text(encoding="utf-8")
    assert body.startswith("<!DOCTYPE html>") and "Acme Power &amp; Light, LLC" in body
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(page.stat().st_mode) == 0o666 & ~umask  # shareable, not mkstemp's 0600
    assert sorted(p.name for p in page.parent.iterdir()) == ["report.html"]  # no temp file left


def test_report_lists_documents_from_outdated_templates(
    run: Run, registered: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sc_docs.tracker import record_packet, views

    monkeypatch.setattr(views, "current_versions", lambda: {"sca": "2024-01-01", "nca": "2.0"})
    docs = [
        {"key": "sca", "title": "SCA", "version": "2013-06-12", "template_sha256": "a", "sha256": "b", "file": "sca.docx"},
        {"key": "nca", "title": "NCA", "version": "2.0", "template_sha256": "c", "sha256": "d", "file": "nca.docx"},
    ]
    record_packet(registered, slug=SLUG, legal_name="Acme Power & Light, LLC", documents=docs, packet_date="2026-12-02")
    data = json.loads(run("track", "report", "--stale-templates", "--format", "json", "--today", "2026-12-20").stdout)
    stale = [(s["slug"], s["key"], s["version"], s["current_version"]) for s in data["stale_templates"]]
    assert stale == [(SLUG, "sca", "2013-06-12", "2024-01-01")]
    text = run("track", "report", "--stale-templates", "--today", "2026-12-20").stdout
    assert "Stale templates: 1 document(s)" in text and "sca.docx" in text

    # A newer packet made from the current template clears it.
    docs[0]["version"] = "2024-01-01"
    record_packet(registered, slug=SLUG, legal_name="Acme Power & Light, LLC", documents=docs[:1], packet_date="2026-12-03")
    again = json.loads(run("track", "report", "--stale-templates", "--format", "json").stdout)
    assert again["stale_templates"] == []


@pytest.mark.parametrize("sub", ["add", "mark", "show", "history", "report"])
def test_every_subcommand_has_help(run: Run, sub: str) -> None:
    result = run("track", sub, "--help")
    assert result.exit_code == 0
    assert "Usage: sc-docs track " + sub in result.stdout
    assert "--db" in result.stdout


def test_evidence_from_a_device_is_refused_at_once(run: Run, registered: Path) -> None:
    result = run("track", "mark", SLUG, "sca", "done", "--evidence", "/dev/zero")  # used to read forever
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: Invalid value for '--evidence': '/dev/zero' is not a regular file (a device or a pipe)"
    )
    from sc_docs.errors import TrackerError
    from sc_docs.tracker import Tracker

    with pytest.raises(TrackerError, match="evidence must be a regular file"):  # the API refuses it too
        Tracker.open(registered).mark(SLUG, "sca", "done", evidence="/dev/zero")
    assert [e["action"] for e in json.loads(run("track", "history", SLUG, "--format", "json").stdout)] == ["register"]


def test_a_database_on_a_device_is_refused_and_nothing_written(run: Run, tmp_path: Path) -> None:
    link = tmp_path / "db.sqlite"
    link.symlink_to(os.devnull)
    result = run("track", "add", ACME, "--db", link)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: Invalid value for '--db' (env var: 'SC_DOCS_DB'): '{link}' is not a regular file (a device or a pipe)"
    )
    from sc_docs.errors import DatabaseUnreadableError
    from sc_docs.tracker import Tracker

    with pytest.raises(DatabaseUnreadableError, match="is not a regular file"):  # the API refuses it too
        Tracker.open(link, create=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db.sqlite"]  # no -journal / -wal beside it
    assert not any(Path(f"{os.devnull}{s}").exists() for s in ("-journal", "-wal", "-shm"))


def test_add_refuses_a_sheet_validate_rejects(run: Run, db: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "acme.yaml"
    sheet.write_text(ACME.read_text(encoding="utf-8").replace("Acme Power & Light, LLC", "Acme\\e]0;owned\\a Power"),
                     encoding="utf-8")
    assert run("validate", sheet).exit_code == 1
    result = run("track", "add", sheet)
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "applicant.legal_name" in result.stderr
    assert not db.exists() or json.loads(run("track", "report", "--format", "json").stdout)["applicants"] == []


def test_report_and_show_escape_control_sequences(run: Run, db: Path) -> None:
    from sc_docs.tracker import Tracker

    # Written through the API (as an older sc-docs, which did not validate, could have done).
    evil = "Acme \x1b]0;owned\x07\x1b[2J Power"
    tracker = Tracker.open(db, create=True)
    slug = tracker.add_applicant({"applicant": {"legal_name": evil}}).slug
    tracker.mark(slug, "sca", "done", note="signed \x1b[31mred\x1b[0m")
    for args in (("report",), ("show", slug), ("history", slug)):
        result = run("track", *args)
        assert result.exit_code == 0, result.stderr
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout, args
    assert "Acme \\x1b]0;owned\\x07\\x1b[2J Power" in run("track", "report").stdout


def test_nfc_and_nfd_spellings_are_one_name(run: Run, db: Path, tmp_path: Path) -> None:
    import unicodedata

    text = ACME.read_text(encoding="utf-8").replace("Acme Power & Light, LLC", "Énergie Acme")
    folder = tmp_path / "acme"
    folder.mkdir()
    (folder / "a.yaml").write_text(unicodedata.normalize("NFC", text), encoding="utf-8")
    (folder / "b.yaml").write_text(unicodedata.normalize("NFD", text), encoding="utf-8")
    result = run("track", "add", folder)  # the two sheets agree: one name, typed two ways
    assert (result.exit_code, result.stdout) == (0, "energie-acme: registered\n"), result.stderr
    again = run("track", "add", folder / "b.yaml")
    assert again.stdout == "energie-acme: already registered, unchanged\n"
    shown = json.loads(run("track", "show", "energie-acme", "--format", "json").stdout)
    assert shown["legal_name"] == unicodedata.normalize("NFC", "Énergie Acme")
