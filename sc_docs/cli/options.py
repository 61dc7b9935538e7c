"""Kept for modules that import `format_option` from here; the shared options live in `params`."""

from __future__ import annotations

from sc_docs.cli.params import format_option

__all__ = ["format_option"]
