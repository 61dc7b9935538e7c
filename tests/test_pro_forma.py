"""The pro forma templates in `pro_forma/`: metadata, structure, and rendering every sample.

These tests treat the templates as data: a new folder under `pro_forma/` is picked up without
touching this file, and its template is checked against its schema (the "lint" the catalog
relies on: every variable exists in the schemas, every required field is used or declared
unused in `meta.yaml`).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
PRO_FORMA = ROOT / "pro_forma"
SCHEMAS = ROOT / "schemas"
EXAMPLES = ROOT / "info_sheets" / "examples"

META_KEYS = {
    "key",
    "kind",
    "title",
    "tariff_appendix",
    "version",
    "as_of",
    "order",
    "schema",
    "template",
    "unused_fields",
}
DOCUMENT_KEYS = ("key", "kind", "title", "tariff_appendix", "source", "version", "as_of")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
LEFTOVER = re.compile(r"\{\{|\{%|%\}|\}\}")
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII"]
CAISO_CAPS = "CALIFORNIA INDEPENDENT SYSTEM OPERATOR CORPORATION"


def _keys() -> list[str]:
    """The agreement templates (forms such as the application have their own tests)."""
    return sorted(
        p.parent.name for p in PRO_FORMA.glob("*/meta.yaml")
        if yaml.safe_load(p.read_text(encoding="utf-8")).get("kind", "agreement") == "agreement"
    )


@cache
def _meta(key: str) -> dict[str, Any]:
    return yaml.safe_load((PRO_FORMA / key / "meta.yaml").read_text(encoding="utf-8"))


@cache
def _record(name: str) -> dict[str, Any]:
    return yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))


def _cases() -> list[tuple[str, str]]:
    cases = []
    for sheet in sorted(EXAMPLES.glob("*.yaml")):
        for key in sorted(set(_record(sheet.name).get("documents", {})) & set(_keys())):
            cases.append((sheet.name, key))
    return cases


CASES = _cases()
CASE_IDS = [f"{Path(s).stem}-{k}" for s, k in CASES]


def _context(sheet: str, key: str) -> dict[str, Any]:
    """The one template contract (`sc_docs.catalog.build_context`), never a copy of it."""
    from sc_docs.catalog import build_context, load_catalog

    return build_context(load_catalog().get(key), _record(sheet))


def _render(key: str, context: dict[str, Any]) -> bytes:
    from sc_docs.engines.docx import render_docx

    return render_docx(PRO_FORMA / key / _meta(key)["template"], context)


@cache
def _rendered(sheet: str, key: str) -> bytes:
    return _render(key, _context(sheet, key))


def _open(data: bytes):  # type: ignore[no-untyped-def]
    import docx

    return docx.Document(io.BytesIO(data))


def _xml_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n.startswith("word/") and n.endswith(".xml")}


def _part_text(xml: bytes) -> str:
    from lxml import etree

    root = etree.fromstring(xml)
    return "\n".join(
        "".join(t.text or "" for t in p.iter(f"{W}t")) for p in root.iter(f"{W}p")
    )


def _uses_scids(key: str) -> bool:
    return "applicant.scids" not in _meta(key)["unused_fields"]


# -- meta.yaml ------------------------------------------------------------------------------


def test_four_agreements_at_least() -> None:
    assert {"sca", "msa_sc", "nca", "msa_isome"} <= set(_keys())


@pytest.mark.parametrize("key", _keys())
def test_meta_has_exactly_the_contract_keys(key: str) -> None:
    meta = _meta(key)
    assert set(meta) == META_KEYS
    assert meta["key"] == key
    assert meta["kind"] == "agreement"
    assert isinstance(meta["version"], str) and meta["version"]
    assert meta["tariff_appendix"] is None or isinstance(meta["tariff_appendix"], str)
    assert hasattr(meta["as_of"], "year"), "as_of must be a YAML date"
    assert (SCHEMAS / meta["schema"]).is_file()
    assert (PRO_FORMA / key / meta["template"]).is_file()
    assert isinstance(meta["unused_fields"], list)


@pytest.mark.parametrize("key", _keys())
def test_meta_validates_against_the_toolkit_model(key: str) -> None:
    models = pytest.importorskip("sc_docs.models")
    models.DocumentMeta.model_validate(_meta(key))


@pytest.mark.parametrize("key", _keys())
def test_schema_is_wired_into_the_applicant_schema(key: str) -> None:
    applicant = json.loads((SCHEMAS / "applicant.schema.json").read_text(encoding="utf-8"))
    entry = applicant["properties"]["documents"]["properties"][key]
    assert entry["$ref"] == _meta(key)["schema"]


# -- the templates themselves ---------------------------------------------------------------


@pytest.mark.parametrize("key", _keys())
def test_every_tag_sits_inside_one_run(key: str) -> None:
    """A tag split by Word formatting would survive docxtpl's patching only by luck."""
    from lxml import etree

    data = (PRO_FORMA / key / _meta(key)["template"]).read_bytes()
    for name, xml in _xml_parts(data).items():
        for p in etree.fromstring(xml).iter(f"{W}p"):
            texts = [t.text or "" for t in p.iter(f"{W}t")]
            whole = TAG.findall("".join(texts))
            within = [tag for t in texts for tag in TAG.findall(t)]
            assert whole == within, f"{name}: tag split across runs in {''.join(texts)!r}"


@pytest.mark.parametrize("key", _keys())
def test_template_layout(key: str) -> None:
    from docx.shared import Inches

    doc = _open((PRO_FORMA / key / _meta(key)["template"]).read_bytes())
    section = doc.sections[0]
    assert (section.page_width, section.page_height) == (Inches(8.5), Inches(11))
    assert doc.styles["Normal"].font.name == "Times New Roman"
    header = "\n".join(p.text for p in section.header.paragraphs)
    assert "{{ document.title }}" in header and "{{ applicant.legal_name }}" in header
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml and "fldChar" in footer_xml


@pytest.mark.parametrize("key", _keys())
def test_articles_and_sections_are_numbered_in_order(key: str) -> None:
    doc = _open((PRO_FORMA / key / _meta(key)["template"]).read_bytes())
    article, section, seen = 0, 0, []
    for p in doc.paragraphs:
        if p.style.name == "Heading 1" and p.text.startswith("ARTICLE "):
            article += 1
            section = 0
            assert p.text.startswith(f"ARTICLE {ROMAN[article - 1]} - "), p.text
            seen.append(p.text)
        elif p.style.name == "Heading 2" and article and re.match(r"\d+\.\d+ ", p.text):
            section += 1
            assert p.text.startswith(f"{article}.{section} "), p.text
    titles = " ".join(seen)
    for needed in (
        "DEFINITIONS",
        "TERM AND TERMINATION",
        "RESPONSIBILITIES",
        "PENALTIES",
        "DISPUTE RESOLUTION",
        "REPRESENTATIONS AND WARRANTIES",
        "LIABILITY",
        "UNCONTROLLABLE FORCES",
        "MISCELLANEOUS",
    ):
        assert needed in titles, f"{key}: no article {needed}"


# -- the lint: template variables against schemas -------------------------------------------


@cache
def _schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def _resolve(node: dict[str, Any], base: str) -> tuple[dict[str, Any], str]:
    while "$ref" in node:
        ref = node["$ref"]
        file, _, pointer = ref.partition("#")
        base = file or base
        target: Any = _schema(base)
        for part in filter(None, pointer.split("/")):
            target = target[part]
        node = target
    return node, base


def _schema_paths(node: dict[str, Any], base: str, prefix: str, required: bool, out: dict[str, bool]) -> None:
    """Collect every record path under `prefix`, mapping it to whether it is always required."""
    node, base = _resolve(node, base)
    out[prefix] = required
    if node.get("type") == "object":
        needed = set(node.get("required", []))
        for name, child in node.get("properties", {}).items():
            _schema_paths(child, base, f"{prefix}.{name}", required and name in needed, out)
    elif node.get("type") == "array":
        _schema_paths(node["items"], base, f"{prefix}[]", required and node.get("minItems", 0) > 0, out)


@cache
def _record_paths(key: str) -> dict[str, bool]:
    out: dict[str, bool] = {}
    applicant = _schema("applicant.schema.json")["properties"]["applicant"]
    _schema_paths(applicant, "applicant.schema.json", "applicant", True, out)
    _schema_paths({"$ref": _meta(key)["schema"]}, _meta(key)["schema"], "agreement", True, out)
    for name in DOCUMENT_KEYS:
        out[f"document.{name}"] = False
    return out


def _used(path: str, variables: set[str]) -> bool:
    if any(v == path or v.startswith((path + ".", path + "[")) for v in variables):
        return True
    return path.endswith("[]") and path[:-2] in variables


@pytest.mark.parametrize("key", _keys())
def test_template_variables_exist_in_the_schemas(key: str) -> None:
    from sc_docs.engines.docx import compile_template

    variables = compile_template(PRO_FORMA / key / _meta(key)["template"]).variables()
    known = _record_paths(key)
    unknown = sorted(v for v in variables if v not in known)
    assert not unknown, f"{key}: template reads paths no schema defines: {unknown}"


@pytest.mark.parametrize("key", _keys())
def test_required_fields_are_used_or_declared_unused(key: str) -> None:
    from sc_docs.engines.docx import compile_template

    variables = compile_template(PRO_FORMA / key / _meta(key)["template"]).variables()
    known = _record_paths(key)
    unused = set(_meta(key)["unused_fields"])
    assert unused <= set(known), f"unused_fields names unknown paths: {sorted(unused - set(known))}"
    assert not {u for u in unused if _used(u, variables)}, "a field listed as unused is used"
    missing = sorted(
        path
        for path, required in known.items()
        if required
        and path not in ("applicant", "agreement")
        and not _used(path, variables)
        and not any(path == u or path.startswith((u + ".", u + "[")) for u in unused)
    )
    assert not missing, f"{key}: required fields neither used nor in unused_fields: {missing}"


# -- rendering every sample -----------------------------------------------------------------


def test_there_is_a_sample_for_every_agreement() -> None:
    assert {k for _, k in CASES} == set(_keys())


@pytest.mark.parametrize(("sheet", "key"), CASES, ids=CASE_IDS)
def test_renders_without_leftover_tags(sheet: str, key: str) -> None:
    data = _rendered(sheet, key)
    parts = _xml_parts(data)
    assert any(n.startswith("word/header") for n in parts) and any(n.startswith("word/footer") for n in parts)
    for name, xml in parts.items():
        text = _part_text(xml)
        assert not LEFTOVER.search(text), f"{name}: {LEFTOVER.search(text)}"
        assert not LEFTOVER.search(xml.decode("utf-8")), name


@pytest.mark.parametrize(("sheet", "key"), CASES, ids=CASE_IDS)
def test_legal_name_in_preamble_header_and_signature(sheet: str, key: str) -> None:
    name = _record(sheet)["applicant"]["legal_name"]  # as typed: identical on every document
    doc = _open(_rendered(sheet, key))
    preamble = next(p.text for p in doc.paragraphs if p.text.startswith("THIS "))
    assert name in preamble
    assert "250 Outcropping Way, Folsom, California 95630" in preamble
    assert name in "\n".join(p.text for p in doc.sections[0].header.paragraphs)
    signature = next(t for t in doc.tables if t.cell(0, 0).text == CAISO_CAPS)
    assert signature.cell(0, 1).text == name.upper()
    signatory = _record(sheet)["applicant"]["signatory"]
    column = "\n".join(c.text for c in signature.columns[1].cells)
    assert signatory["name"] in column and signatory["title"] in column


@pytest.mark.parametrize(("sheet", "key"), CASES, ids=CASE_IDS)
def test_schedules_list_every_scid_and_resource(sheet: str, key: str) -> None:
    record = _record(sheet)
    doc = _open(_rendered(sheet, key))

    def table_rows(header: list[str]) -> list[list[str]]:
        for t in doc.tables:
            if [c.text for c in t.rows[0].cells] == header:
                return [[c.text for c in r.cells] for r in t.rows[1:]]
        raise AssertionError(f"no table headed {header}")

    if _uses_scids(key):
        scids = record["applicant"]["scids"]
        assert table_rows(["No.", "SCID"]) == [[str(i), s] for i, s in enumerate(scids, 1)]
    resources = record["documents"][key].get("resources")
    if resources is not None:
        rows = table_rows(["No.", "Resource ID", "Resource Name", "Meter Type"])
        assert [r[1:3] for r in rows] == [[x["resource_id"], x["resource_name"]] for x in resources]
        assert all(r[3] for r in rows)


@pytest.mark.parametrize(("sheet", "key"), CASES, ids=CASE_IDS)
def test_notices_schedule_has_every_contact_field(sheet: str, key: str) -> None:
    applicant = _record(sheet)["applicant"]
    doc = _open(_rendered(sheet, key))
    table = next(
        t for t in doc.tables if [c.text for c in t.rows[0].cells][1:] == ["Primary Representative", "Alternate Representative"]
    )
    for column, role in ((1, "primary_representative"), (2, "alternate_representative")):
        contact = applicant[role]
        text = "\n".join(r.cells[column].text for r in table.rows[1:])
        for field in ("name", "title", "company", "city", "state", "zip", "email", "phone"):
            shown = contact[field]
            assert shown in text, (role, field)
        for line in contact["street"]:
            assert line in text
        assert contact.get("fax", "Not provided") in text


@pytest.mark.parametrize(("sheet", "key"), CASES, ids=CASE_IDS)
def test_effective_date_is_written_out(sheet: str, key: str) -> None:
    from sc_docs.engines.docx._filters import long_date

    text = "\n".join(p.text for p in _open(_rendered(sheet, key)).paragraphs)
    assert f"takes effect on {long_date(_record(sheet)['documents'][key]['effective_date'])}" in text


def test_other_entity_type_is_described() -> None:
    doc = _open(_rendered("obrien-community-energy.yaml", "sca"))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "“Community choice aggregator (joint powers authority)”" in text


def test_missing_required_value_fails_loudly() -> None:
    """StrictUndefined: a record lacking a field the template needs must not render."""
    from sc_docs.errors import TemplateError

    context = _context("acme-power-and-light.yaml", "sca")
    context["applicant"] = {k: v for k, v in context["applicant"].items() if k != "signatory"}
    with pytest.raises(TemplateError):
        _render("sca", context)


@pytest.mark.parametrize("key", _keys())
def test_templates_also_render_with_plain_docxtpl(key: str, tmp_path: Path) -> None:
    """Editors may try a template with docxtpl itself; it must behave the same way there."""
    from docxtpl import DocxTemplate
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    from sc_docs.engines.docx._filters import FILTERS

    sheet = next(s for s, k in CASES if k == key)
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)
    env.filters.update(FILTERS)
    tpl = DocxTemplate(PRO_FORMA / key / _meta(key)["template"])
    tpl.render(_context(sheet, key), env, autoescape=True)
    out = tmp_path / "out.docx"
    tpl.save(out)
    data = out.read_bytes()
    assert _record(sheet)["applicant"]["legal_name"] in _part_text(_xml_parts(data)["word/document.xml"])
    for name, xml in _xml_parts(data).items():
        assert not LEFTOVER.search(_part_text(xml)), name


# -- properties -----------------------------------------------------------------------------


_NAME_CHARS = st.characters(
    codec="utf-8",
    categories=("L", "N", "P", "S", "Zs"),
    exclude_characters="\u2028\u2029",
)
_names = st.text(_NAME_CHARS, min_size=2, max_size=60).filter(
    lambda s: re.fullmatch(r"\S(.*\S)?", s) is not None and not LEFTOVER.search(s)
)
_scids = st.lists(st.from_regex(r"[A-Z][A-Z0-9]{3}", fullmatch=True), min_size=1, max_size=50, unique=True)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=_names, scids=_scids)
def test_any_legal_name_and_scid_list_come_through_verbatim(name: str, scids: list[str]) -> None:
    """Names with &, <, quotes or accents are escaped once and read back exactly."""
    context = _context("acme-power-and-light.yaml", "sca")
    context["applicant"] = {**context["applicant"], "legal_name": name, "scids": scids}
    doc = _open(_render("sca", context))
    preamble = next(p.text for p in doc.paragraphs if p.text.startswith("THIS "))
    assert name in preamble
    assert name in doc.sections[0].header.paragraphs[0].text
    scid_table = next(t for t in doc.tables if [c.text for c in t.rows[0].cells] == ["No.", "SCID"])
    assert [r.cells[1].text for r in scid_table.rows[1:]] == scids


# -- LibreOffice: the page fields really count pages -----------------------------------------


@pytest.mark.libreoffice
@pytest.mark.slow
def test_footer_page_fields_count_pages_in_libreoffice(tmp_path: Path) -> None:
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    pdftotext = shutil.which("pdftotext")
    if not soffice or not pdftotext:
        pytest.skip("needs LibreOffice (soffice) and poppler-utils (pdftotext)")
    source = tmp_path / "sca.docx"
    source.write_bytes(_rendered("pacific-crest-gas-and-electric.yaml", "sca"))
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
    )
    text = subprocess.run(
        [pdftotext, "-layout", str(tmp_path / "sca.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = text.count("\f") or 1
    footers = re.findall(r"Page (\d+) of (\d+)", text)
    assert [int(n) for n, _ in footers] == list(range(1, pages + 1))
    assert {int(total) for _, total in footers} == {pages}
    assert text.count("Pacific Crest Gas & Electric Company") >= pages  # the header, on every page
