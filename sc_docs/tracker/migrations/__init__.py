"""Alembic migrations of the tracker database (run programmatically by `sc_docs.tracker.database`).

`HEAD_REVISION` lets an up-to-date database open without importing Alembic; a test checks it
matches the newest script in `versions/`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

HEAD_REVISION: Final = "0003"
SCRIPT_LOCATION: Final = Path(__file__).resolve().parent
