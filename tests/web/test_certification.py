"""The list's certification column: read once, then refreshed in the background after a change."""

from __future__ import annotations

import time
from pathlib import Path

import yaml

from sc_docs.tracker import Tracker
from sc_docs.web.certification import progress_by_id
from sc_docs.web.workspace import Workspace


def test_progress_is_served_from_cache_and_caught_up_after_a_change(workspace: Path) -> None:
    ws = Workspace(workspace)
    assert progress_by_id(ws) == {}  # no tracker yet
    tracker = Tracker.open(ws.tracker_path(), create=True)
    record = yaml.safe_load((workspace / "acme-power-and-light.yaml").read_text(encoding="utf-8"))
    tracker.add_applicant(record, slug="acme-power-and-light", by="test")
    assert progress_by_id(ws, wait=False) is None  # nothing cached: the caller does not stop to read
    first = progress_by_id(ws)
    assert first is not None and first["acme-power-and-light"]["complete"] == 0
    tracker.mark("acme-power-and-light", "training", "done", by="test")
    stale = progress_by_id(ws)  # answered at once with what was known
    assert stale is not None and stale["acme-power-and-light"]["complete"] == 0
    deadline = time.monotonic() + 30
    while (now := progress_by_id(ws)) is not None and now["acme-power-and-light"]["complete"] == 0:
        assert time.monotonic() < deadline, "the background refresh never caught up"
        time.sleep(0.05)
    assert now is not None and now["acme-power-and-light"]["complete"] == 1
