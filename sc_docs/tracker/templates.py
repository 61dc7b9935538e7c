"""Which recorded documents were made from an outdated template version.

The current versions are read straight from `pro_forma/*/meta.yaml` (`key`, `version`) so the
tracker does not depend on the catalog module; a folder whose meta lacks either is skipped.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sc_docs.tracker.records import DocumentRecord


@dataclass(frozen=True)
class StaleDocument:
    """A document whose template `version` is not the catalog's `current` one."""

    document: DocumentRecord
    current: str
    older: bool | None  # None: the two versions cannot be ordered, only told apart

    def to_json(self) -> dict[str, Any]:
        return {**self.document.to_json(), "current_version": self.current, "older": self.older}


def current_versions(pro_forma: Path | None = None) -> dict[str, str]:
    """Return `{key: version}` from every `pro_forma/*/meta.yaml` that states both."""
    import yaml

    if pro_forma is None:
        from sc_docs.paths import pro_forma_dir

        pro_forma = pro_forma_dir()
    versions: dict[str, str] = {}
    for meta in sorted(pro_forma.glob("*/meta.yaml")):
        try:
            data = yaml.safe_load(meta.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue  # the catalog's own checks report broken metadata; here it just has no say
        if isinstance(data, dict) and data.get("version") is not None:
            versions[str(data.get("key") or meta.parent.name)] = str(data["version"])
    return versions


_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1
)}


def _sort_key(version: str) -> tuple[Any, ...] | None:
    """Return an orderable key for a date-like (`2013-06-12`, `as of Jun 12, 2013`) or dotted version."""
    text = version.strip().lower()
    m = re.search(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if m:
        return ("date", dt.date(int(m[1]), int(m[2]), int(m[3])))
    m = re.search(r"([a-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})", text)
    if m and m[1] in _MONTHS:
        return ("date", dt.date(int(m[3]), _MONTHS[m[1]], int(m[2])))
    if re.fullmatch(r"v?\d+(\.\d+)*", text):
        return ("num", tuple(int(p) for p in text.lstrip("v").split(".")))
    return None


def is_older(version: str, current: str) -> bool | None:
    """Return whether `version` precedes `current`; `None` when they cannot be compared."""
    a, b = _sort_key(version), _sort_key(current)
    if a is None or b is None or a[0] != b[0]:
        return None
    try:
        return bool(a[1] < b[1])
    except (TypeError, ValueError):
        return None


def stale_documents(documents: list[DocumentRecord], current: dict[str, str]) -> list[StaleDocument]:
    """Return the documents whose version is older than (or not comparable to and different from) the current one."""
    stale: list[StaleDocument] = []
    for doc in documents:
        now = current.get(doc.key)
        if now is None or doc.version == now:
            continue
        older = is_older(doc.version or "", now)
        if older is False:
            continue  # made from a newer template than this checkout knows: not stale
        stale.append(StaleDocument(doc, now, older))
    return stale
