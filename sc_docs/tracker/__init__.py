"""The certification tracker: requirements as data, state and an append-only history in SQLite.

Public API: `Tracker` (open a database, register, mark, read history), `record_packet` (called by
the packet and batch workflows), `load_requirements`, and the views in `sc_docs.tracker.views`.
"""

from __future__ import annotations

from sc_docs.tracker.requirements import RequirementSet, load_requirements
from sc_docs.tracker.store import Tracker, record_packet

__all__ = ["RequirementSet", "Tracker", "load_requirements", "record_packet"]
