"""Which pro forma a document was made from: its custom properties, else the closest text."""

from __future__ import annotations

import re
from typing import Final

from sc_docs.catalog.contract import TEMPLATE_KEY as KEY_PROP
from sc_docs.catalog.contract import TEMPLATE_SHA256 as SHA_PROP
from sc_docs.catalog.contract import TEMPLATE_VERSION as VERSION_PROP

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
