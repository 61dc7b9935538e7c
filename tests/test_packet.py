"""One applicant's packet: documents, manifest, zip, determinism, atomic replacement."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from docx import Document

import sc_docs
from sc_docs.catalog import load_catalog
from sc_docs.engines.docx import docx_text
from sc_docs.packet import build_packet, write_packet
from tests.checks import assert_docx_ok, assert_pdf_ok
from tests.conftest import EXAMPLES, SAMPLES

ACME = EXAMPLES / "acme-power-and-light.yaml"


def tree_hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".sc-docs.lock"}


@pytest.mark.parametrize("sheet", SAMPLES, ids=lambda p: p.stem)
def test_packet_holds_every_document_named_by_convention(sheet: Path, tmp_path: Path) -> None:
    record = sc_docs.load_applicant(sheet)
    packet = build_packet(record)
    folder = write_packet(packet, tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    catalog = load_catalog()
    keys = [e.key for e in catalog if e.key in record.data["documents"]]
    assert [d["key"] for d in manifest["documents"]] == keys  # packet order: the catalog's
    agreement_docs = [d for d in manifest["documents"] if d["kind"] == "agreement"]
    assert all(catalog.get(d["key"]).kind == d["kind"] for d in manifest["documents"])
    for doc in manifest["documents"]:
        data = (folder / doc["file"]).read_bytes()
        assert doc["file"].startswith(f"{packet.slug}_{doc['key']}_{doc['template_version']}.")
        assert hashlib.sha256(data).hexdigest() == doc["sha256"] and len(data) == doc["size"]
    for doc in manifest["documents"]:
        data = (folder / doc["file"]).read_bytes()
        # Every document opens; one per packet also converts (LibreOffice) or renders (pdftoppm).
        if doc["file"].endswith(".docx"):
            assert_docx_ok(data, convert=doc["key"] == "sca")
        elif doc["file"].endswith(".xlsx"):
            from openpyxl import load_workbook

            assert load_workbook(io.BytesIO(data)).sheetnames  # opens in openpyxl
        else:
            assert_pdf_ok(data, render=True)
    for doc in agreement_docs:
        data = (folder / doc["file"]).read_bytes()
        Document(str(folder / doc["file"]))  # opens in python-docx
        text = docx_text(data)
        assert record.data["applicant"]["legal_name"] in text  # as typed, apostrophes too
        for tag in ("{{", "}}", "{%", "%}"):
            assert tag not in text
    with zipfile.ZipFile(tmp_path / f"{packet.slug}.zip") as zf:
        names = zf.namelist()
        assert names == sorted(names)
        assert {n.split("/", 1)[1] for n in names} == {p.name for p in folder.iterdir()}
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in zf.infolist())
        for name in names:
            assert zf.read(name) == (folder / name.split("/", 1)[1]).read_bytes()
    assert manifest["packet_date"] == record.data["documents"]["application"]["application_date"]
    assert manifest["input_sha256"] == hashlib.sha256(sheet.read_bytes()).hexdigest()


def test_same_inputs_give_identical_bytes(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    for out in ("a", "b"):
        assert run("packet", ACME, "-o", tmp_path / out).exit_code == 0
    assert tree_hashes(tmp_path / "a") == tree_hashes(tmp_path / "b")


def test_date_option_changes_the_manifest_not_the_clock(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    assert run("packet", ACME, "-o", tmp_path, "--date", "2027-01-05").exit_code == 0
    manifest = json.loads(next(tmp_path.glob("*/manifest.json")).read_text())
    assert manifest["packet_date"] == "2027-01-05"
    assert run("packet", ACME, "-o", tmp_path, "--date", "05/01/2027").exit_code == 2


def test_invalid_sheet_writes_nothing(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    result = run("packet", EXAMPLES / "invalid" / "bad-scid.yaml", "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert "documents.application.scid_choices[1]: SCID must be" in result.stderr
    assert not (tmp_path / "out").exists()


def test_only_and_unknown_key(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    assert run("packet", ACME, "-o", tmp_path, "--only", "sca").exit_code == 0
    assert [p.name.split("_")[1] for p in tmp_path.glob("*/*.docx")] == ["sca"]
    result = run("packet", ACME, "-o", tmp_path, "--only", "scaa")
    assert result.exit_code == 2  # an unknown key is a usage error
    assert "no document 'scaa' in the catalog. Did you mean 'sca'?" in result.stderr


def test_rewrite_replaces_what_sc_docs_wrote_and_keeps_the_users_files(tmp_path: Path) -> None:
    record = sc_docs.load_applicant(ACME)
    first = build_packet(record)
    folder = write_packet(first, tmp_path)
    (folder / "stray.txt").write_text("left by a user")
    second = build_packet(record, only=["sca"])
    write_packet(second, tmp_path)
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["acme-power-and-light-llc_sca_1.1.docx", "manifest.json", "stray.txt"]
    assert (folder / "stray.txt").read_text() == "left by a user"
    assert second.kept == ["stray.txt"]
    assert not list(tmp_path.glob(".sc-docs-tmp-*"))


def test_output_folder_not_ours_is_refused_unless_forced(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "mine.txt").write_text("important")
    result = run("packet", ACME, "-o", tmp_path)
    assert result.exit_code == 1
    assert "non-empty folder sc-docs did not create" in result.stderr
    assert run("packet", ACME, "-o", tmp_path, "--force").exit_code == 0
    assert (tmp_path / "mine.txt").read_text() == "important"


def test_outputs_get_ordinary_permissions(tmp_path: Path) -> None:
    import os
    import stat

    folder = write_packet(build_packet(sc_docs.load_applicant(ACME), only=["sca"]), tmp_path)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o777 & ~umask
    assert stat.S_IMODE((tmp_path / f"{folder.name}.zip").stat().st_mode) == 0o666 & ~umask
    from sc_docs.files import atomic_write

    atomic_write(tmp_path / "x.bin", b"1")
    assert stat.S_IMODE((tmp_path / "x.bin").stat().st_mode) == 0o666 & ~umask


@pytest.mark.skipif(__import__("shutil").which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_pdf_packet_is_reproducible_and_bookmarked(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    from pypdf import PdfReader

    sheet = EXAMPLES / "obrien-community-energy.yaml"
    for out in ("a", "b"):
        assert run("packet", sheet, "-o", tmp_path / out, "--pdf").exit_code == 0
    a, b = tree_hashes(tmp_path / "a"), tree_hashes(tmp_path / "b")
    assert a == b
    merged = next((tmp_path / "a").glob("*/*_packet.pdf"))
    reader = PdfReader(merged)
    titles = [o.title for o in reader.outline]
    assert "Scheduling Coordinator Agreement" in titles and "Network Connectivity Agreement" in titles
    manifest = json.loads(next((tmp_path / "a").glob("*/manifest.json")).read_text())
    assert {d["kind"] for d in manifest["documents"]} >= {"agreement", "pdf", "packet-pdf"}
