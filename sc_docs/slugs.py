"""Safe, stable file names for applicants: no separators, no `..`, no control or reserved names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Names Windows refuses as files whatever the extension.
_RESERVED = {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
_MAX_LEN = 60


def slugify(name: str) -> str:
    """Return a lower-case ASCII slug of `name` made of `a-z`, `0-9` and single hyphens.

    Accents fold to their base letter, `&` becomes `and`; anything else becomes a hyphen. An empty
    result becomes `applicant`; a reserved device name gets a `-1` suffix.
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = text.replace("&", " and ").lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(text) > _MAX_LEN:
        # Cut at the last word boundary within the limit, never mid-word ("...-authority", not "...-autho").
        head = text[: _MAX_LEN + 1]
        text = head.rsplit("-", 1)[0] if "-" in head.rstrip("-") else text[:_MAX_LEN]
    text = text.rstrip("-") or "applicant"
    if text in _RESERVED:
        text = f"{text}-1"
    return text


def unique_slugs(names: Iterable[str]) -> list[str]:
    """Return one slug per name, in order, made distinct by `-2`, `-3`, ... suffixes."""
    seen: set[str] = set()
    out: list[str] = []
    for name in names:
        base = slugify(name)
        slug, n = base, 1
        while slug in seen:
            n += 1
            slug = f"{base}-{n}"
        seen.add(slug)
        out.append(slug)
    return out
