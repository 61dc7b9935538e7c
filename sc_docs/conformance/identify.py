"""Which pro forma a document was made from: its custom properties, else the closest text."""

from __future__ import annotations

import hashlib
import re
import threading
from pathlib import Path
from typing import Any, Final, Literal

from sc_docs.catalog import TEMPLATE_KEY, TEMPLATE_SHA256, TEMPLATE_VERSION
from sc_docs.errors import ScDocsError, UsageError

from .package import DocPackage, open_package
from .pattern import Pattern, build_pattern
from .report import Identification

# The property names written into outputs are the catalog's (its template contract).
KEY_PROP: Final = TEMPLATE_KEY
VERSION_PROP: Final = TEMPLATE_VERSION
SHA_PROP: Final = TEMPLATE_SHA256
#: Below this similarity no bundled template is taken to be the document's.
MIN_SIMILARITY: Final = 0.5
_WORD: Final = re.compile(r"[A-Za-z]+")


def shingles(text: str, n: int = 3) -> set[tuple[str, ...]]:
    words = [w.lower() for w in _WORD.findall(text)]
    return {tuple(words[i:i + n]) for i in range(max(0, len(words) - n + 1))}


def similarity(template_text: str, document_text: str) -> float:
    """Return the Dice similarity (0..1) of the word triples of the two texts.

    Agreements share boilerplate (notices, governing law), so it is the highest score that
    identifies a document, not a score above some level.
    """
    a, b = shingles(template_text), shingles(document_text)
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


_PATTERNS: dict[str, tuple[Pattern, DocPackage]] = {}
_LOCK: Final = threading.Lock()


def template_pattern(source: Path | bytes, name: str) -> tuple[Pattern, DocPackage]:
    """Return the pattern of a template (cached by SHA-256) and the template's package."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    key = hashlib.sha256(data).hexdigest()
    with _LOCK:
        hit = _PATTERNS.get(key)
    if hit is None:
        package = open_package(data, name)
        hit = (build_pattern(package, name), package)
        with _LOCK:
            _PATTERNS[key] = hit
    return hit


def document_context(entry: Any) -> dict[str, Any]:
    """Return the `document` mapping rendering gives a template: the catalog's, so they agree."""
    from sc_docs.catalog.contract import document_metadata

    return document_metadata(entry)


# -- identification ---------------------------------------------------------------------------


def identify(package: DocPackage, template_key: str | None, catalog: Any) -> tuple[Any, Identification, list[str]]:
    """Return (catalog entry, identification, notes) for the document in `package`."""
    props = {k: v for k, v in package.custom_properties().items() if k.startswith("sc_docs.")}
    notes: list[str] = []
    entry = None
    by: Literal["properties", "similarity", "option"] = "properties"
    score = None
    if template_key:
        entry, by = catalog.get(template_key), "option"
        if props.get(KEY_PROP) and props[KEY_PROP] != entry.key:
            notes.append(f"the document names template '{props[KEY_PROP]}'; compared with '{entry.key}' as asked")
    elif props.get(KEY_PROP):
        try:
            entry = catalog.get(props[KEY_PROP])
        except ScDocsError:
            notes.append(f"the document names template '{props[KEY_PROP]}', which the catalog lacks; identified by similarity")
    else:
        notes.append("the document carries no sc_docs template properties (removed or never set); identified by text similarity")
    if entry is None:
        text = " ".join(p.text for p in package.paragraphs())
        scored = []
        for candidate in catalog.agreements():
            pattern, _ = template_pattern(candidate.source_path, candidate.key)
            scored.append((similarity(pattern.literal_text(), text), candidate.key, candidate))
        if not scored:
            raise UsageError("the catalog holds no agreement templates to compare with")
        scored.sort(key=lambda s: (-s[0], s[1]))
        score, _, entry = scored[0]
        by = "similarity"
        score = round(score, 3)
        if score < MIN_SIMILARITY:
            notes.append(f"no bundled template resembles this document closely (best: {entry.key}, similarity {score})")
    if props.get(SHA_PROP) and props[SHA_PROP] != entry.source_sha256 and by != "similarity":
        notes.append(
            f"the document was made from template version {props.get(VERSION_PROP, '?')} "
            f"(sha256 {props[SHA_PROP][:12]}), not the current {entry.meta.version} "
            f"(sha256 {entry.source_sha256[:12]}): compared with the current one"
        )
    ident = Identification(key=entry.key, title=entry.meta.title, version=entry.meta.version,
                           template_sha256=entry.source_sha256, by=by, similarity=score, properties=props)
    return entry, ident, notes
