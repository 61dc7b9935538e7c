"""`map_form` on an official-looking fillable PDF: names, tooltips and page text give the map."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from sc_docs.catalog import read_entry
from sc_docs.catalog.importing import map_form
from sc_docs.catalog.importing.form import name_words, read_layout
from tests.catalog.importing.official import PDF_FIELDS, build_pdf
from tests.conftest import SAMPLES


@pytest.fixture
def official(tmp_path: Path) -> Path:
    return build_pdf(tmp_path / "official.pdf")


def test_tooltips_and_labels_are_read(official: Path) -> None:
    widgets, texts = read_layout(official.read_bytes(), "official.pdf")
    assert set(widgets) == {name for name, *_ in PDF_FIELDS}
    assert widgets["f1"].tooltip == "Legal name of the applicant"
    assert any(t == "SCID 2:" for _, _, t in texts[1])


@pytest.mark.parametrize(("name", "words"), [("section1.legalName_2", "section 1 legal Name 2"), ("rep-email", "rep email"), ("scid2", "scid 2")])
def test_name_words(name: str, words: str) -> None:
    assert name_words(name) == words


def test_every_field_gets_the_right_proposal(official: Path, tmp_path: Path) -> None:
    result = map_form(official, "application", out=tmp_path / "cat")
    assert {m.name: m.record_path for m in result.items} == {name: path for name, _, _, path in PDF_FIELDS}
    assert [m.name for m in result.unmapped] == ["misc"]
    # The unmapped field is named in fields.yaml and by the lint, until a person maps it.
    text = (tmp_path / "cat/application/fields.yaml").read_text()
    assert "# UNMAPPED 'misc'" in text
    assert result.problems == ["misc: form field is not mapped to any record path"]


def test_assigned_map_passes_the_lint_and_fills(official: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    from sc_docs.catalog.formfill import fill_form
    from sc_docs.sheets import load_applicant

    result = map_form(official, "application", out=tmp_path / "cat", assign={11: "documents.application.scheduling_agent_name"})
    assert result.problems == [] and result.files == ["fields.yaml", "form.pdf", "meta.yaml"]
    rules = yaml.safe_load((tmp_path / "cat/application/fields.yaml").read_text())
    assert rules["start"] == {"path": "documents.application.application_date", "date": "%m/%d/%Y"}
    meta = yaml.safe_load((tmp_path / "cat/application/meta.yaml").read_text())
    assert meta["kind"] == "form" and meta["schema"] == "application.schema.json"
    entry = read_entry(tmp_path / "cat/application")
    sample = next(s for s in SAMPLES if "acme" in s.name)
    record = load_applicant(sample).data
    record["documents"]["application"]["scheduling_agent_name"] = "n/a"
    import io

    values = PdfReader(io.BytesIO(fill_form(entry, record))).get_fields()
    assert values["f1"]["/V"] == record["applicant"]["legal_name"]
    assert values["f3"]["/V"] == record["applicant"]["scids"][1]
    assert values["start"]["/V"] == dt.date.fromisoformat(record["documents"]["application"]["application_date"]).strftime("%m/%d/%Y")
    assert values["alt_name"]["/V"] == record["applicant"]["alternate_representative"]["name"]


def test_a_new_form_key_gets_a_schema(official: Path, tmp_path: Path) -> None:
    result = map_form(official, "official_form", out=tmp_path / "cat", assign={11: "keep"})
    schema = (tmp_path / "cat/official_form/official_form.schema.json").read_text()
    assert '"application_date"' in schema
    assert next(m for m in result.items if m.name == "start").record_path == "documents.official_form.application_date"


def test_the_bundled_application_form_maps_as_its_hand_written_map(tmp_path: Path) -> None:
    """On a real form laid out in rows with labels above, the proposals agree with the hand-made map."""
    from sc_docs.catalog import load_catalog

    entry = load_catalog().get("application")
    bundled = yaml.safe_load(entry.file("fields").read_text())
    by_hand = {name: rule if isinstance(rule, str) else rule["path"] for name, rule in bundled.items()}
    result = map_form(entry.source_path, "application", write=False)
    proposed = {m.name: m.record_path for m in result.items}
    for name in ("section1.legal_name", "section1.street", "section1.city", "section1.state", "section1.zip",
                 "section1.state_of_incorporation", "section1.commencement_date", "section1.scheduling_agent_name",
                 "contacts.primary.name", "contacts.alternate.email", "contacts.emergency.name", "contacts.realtime.phone",
                 "signature.name", "signature.title"):
        assert proposed[name] == by_hand[name], name
    city_line = next(m for m in result.items if m.name == "contacts.primary.city_state_zip")
    assert "format: '{city}, {state} {zip}'" in city_line.written
