"""Fixtures: agreements rendered from the bundled samples, as the packet code renders them."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from tests.conftest import SAMPLES

PROPS = ("sc_docs.template_key", "sc_docs.template_version", "sc_docs.template_sha256")


def _catalog() -> Any:
    from sc_docs.catalog import load_catalog

    return load_catalog()


@cache
def record(sample: str) -> dict[str, Any]:
    from sc_docs import load_applicant

    return load_applicant(sample).data


def context(sample: str, key: str) -> dict[str, Any]:
    from sc_docs.catalog import build_context

    return build_context(_catalog().get(key), record(sample))


@cache
def rendered(sample: str, key: str, properties: bool = True) -> bytes:
    """The agreement `key` rendered for `sample`, with the packet's custom properties."""
    from sc_docs.engines.docx import compile_template

    entry = _catalog().get(key)
    props = dict(zip(PROPS, (key, entry.meta.version, entry.source_sha256), strict=True)) if properties else None
    return compile_template(entry.source_path).render(context(sample, key), custom_properties=props)


def pairs() -> list[tuple[str, str]]:
    """Every (sample, agreement key) the samples fill in."""
    keys = {e.key for e in _catalog().agreements()}
    return [(str(s), k) for s in SAMPLES for k in sorted(record(str(s)).get("documents", {})) if k in keys]


PAIRS = pairs()
PAIR_IDS = [f"{s.rsplit('/', 1)[-1].removesuffix('.yaml')}-{k}" for s, k in PAIRS]
ACME = next(str(s) for s in SAMPLES if "acme" in str(s))


@pytest.fixture
def acme_sca() -> bytes:
    return rendered(ACME, "sca")
