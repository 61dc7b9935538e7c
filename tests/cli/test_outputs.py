"""Outputs never clobber what they must not (issues 14 and 17), through the CLI."""

from __future__ import annotations

import io
import os
import shutil
import stat
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES

ACME = EXAMPLES / "acme-power-and-light.yaml"
HAS_SOFFICE = shutil.which("soffice") is not None
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="devices and FIFOs as on POSIX")


def last_error(result) -> str:  # type: ignore[no-untyped-def]
    return result.stderr.strip().splitlines()[-1]


@pytest.fixture()
def sheet(tmp_path: Path) -> Path:
    path = tmp_path / "acme.yaml"
    path.write_bytes(ACME.read_bytes())
    return path


def test_sheet_new_keeps_a_filled_sheet_unless_forced(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    keep = tmp_path / "keep.yaml"
    keep.write_text("applicant:\n  legal_name: Filled In LLC\n")
    result = run("sheet", "new", "-o", keep)
    assert result.exit_code == 2
    assert last_error(result) == f"Error: {keep}: already exists; pass --force to replace it"
    assert keep.read_text() == "applicant:\n  legal_name: Filled In LLC\n"
    assert run("sheet", "new", "-o", keep, "--force").exit_code == 0
    assert "legal_name:" in keep.read_text() and "Filled In" not in keep.read_text()


def test_sheet_new_xlsx_keeps_a_hand_filled_workbook(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    hand = tmp_path / "hand.xlsx"
    assert run("sheet", "new", "--xlsx", "-o", hand).exit_code == 0
    before = hand.read_bytes()
    # A workbook sc-docs made is exactly what a user fills in: never recognised as replaceable...
    result = run("sheet", "new", "--xlsx", "-o", hand)
    assert result.exit_code == 0  # ...except when the new bytes are the same (nothing is lost)
    hand.write_bytes(before + b"")
    with zipfile.ZipFile(hand, "a") as zf:
        zf.writestr("xl/hand-filled.txt", "typed by a person")
    edited = hand.read_bytes()
    result = run("sheet", "new", "--xlsx", "-o", hand)
    assert result.exit_code == 2
    assert last_error(result) == f"Error: {hand}: already exists; pass --force to replace it"
    assert hand.read_bytes() == edited


def test_fill_never_writes_onto_its_input_even_forced(run, sheet: Path) -> None:  # type: ignore[no-untyped-def]
    before = sheet.read_bytes()
    for extra in ((), ("--force",)):
        result = run("fill", "--applicant", sheet, "-o", sheet, *extra)
        assert result.exit_code == 2
        assert last_error(result) == f"Error: {sheet}: is an input of this command; write the output to another file"
    assert sheet.read_bytes() == before


def test_render_never_writes_onto_its_input_through_a_link(run, sheet: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before = sheet.read_bytes()
    result = run("render", "sca", sheet, "-o", sheet)
    assert result.exit_code == 2
    assert last_error(result) == f"Error: -o {sheet}: the output must end in .docx or .pdf (the extension chooses the format)"
    link = tmp_path / "draft.docx"
    link.symlink_to(sheet)
    result = run("render", "sca", sheet, "-o", link, "--force")
    assert result.exit_code == 2
    assert last_error(result) == f"Error: {link}: is an input of this command; write the output to another file"
    assert sheet.read_bytes() == before


def test_render_replaces_its_own_output_but_not_an_edited_one(run, sheet: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "sca.docx"
    assert run("render", "sca", sheet, "-o", out).exit_code == 0
    assert run("render", "sca", sheet, "-o", out, "--date", "2026-01-02").exit_code == 0  # sc-docs' own: replaced
    # Saved by a person (Word writes their name as last modified by): no longer sc-docs' to replace.
    buf = io.BytesIO()
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "docProps/core.xml":
                data = data.replace(b"<cp:lastModifiedBy>sc-docs</cp:lastModifiedBy>", b"<cp:lastModifiedBy>Ana</cp:lastModifiedBy>")
            dst.writestr(item, data)
    out.write_bytes(buf.getvalue())
    result = run("render", "sca", sheet, "-o", out, "--date", "2026-01-03")
    assert result.exit_code == 2
    assert last_error(result) == f"Error: {out}: already exists; pass --force to replace it"
    assert out.read_bytes() == buf.getvalue()


def test_replaced_file_keeps_its_mode(run, sheet: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "private.yaml"
    out.write_text("old")
    os.chmod(out, 0o600)
    assert run("sheet", "new", "-o", out, "--force").exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "legal_name" in out.read_text()


def test_missing_output_folder_is_refused_not_created(run, sheet: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "no" / "such" / "x.docx"
    result = run("render", "sca", sheet, "-o", out)
    assert result.exit_code == 2
    assert last_error(result) == f"Error: {out}: the folder '{out.parent}' does not exist; create it first"
    assert not (tmp_path / "no").exists()


def test_output_extension_must_name_a_format(run, sheet: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("render", "sca", sheet, "-o", tmp_path / "x.txt")
    assert result.exit_code == 2
    assert last_error(result).endswith("the output must end in .docx or .pdf (the extension chooses the format)")
    result = run("render", "sca", sheet, "-o", "-", "--pdf")
    assert result.exit_code == 2
    assert last_error(result) == "Error: --pdf needs -o FILE.docx or -o FILE.pdf (a PDF is not written to stdout)"


@pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) is not installed")
def test_render_to_pdf_writes_a_pdf_only(run, sheet: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "draft.pdf"
    result = run("render", "sca", sheet, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF") and not out.with_suffix(".docx").exists()
    # Its own PDF (producer sc-docs) is replaced on the next run without --force.
    assert run("render", "sca", sheet, "-o", out).exit_code == 0


@posix_only
@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero"])
def test_device_is_never_replaced_or_written_through(run, sheet: Path, device: str) -> None:  # type: ignore[no-untyped-def]
    before = os.stat(device)
    for extra in ((), ("--force",)):
        result = run("sheet", "new", "-o", device, *extra)
        assert result.exit_code == 2
        assert last_error(result) == f"Error: {device}: is a device; sc-docs writes only regular files (use '-' for stdout)"
    assert stat.S_ISCHR(os.stat(device).st_mode) and os.stat(device).st_ino == before.st_ino


@posix_only
def test_fifo_and_folder_are_refused(run, sheet: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fifo = tmp_path / "pipe.docx"
    os.mkfifo(fifo)
    result = run("render", "sca", sheet, "-o", fifo, "--force")  # must neither hang nor replace it
    assert result.exit_code == 2
    assert last_error(result) == f"Error: {fifo}: is a FIFO (named pipe); sc-docs writes only regular files (use '-' for stdout)"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    folder = tmp_path / "dir.docx"
    folder.mkdir()
    result = run("render", "sca", sheet, "-o", folder)
    assert result.exit_code == 2
    assert last_error(result) == f"Error: {folder}: is a folder; sc-docs writes only regular files (use '-' for stdout)"


def test_track_report_output_is_not_clobbered(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "t.sqlite"
    assert run("track", "add", ACME, "--db", db).exit_code == 0
    out = tmp_path / "report.html"
    out.write_text("my notes")
    result = run("track", "report", "--format", "html", "--db", db, "-o", out, "--today", "2026-01-01")
    assert result.exit_code == 2
    assert last_error(result) == f"Error: {out}: already exists; pass --force to replace it"
    assert out.read_text() == "my notes"
    result = run("track", "report", "--format", "html", "--db", db, "-o", out, "--today", "2026-01-01", "--force")
    assert result.exit_code == 0 and "<html" in out.read_text()
    result = run("track", "report", "--db", db, "-o", db, "--force")
    assert result.exit_code == 2
    assert last_error(result) == f"Error: {db}: is an input of this command; write the output to another file"


def test_packet_again_keeps_the_users_files_and_says_so(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    assert run("packet", ACME, "-o", out, "--only", "sca").exit_code == 0
    folder = out / "acme-power-and-light-llc"
    (folder / "signed-original.pdf").write_bytes(b"%PDF- signed by both parties")
    result = run("packet", ACME, "-o", out, "--only", "sca", "--force")
    assert result.exit_code == 0, result.stderr
    assert last_error(result) == f"kept 1 file sc-docs did not write in {folder}: signed-original.pdf"
    assert (folder / "signed-original.pdf").read_bytes() == b"%PDF- signed by both parties"


@pytest.mark.parametrize(("args", "message"), [
    (("render", "foo", str(ACME), "-o", "x.docx"), "Error: Invalid value for 'KEY': no document 'foo' in the catalog. Known: "),
    (("render", "application", str(ACME), "-o", "x.docx"), "Error: Invalid value for 'KEY': 'application' is a form, not an agreement or a letter"),
    (("templates", "check", "nope"), "Error: Invalid value for '[KEYS]...': no document 'nope' in the catalog. Known: "),
    (("packet", str(ACME), "-o", "x", "--only", "scaa"), "Error: Invalid value for '--only': no document 'scaa' in the catalog. Did you mean 'sca'?"),
], ids=["render-unknown", "render-form", "templates-check", "packet-only"])
def test_unknown_document_key_is_a_usage_error(run, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    result = run(*args)
    assert result.exit_code == 2
    assert last_error(result).startswith(message)


@posix_only
def test_validate_a_device_is_unreadable(run) -> None:  # type: ignore[no-untyped-def]
    result = run("validate", "/dev/null")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert last_error(result) == "Error: /dev/null: is a device or a pipe, not an info sheet file"


def test_interrupt_exits_130(run, sheet: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import sc_docs.sheets

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(sc_docs.sheets, "load_valid_applicant", interrupted)
    result = run("render", "sca", sheet, "-o", tmp_path / "x.docx")
    assert result.exit_code == 130
    assert last_error(result) == "Interrupted."
    assert not (tmp_path / "x.docx").exists()


@posix_only
def test_track_mark_refuses_a_device_as_evidence(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "t.sqlite"
    assert run("track", "add", ACME, "--db", db).exit_code == 0
    result = run("track", "mark", "acme-power-and-light-llc", "sc_application", "done", "--evidence", "/dev/zero", "--db", db)
    assert result.exit_code == 2
    assert last_error(result) == "Error: Invalid value for '--evidence': '/dev/zero' is not a regular file (a device or a pipe)"


@posix_only
@pytest.mark.parametrize("command", [("track", "report"), ("track", "add", str(ACME))], ids=["report", "add"])
def test_track_db_on_a_device_is_refused(run, command: tuple[str, ...], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    journal = Path("/dev/null-journal")
    before = journal.stat().st_mtime_ns if journal.exists() else None
    result = run(*command, "--db", "/dev/null")
    assert result.exit_code == 2
    assert last_error(result) == ("Error: Invalid value for '--db' (env var: 'SC_DOCS_DB'): "
                                 "'/dev/null' is not a regular file (a device or a pipe)")
    assert (journal.stat().st_mtime_ns if journal.exists() else None) == before  # SQLite never opened it
