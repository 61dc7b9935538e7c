"""Applicant identity and file names: a stable key from the legal name, a safe slug to show.

Two spellings a Secretary of State would not tell apart ("Acme Power & Light, LLC" and
"ACME POWER AND LIGHT LLC") share one identity key, so they are one applicant. The slug is only a
display and file name: different applicants can slug alike ("Énergie Nord" and "Energie Nord"),
so whoever owns a slug is decided by the key, and a second key gets a suffix derived from its
own key, never a counter that depends on the order the names arrived in.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable

# Names Windows refuses as files whatever the extension.
_RESERVED = {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
_MAX_LEN = 60
# Marks that join the letters of one word ("O'Brien", "L.L.C."): dropped, not turned into a space.
_JOINERS = {"'", "\u2019", "\u02bc", "`", "."}
_ASCII_JOINERS = re.compile(r"['`.]")
_ASCII_OTHER = re.compile(r"[^a-z0-9]")
_HASH_LEN = 8


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


@functools.lru_cache(maxsize=4096)
def identity_key(name: str) -> str:
    """Return the identity key of a legal name: NFKC, case-folded, `&` read as `and`, no punctuation.

    Letters of every script are kept (unlike the slug), so names that only slug alike differ here.
    """
    if name.isascii():  # the common case, without a Python loop over the characters
        text = _ASCII_JOINERS.sub("", name.lower().replace("&", " and "))
        return " ".join(_ASCII_OTHER.sub(" ", text).split())
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    out: list[str] = []
    for ch in text:
        if ch == "&":
            out.append(" and ")
        elif ch in _JOINERS:
            continue
        elif ch.isalnum() or unicodedata.category(ch) in ("Mn", "Mc"):
            out.append(ch)
        else:
            out.append(" ")
    return " ".join("".join(out).split())


def same_applicant(a: str, b: str) -> bool:
    """True when legal names `a` and `b` name the same applicant."""
    return identity_key(a) == identity_key(b)


def suffixed_slug(name: str, salt: str = "") -> str:
    """Return the slug `name` takes when its plain slug belongs to another applicant.

    The suffix is a hash of the identity key (and `salt`, when one applicant is given twice: the
    input's name), so the same name gets the same slug in every run.
    """
    base = slugify(name)[: _MAX_LEN - _HASH_LEN - 1].rstrip("-")
    seed = identity_key(name) + (f"\0{salt}" if salt else "")
    digest = hashlib.sha256(seed.encode("utf-8")).hexdigest()[:_HASH_LEN]
    return f"{base}-{digest}"


def choose_slug(name: str, owner_of: Callable[[str], str | None]) -> str:
    """Return the slug for legal name `name`, given `owner_of(slug)` -> the owner's identity key.

    `owner_of` answers None for a free slug. The plain slug is used when free or already this
    applicant's; otherwise the hashed one. Raises `ValueError` if even that belongs to someone else
    (a hash collision: not expected in practice, and never resolved by guessing).
    """
    key = identity_key(name)
    for slug in (slugify(name), suffixed_slug(name)):
        owner = owner_of(slug)
        if owner is None or owner == key:
            return slug
    raise ValueError(f"no free file name for {name!r}: {slugify(name)!r} and its suffixed form are taken")


def unique_slugs(names: Iterable[str]) -> list[str]:
    """Return one slug per name, in order, made distinct by `-2`, `-3`, ... suffixes.

    For labels that must merely differ within one list; an applicant's slug comes from
    `choose_slug`, which does not depend on the order of the names.
    """
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
