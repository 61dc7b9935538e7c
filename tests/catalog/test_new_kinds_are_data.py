"""Adding a document of any kind is a folder and a schema: no code change.

A temporary catalog holds the bundled documents plus a second PDF form and a workbook, each with
its own schema in its folder. A packet made with that catalog contains both, filled from the
record, in the order their `meta.yaml` gives, and identical bytes come out twice.
"""

from __future__ import annotations

import copy
import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from sc_docs.catalog import TEMPLATE_KEY, load_catalog
from sc_docs.catalog.lint import check_entry
from sc_docs.errors import ValidationFailed
from sc_docs.packet import build_packet
from sc_docs.paths import pro_forma_dir
from sc_docs.sheets import ApplicantRecord
from tests.conftest import EXAMPLES

SCHEMA_ID = "https://sc-docs.dev/schemas/"


def _form_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.drawString(50, 780, "Wire instructions")
    c.acroForm.textfield(name="holder", x=50, y=700, width=300, height=20, maxlen=250)
    c.acroForm.textfield(name="bank", x=50, y=650, width=300, height=20, maxlen=250)
    c.acroForm.textfield(name="wire_date", x=50, y=600, width=120, height=20)
    c.acroForm.checkbox(name="fedwire", x=50, y=550, size=15)
    c.showPage()
    c.save()
    return buf.getvalue()


def _workbook() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = "Contacts"
    ws["A1"] = "Company"
    ws["A4"], ws["B4"], ws["C4"] = "Role", "Name", "Phone"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _schema(name: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID + name,
        "type": "object", "additionalProperties": False, "required": required, "properties": properties,
    }


def _entry(folder: Path, meta: dict[str, Any], files: dict[str, bytes | str]) -> None:
    folder.mkdir()
    (folder / "meta.yaml").write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")
    for name, content in files.items():
        path = folder / name
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content, encoding="utf-8")


@pytest.fixture(scope="module")
def catalog_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("catalog") / "pro_forma"
    shutil.copytree(pro_forma_dir(), root, ignore=shutil.ignore_patterns("__pycache__"))
    text = {"type": "string", "minLength": 1}
    _entry(root / "wire_form", {
        "key": "wire_form", "kind": "form", "title": "Wire Instructions", "version": "0.1", "as_of": "2026-11-01",
        "order": 15, "schema": "wire_form.schema.json", "form": "form.pdf", "fields": "fields.yaml",
    }, {
        "form.pdf": _form_pdf(),
        "fields.yaml": "holder: applicant.legal_name\nbank: form.bank_name\n"
                       "wire_date: {path: documents.wire_form.first_wire, date: '%m/%d/%Y'}\nfedwire: form.fedwire\n",
        "wire_form.schema.json": json.dumps(_schema("wire_form.schema.json", {
            "bank_name": text, "first_wire": {"type": "string", "format": "date"}, "fedwire": {"type": "boolean"},
        }, ["bank_name", "first_wire", "fedwire"])),
    })
    _entry(root / "contacts", {
        "key": "contacts", "kind": "workbook", "title": "Contact Workbook", "version": "0.1", "as_of": "2026-11-01",
        "order": 90, "schema": "contacts.schema.json", "template": "template.xlsx", "cells": "cells.yaml",
    }, {
        "template.xlsx": _workbook(),
        "cells.yaml": "Contacts:\n  cells:\n    B1: applicant.legal_name\n  rows:\n"
                      "    - {path: workbook.people, first_row: 5, max_rows: 10, columns: {A: role, B: name, C: phone}}\n",
        "contacts.schema.json": json.dumps(_schema("contacts.schema.json", {
            "people": {"type": "array", "minItems": 1, "items": {
                "type": "object", "additionalProperties": False, "required": ["role", "name", "phone"],
                "properties": {"role": text, "name": text, "phone": text}}},
        }, ["people"])),
    })
    return root


def _record() -> ApplicantRecord:
    data = yaml.safe_load((EXAMPLES / "acme-power-and-light.yaml").read_text(encoding="utf-8"))
    data["documents"] = {k: v for k, v in data["documents"].items() if k in ("application", "sca", "msa_sc", "nca")}
    data["documents"]["wire_form"] = {"bank_name": "First Sierra Bank", "first_wire": "2027-02-03", "fedwire": True}
    data["documents"]["contacts"] = {"people": [
        {"role": "Primary", "name": "Dana Whitfield", "phone": "(916) 555-0142"},
        {"role": "Real-time desk", "name": "RT Desk", "phone": "(916) 555-0160"},
    ]}
    return ApplicantRecord(data=data, sources=["<record>"])


def test_a_second_form_and_a_workbook_join_the_packet_without_code(catalog_dir: Path) -> None:
    from openpyxl import load_workbook
    from pypdf import PdfReader

    catalog = load_catalog(catalog_dir)
    assert [check_entry(catalog.get(k)) for k in ("wire_form", "contacts")] == [[], []]
    packet = build_packet(_record(), catalog=catalog)
    docs = packet.manifest.documents
    assert [d.key for d in docs] == ["application", "wire_form", "sca", "msa_sc", "nca", "contacts"]
    assert {d.key: d.kind for d in docs}["contacts"] == "workbook"

    form = next(d for d in docs if d.key == "wire_form")
    fields = {k: v.get("/V") for k, v in PdfReader(io.BytesIO(packet.files[form.file])).get_fields().items()}
    assert fields["holder"] == "Acme Power & Light, LLC"
    assert fields["bank"] == "First Sierra Bank"
    assert fields["wire_date"] == "02/03/2027"
    assert fields["fedwire"] not in (None, "/Off")

    book_doc = next(d for d in docs if d.key == "contacts")
    assert book_doc.file.endswith("_contacts_0.1.xlsx")
    book = load_workbook(io.BytesIO(packet.files[book_doc.file]))
    ws = book["Contacts"]
    assert ws["B1"].value == "Acme Power & Light, LLC"
    assert [[c.value for c in row] for row in ws["A5:C6"]] == [
        ["Primary", "Dana Whitfield", "(916) 555-0142"], ["Real-time desk", "RT Desk", "(916) 555-0160"],
    ]
    assert {p.name: p.value for p in book.custom_doc_props.props}[TEMPLATE_KEY] == "contacts"
    with zipfile.ZipFile(io.BytesIO(packet.files[book_doc.file])) as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}

    again = build_packet(_record(), catalog=catalog)
    assert again.files == packet.files and again.manifest_bytes() == packet.manifest_bytes()


def test_the_new_sections_are_validated_by_their_own_schemas(catalog_dir: Path) -> None:
    catalog = load_catalog(catalog_dir)
    record = _record()
    bad = copy.deepcopy(record.data)
    bad["documents"]["contacts"]["people"][0].pop("phone")
    bad["documents"]["wire_form"]["fedwire"] = "yes"
    with pytest.raises(ValidationFailed) as caught:
        build_packet(ApplicantRecord(data=bad, sources=["<record>"]), catalog=catalog)
    assert sorted(p.path for p in caught.value.problems) == [
        "documents.contacts.people[0].phone", "documents.wire_form.fedwire",
    ]
    # the bundled catalog does not know these documents: the same sections are unknown there
    with pytest.raises(ValidationFailed, match="unknown field 'wire_form'"):
        build_packet(record)


def test_too_many_rows_for_the_workbook_is_an_error_not_a_cut(catalog_dir: Path) -> None:
    from sc_docs.errors import FormError

    catalog = load_catalog(catalog_dir)
    record = _record()
    record.data["documents"]["contacts"]["people"] *= 6
    with pytest.raises(FormError, match=r"workbook.people: 12 items, but sheet Contacts has room for 10"):
        build_packet(record, catalog=catalog)
