"""The certification tracker: requirements as data, state and an append-only history in SQLite.

Public API: `Tracker` (open a database, register, mark, read history), `record_packet` (called by
the packet and batch workflows), `load_requirements`, and the views in `sc_docs.tracker.views`.
`Tracker` and `record_packet` are loaded on first use: the store brings SQLAlchemy, which a packet
that only reads the requirements (the checklist letter) should not pay for at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sc_docs.tracker.requirements import RequirementSet, load_requirements

if TYPE_CHECKING:
    from sc_docs.tracker.store import Tracker, record_packet

__all__ = ["RequirementSet", "Tracker", "load_requirements", "record_packet"]


def __getattr__(name: str) -> Any:
    if name in ("Tracker", "record_packet"):
        from sc_docs.tracker import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
