"""CAISO's other forms and letters (issue 13): every sample that has a section gets its document.

Each document renders or fills from the samples, opens in its application's library, converts in
LibreOffice with its facts in the text, and bank numbers stay out of everything but the payment form.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest

import sc_docs
from sc_docs.catalog import load_catalog
from sc_docs.catalog.makers import make
from sc_docs.catalog.sensitive import mask, redact, sensitive_values
from sc_docs.checklist import checklist_input
from sc_docs.engines.docx import docx_text
from sc_docs.packet import build_packet, inputs_for
from tests.conftest import EXAMPLES, SAMPLES

ACME = EXAMPLES / "acme-power-and-light.yaml"
OTHER_KINDS = ("letter", "workbook")
DATE = dt.date(2027, 1, 1)


def _cases() -> list[tuple[Path, str]]:
    catalog = load_catalog()
    return [
        (sheet, entry.key)
        for sheet in SAMPLES
        for entry in catalog.of_kind(*OTHER_KINDS)
        if entry.key in sc_docs.load_applicant(sheet).data["documents"]
    ]


CASES = _cases()


def test_acme_has_every_document_of_issue_13() -> None:
    keys = {k for s, k in CASES if s == ACME}
    assert keys == {e.key for e in load_catalog().of_kind(*OTHER_KINDS)}
    assert len(keys) == 9


def _made(sheet: Path, key: str) -> bytes:
    entry = load_catalog().get(key)
    data = sc_docs.load_applicant(sheet).data
    return make(entry, data, DATE, inputs_for(entry, data, "slug", None, load_catalog()))


@pytest.mark.parametrize(("sheet", "key"), CASES, ids=[f"{s.stem}-{k}" for s, k in CASES])
def test_each_document_opens_and_holds_the_facts(sheet: Path, key: str) -> None:
    data = sc_docs.load_applicant(sheet).data
    content = _made(sheet, key)
    name = data["applicant"]["legal_name"]
    if load_catalog().get(key).kind == "workbook":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content))
        cells = [str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row if c is not None]
        assert name in cells
        for contact in data["documents"][key]["contacts"]:
            assert contact["email"] in cells
        return
    from docx import Document

    Document(io.BytesIO(content))  # opens in python-docx
    text = docx_text(content)
    assert name in text
    for tag in ("{{", "}}", "{%", "%}"):
        assert tag not in text


def test_affiliates_or_the_certification_of_none() -> None:
    listed = docx_text(_made(ACME, "affiliate_disclosure"))
    assert "Acme Trading West, LLC" in listed and "ATWX" in listed and "no affiliate" not in listed
    none = docx_text(_made(EXAMPLES / "pacific-crest-gas-and-electric.yaml", "affiliate_disclosure"))
    assert "certifies that it has no affiliate" in none


def test_financial_security_totals_and_checklist_rows() -> None:
    text = docx_text(_made(ACME, "financial_security"))
    assert "$1,750,000.00" in text and "Letter of credit" in text
    checklist = docx_text(_made(ACME, "master_checklist"))
    assert "not tracked" in checklist
    assert "Company Contact List returned (Company Contact List)" in checklist


def test_checklist_takes_statuses_from_the_tracker(tmp_path: Path) -> None:
    from sc_docs.tracker import Tracker

    db = tmp_path / "t.db"
    data = sc_docs.load_applicant(ACME).data
    tracker = Tracker.open(db, create=True)
    slug = tracker.add_applicant(data).slug
    tracker.mark(slug, "application", "done", date=dt.date(2026, 12, 1))
    got = {i["key"]: i for i in checklist_input(data, slug=slug, db=db)["requirements"]}
    assert got["application"]["status"] == "done" and got["application"]["date"] == "2026-12-01"
    assert got["completeness_review"]["due"] == "2026-12-15"
    assert got["sca"]["status"] == "pending"
    untracked = {i["key"]: i for i in checklist_input(data, slug=slug)["requirements"]}
    assert untracked["application"]["status"] == "pending"


def test_bank_numbers_appear_only_in_the_payment_form(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    data = sc_docs.load_applicant(ACME).data
    secrets = sensitive_values(data)
    assert len(secrets) == 2  # the routing and the account number, read from the sample
    db = tmp_path / "track.db"
    result = run("packet", ACME, "-o", tmp_path / "out", "--db", db)
    assert result.exit_code == 0, result.stderr
    outputs = [p for p in (tmp_path / "out").rglob("*") if p.is_file()] + [db]
    payment = [p for p in outputs if "_payment_info_" in p.name]
    assert len(payment) == 1
    for path in outputs:
        if path in payment:
            continue
        for part, content in _contents(path):
            if "_payment_info_" in part:
                continue  # the payment form inside the packet zip
            for secret in secrets:
                assert secret.encode() not in content, f"{path.name}:{part} holds a bank number"
    assert any(secrets[0].encode() in c for _, c in _contents(payment[0]))
    for secret in secrets:
        assert secret not in result.stdout + result.stderr


def _contents(path: Path) -> list[tuple[str, bytes]]:
    """The bytes of `path`, and of every member when it is a zip (DOCX, XLSX, the packet zip)."""
    data = path.read_bytes()
    out = [("", data)]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                inner = zf.read(name)
                out.append((name, inner))
                if zipfile.is_zipfile(io.BytesIO(inner)):
                    with zipfile.ZipFile(io.BytesIO(inner)) as nested:
                        out += [(f"{name}/{n}", nested.read(n)) for n in nested.namelist()]
    return out


def test_messages_mask_bank_numbers(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    text = ACME.read_text(encoding="utf-8")
    data = sc_docs.load_applicant(ACME).data["documents"]["payment_info"]
    routing, account = data["aba_routing_number"], data["account_number"]
    bad_routing = routing[:-1] + str((int(routing[-1]) + 1) % 10)
    sheet = tmp_path / "bank.yaml"
    sheet.write_text(text.replace(routing, bad_routing).replace(f'"{account}"', f"{account}x"), encoding="utf-8")
    result = run("validate", sheet)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert any(f"documents.payment_info.aba_routing_number: ABA routing number {mask(bad_routing)} fails its checksum" in line
               for line in lines)
    assert any(f"documents.payment_info.account_number: must be a bank account number of 4 to 17 digits; got '{mask(account + 'x')}'"
               in line for line in lines)
    assert account not in result.stdout + result.stderr and bad_routing not in result.stdout + result.stderr


def test_redact_masks_every_sensitive_field() -> None:
    data = sc_docs.load_applicant(ACME).data
    masked = redact(data)
    assert sensitive_values(masked) == [mask(v) for v in sensitive_values(data)]
    assert json.dumps(data) != json.dumps(masked) and data["documents"]["payment_info"]["account_number"].isdigit()


def test_false_certifications_warn_then_fail_under_strict(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    sheet = tmp_path / "s.yaml"
    sheet.write_text(ACME.read_text(encoding="utf-8").replace("has_risk_management_policies: true",
                                                              "has_risk_management_policies: false"))
    line = next(i for i, t in enumerate(sheet.read_text().split("\n"), 1) if "has_risk_management_policies" in t)
    warned = run("validate", sheet)
    message = (f"{sheet}:{line}: documents.officer_certification.has_risk_management_policies: "
               "certification answered false: \"The applicant has written risk-management policies, procedures and "
               "controls approved by its management\"; CAISO expects it true: correct it or explain why")
    assert warned.exit_code == 0
    assert message.replace(": certification", ": warning: certification") in warned.stderr
    strict = run("validate", "--strict", sheet)
    assert (strict.exit_code, strict.stdout) == (1, message + "\n")
    packet = build_packet(sc_docs.load_applicant(sheet))
    assert packet.manifest.warnings == [message]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_pdfs_of_the_letters_hold_their_text() -> None:
    from pypdf import PdfReader

    from sc_docs.engines.convert import docx_to_pdf

    data = sc_docs.load_applicant(ACME).data
    expected = {
        "affiliate_disclosure": "ISO AFFILIATE DISCLOSURE FORM",
        "officer_certification": "minimum participation requirements",
        "emergency_plan": "COMMUNICATION FAILURE PROCEDURES",
        "payment_info": data["documents"]["payment_info"]["bank_name"],
        "unsecured_credit": "$2,500,000.00",
        "financial_security": "Sierra Gold Bank",
        "master_checklist": "MASTER CHECKLIST FOR CERTIFICATION",
        "scid_request": "ACM3",
    }
    assert set(expected) == {e.key for e in load_catalog().of_kind("letter")}
    for key, words in expected.items():
        pdf = PdfReader(io.BytesIO(docx_to_pdf(_made(ACME, key))))
        text = " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)
        assert words in text, key
        assert "Acme Power & Light, LLC" in text, key


def test_render_gives_a_letter_its_inputs(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "checklist.docx"
    result = run("render", "master_checklist", ACME, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert "MASTER CHECKLIST FOR CERTIFICATION" in docx_text(out.read_bytes())
