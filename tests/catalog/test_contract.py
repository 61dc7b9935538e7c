"""The catalog's contract: entries by kind, one context builder, one set of output properties."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml

import sc_docs
from sc_docs.catalog import OUTPUT_PROPERTIES, SECTION_NAMES, build_context, load_catalog, read_entry
from sc_docs.catalog.makers import MAKERS, make
from sc_docs.errors import CatalogError
from sc_docs.models import KIND_FILES
from tests.conftest import EXAMPLES, ROOT

ACME = EXAMPLES / "acme-power-and-light.yaml"


def test_every_kind_has_a_maker_and_a_section_name() -> None:
    assert set(MAKERS) == set(KIND_FILES) == set(SECTION_NAMES) == {"agreement", "form", "workbook", "letter"}


def test_context_has_the_shared_facts_the_own_section_and_the_metadata() -> None:
    data = sc_docs.load_applicant(ACME).data
    entry = load_catalog().get("msa_sc")
    ctx = build_context(entry, data)
    assert set(ctx) == {"applicant", "agreement", "document"}
    assert ctx["applicant"] is data["applicant"]
    assert ctx["agreement"] is data["documents"]["msa_sc"]
    assert ctx["document"]["as_of"] == "2013-06-12" and isinstance(ctx["document"]["as_of"], str)
    assert ctx["document"]["key"] == "msa_sc" and ctx["document"]["kind"] == "agreement"
    form = build_context(load_catalog().get("application"), data)
    assert set(form) == {"applicant", "form", "document"}


def test_output_properties_are_written_and_read_back() -> None:
    entry = load_catalog().get("sca")
    docx = make(entry, sc_docs.load_applicant(ACME).data, dt.date(2027, 1, 1))
    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        custom = zf.read("docProps/custom.xml").decode()
    for name in OUTPUT_PROPERTIES:
        assert f'name="{name}"' in custom
    assert entry.source_sha256 in custom


def test_packet_order_is_catalog_data() -> None:
    keys = [e.key for e in load_catalog()]
    assert keys[0] == "application"  # the form CAISO reads first
    orders = [e.meta.order for e in load_catalog()]
    assert orders == sorted(orders)
    appendix = [e.meta.tariff_appendix for e in load_catalog().agreements() if e.meta.tariff_appendix]
    assert appendix == sorted(appendix, key=lambda a: [int(x) if x.isdigit() else x for x in re.split(r"[.]", a)])


def test_no_python_module_names_a_document_by_its_key() -> None:
    keys = [e.key for e in load_catalog()]
    for path in sorted((ROOT / "sc_docs").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for key in keys:
            assert not re.search(rf"""["']{key}["']""", text), f"{path.relative_to(ROOT)} names the document '{key}'"


def test_the_record_schema_on_disk_is_the_catalogs_composition() -> None:
    import json

    on_disk = json.loads((ROOT / "schemas" / "applicant.schema.json").read_text(encoding="utf-8"))
    assert on_disk == load_catalog().schemas.files["applicant.schema.json"], "run python -m tools.compose_schema"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "form"}, "a form needs `form` (a .pdf file)"),
        ({"kind": "workbook", "template": "template.docx"}, "`template` of a workbook must be a .xlsx file"),
        ({"kind": "letter", "fields": "fields.yaml"}, "a letter takes no `fields`"),
        ({"kind": "memo"}, "kind: Input should be 'agreement', 'form', 'workbook' or 'letter'"),
        ({"template": "missing.docx"}, "names missing.docx, which does not exist"),
    ],
    ids=["form-without-pdf", "workbook-wrong-suffix", "stray-file", "unknown-kind", "missing-file"],
)
def test_meta_yaml_names_the_files_its_kind_needs(tmp_path: Path, change: dict, message: str) -> None:
    folder = tmp_path / "sca"
    shutil.copytree(load_catalog().get("sca").folder, folder)
    meta = yaml.safe_load((folder / "meta.yaml").read_text(encoding="utf-8"))
    (folder / "meta.yaml").write_text(yaml.safe_dump({**meta, **change}), encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        read_entry(folder)
    assert message in caught.value.format_message()


def test_a_schema_missing_everywhere_is_named(tmp_path: Path) -> None:
    root = tmp_path / "pro_forma"
    shutil.copytree(load_catalog().get("sca").folder, root / "sca")
    meta_path = root / "sca" / "meta.yaml"
    meta_path.write_text(meta_path.read_text().replace("schema: sca.schema.json", "schema: nowhere.schema.json"))
    with pytest.raises(CatalogError, match="its schema nowhere.schema.json is neither in its folder nor in"):
        load_catalog(root).schemas
