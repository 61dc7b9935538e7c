"""The visual test: every bundled sample and every corpus form, filled, flattened and read back
from poppler's rendering: each value inside its box, at the floor size or above, checks inked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sc_docs.engines.pdf import open_form
from tests.engines.pdf import corpus
from tests.engines.pdf.visual import check_drawn, check_filled

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils (pdftotext, pdftoppm) not installed; see tests/system-deps.sh",
)

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = sorted((ROOT / "info_sheets" / "examples").glob("*.yaml"))
SHOWN = {"opt-pairs": {"state": "Nevada"}}


@pytest.mark.parametrize("sheet", SAMPLES, ids=[s.stem for s in SAMPLES])
def test_every_sample_is_legible_on_the_bundled_form(sheet: Path) -> None:
    import sc_docs
    from sc_docs.catalog import load_catalog
    from sc_docs.catalog.formfill import form_values, load_field_map, lookup_root

    entry = load_catalog().get("application")
    record = sc_docs.load_applicant(sheet).data
    values = form_values(lookup_root(entry, record), load_field_map(entry.folder / str(entry.meta.fields)))
    data = entry.source_path.read_bytes()
    report = open_form(data).fill_report(values, flatten=True)
    assert report.addendum == []  # the form gives real values room (issue 15, item 9)
    assert check_filled(data, values, report) == []
    assert check_drawn(data, open_form(data).fill(values), values) == []
    assert _smallest_sizes(open_form(data).fill(values)) == {}  # and every value at the form's 10 pt


def _smallest_sizes(data: bytes) -> dict[str, float]:
    """Return {field: size} for every text appearance drawn below 10 pt."""
    import io
    import re

    from pypdf import PdfReader

    small = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for ref in page.get("/Annots", []):
            w = ref.get_object()
            normal = w["/AP"]["/N"].get_object() if "/AP" in w else None
            if normal is None or not hasattr(normal, "get_data"):
                continue
            sizes = [float(s) for s in re.findall(rb"/\S+ ([\d.]+) Tf", normal.get_data())]
            if sizes and min(sizes) < 10:
                small[str(w.get("/T"))] = min(sizes)
    return small


@pytest.mark.parametrize("name", sorted(set(corpus.CORPUS) - {"many-fields"}))
def test_every_corpus_form_is_legible(name: str) -> None:
    data, values = corpus.CORPUS[name]()
    report = open_form(data).fill_report(values, flatten=True)
    assert check_filled(data, values, report, shown=SHOWN.get(name)) == []
    assert check_drawn(data, open_form(data).fill(values), values) == []


def test_the_2000_field_form_is_legible() -> None:
    data, values = corpus.many_fields()
    report = open_form(data).fill_report(values, flatten=True)
    assert check_filled(data, values, report) == []


def test_the_check_catches_a_value_drawn_too_small() -> None:
    data, values = corpus.legibility()
    report = open_form(data).fill_report(values, flatten=True, min_font_size=3)
    problems = check_filled(data, values, report)
    assert any("company: word" in p and "pt" in p for p in problems)


def test_the_check_catches_a_value_not_drawn() -> None:
    data, values = corpus.checkbox_without_appearance()
    assert check_drawn(data, data, values) == ["agree: nothing drawn in its box"]
    data, values = corpus.quadding()
    assert sorted(check_drawn(data, data, values)) == ["centred: nothing drawn in its box",
                                                       "right: nothing drawn in its box"]
