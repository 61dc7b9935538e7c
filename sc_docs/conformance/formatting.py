"""Formatting of the template's paragraphs, for `--strict` comparisons."""

from __future__ import annotations

from .package import DocPackage


def pattern_formatting(template: DocPackage) -> dict[int, tuple]:
    """Return the formatting of each pattern paragraph, by paragraph id."""
    return {}
