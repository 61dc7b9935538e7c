"""sc-docs: the paperwork of becoming a CAISO Scheduling Coordinator, generated and checked."""

from __future__ import annotations

__version__ = "0.1.0"
