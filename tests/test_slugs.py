"""Identity keys and slugs: one key per applicant however typed, slugs that never depend on order."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sc_docs.slugs import choose_slug, identity_key, slugify, suffixed_slug


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Acme Power & Light, LLC", "ACME POWER AND LIGHT LLC"),
        ("O'Brien Valley Energy", "OBrien Valley Energy"),
        ("Acme L.L.C.", "acme llc"),
        ("Ciudad de Río Verde", unicodedata.normalize("NFD", "Ciudad de Río Verde")),
        ("Ｆｕｌｌｗｉｄｔｈ Power", "Fullwidth Power"),
        ("Straße Energie", "STRASSE ENERGIE"),
    ],
    ids=["and-case-comma", "apostrophe", "periods", "nfd", "nfkc", "casefold"],
)
def test_spellings_of_one_name_share_a_key(a: str, b: str) -> None:
    assert identity_key(a) == identity_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Énergie Nord", "Energie Nord"), ("東京電力", "東北電力"), ("x" * 60 + "A", "x" * 60 + "B")],
    ids=["accent", "cjk", "long"],
)
def test_names_that_only_slug_alike_keep_distinct_keys_and_slugs(a: str, b: str) -> None:
    assert slugify(a) == slugify(b) and identity_key(a) != identity_key(b)
    owners: dict[str, str] = {}
    for name in (a, b):
        owners[choose_slug(name, owners.get)] = identity_key(name)
    assert len(owners) == 2


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_key_ignores_normalization_and_case(name: str) -> None:
    key = identity_key(name)
    assert identity_key(unicodedata.normalize("NFD", name)) == key
    assert identity_key(name.upper()) == identity_key(name.upper().lower())
    assert identity_key(key) == key  # a key is its own key


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=80), st.text(min_size=1, max_size=80))
def test_the_slug_a_name_takes_never_depends_on_who_came_first(a: str, b: str) -> None:
    """Whoever holds the plain slug, the other name's slug is a function of its own key."""
    if identity_key(a) == identity_key(b):
        return
    owner = {slugify(a): identity_key(a)}
    got = choose_slug(b, owner.get)
    assert got == (slugify(b) if slugify(b) != slugify(a) else suffixed_slug(b))
    assert got != slugify(a) or slugify(a) != slugify(b)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_the_ascii_fast_path_agrees_with_the_general_one(name: str) -> None:
    """An ASCII name gets the key it would get through the Unicode path (forced by a non-ASCII space)."""
    assert identity_key(name) == identity_key(name + "\u3000").strip()
