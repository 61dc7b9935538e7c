"""Property: a word slipped into any fixed paragraph of an agreement is found, at that paragraph."""

from __future__ import annotations

from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from sc_docs.conformance import verify_docx
from sc_docs.conformance.docread import normalize
from sc_docs.conformance.verify import template_pattern
from tests.conformance import edits as ed
from tests.conformance.conftest import ACME, rendered


@cache
def candidates(key: str) -> tuple[bytes, list[int]]:
    """The draft and the numbers (1-based) of its paragraphs whose text is fixed by the template."""
    from sc_docs.catalog import load_catalog

    entry = load_catalog().get(key)
    pattern, _ = template_pattern(entry.source_path, key)
    fixed = {p.literal for p in pattern.paras.values() if all(isinstance(i, str) for i in p.items) and len(p.literal) > 20}
    data = rendered(ACME, key)
    root = etree.fromstring(ed.parts(data)[ed.DOC])
    numbers = [n for n, p in enumerate(root.iter(ed.w("p")), start=1) if normalize(ed.text_of(p)) in fixed]
    return data, numbers


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    key=st.sampled_from(["sca", "nca", "msa_sc"]),
    pick=st.integers(min_value=0, max_value=10_000),
    at=st.integers(min_value=0, max_value=10_000),
    word=st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=10),
)
def test_inserted_word_is_found_where_it_was_put(key: str, pick: int, at: int, word: str) -> None:
    data, numbers = candidates(key)
    number = numbers[pick % len(numbers)]

    def insert(root: etree._Element) -> None:
        p = list(root.iter(ed.w("p")))[number - 1]
        ed.merge_runs(p)
        t = next(t for t in p.iter(ed.w("t")) if t.text and t.text.strip())
        spaces = [i for i, c in enumerate(t.text) if c == " "]
        if spaces:
            i = spaces[at % len(spaces)]
            t.text = t.text[:i] + f" {word}" + t.text[i:]
        else:
            t.text = f"{word} {t.text}"
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")

    report = verify_docx(ed.edit(data, insert))
    assert not report.conforming
    assert len(report.deviations) == 1, [d.describe() for d in report.deviations]
    d = report.deviations[0]
    assert (d.kind, d.found, d.paragraph, d.part) == ("inserted", word, number, "document")
