"""Several processes marking the same applicant at once lose nothing and keep the chain intact."""

from __future__ import annotations

import multiprocessing
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sc_docs.tracker.store import Tracker

WORKERS = 4
MARKS = 30


def _worker(db: str, slug: str, worker: int, start: Any) -> None:
    start.wait()  # all processes begin together
    tracker = Tracker.open(db, timeout=60)
    statuses = ("done", "pending", "waived")
    for n in range(MARKS):
        requirement = "training" if n % 2 else f"{('uaa', 'eft_test', 'training', 'sca')[worker % 4]}"
        tracker.mark(slug, requirement, statuses[(n + worker) % 3], note=f"w{worker}#{n}", by=f"w{worker}")


def test_concurrent_marks_are_all_kept(
    tracker: Tracker, acme: str, db_path: Path, make_record: Callable[..., dict[str, Any]]
) -> None:
    ctx = multiprocessing.get_context("fork")
    start = ctx.Event()
    procs = [ctx.Process(target=_worker, args=(str(db_path), acme, w, start)) for w in range(WORKERS)]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(timeout=300)
    assert [p.exitcode for p in procs] == [0] * WORKERS

    marks = [e for e in tracker.history(acme) if e.action == "mark"]
    assert len(marks) == WORKERS * MARKS
    assert {e.note for e in marks} == {f"w{w}#{n}" for w in range(WORKERS) for n in range(MARKS)}
    # Each change saw the status the previous change of that requirement left behind.
    last: dict[str, str] = defaultdict(lambda: "pending")
    for e in marks:
        assert e.requirement is not None
        assert e.old_status == last[e.requirement], e
        last[e.requirement] = e.new_status or ""
    assert {k: e.new_status for k, e in tracker.current(acme).items()} == dict(last)


def _creator(db: str, worker: int, start: Any) -> None:

    start.wait()
    tracker = Tracker.open(db, create=True, timeout=60)
    record = {"applicant": {"legal_name": f"Worker {worker} Energy"}, "application": {"application_date": "2026-12-01"}}
    tracker.add_applicant(record, by=f"w{worker}")
    tracker.mark(f"worker-{worker}-energy", "uaa", "done", by=f"w{worker}")


def test_processes_racing_to_create_the_database(tmp_path: Path) -> None:
    db = tmp_path / "fresh.sqlite"
    ctx = multiprocessing.get_context("fork")
    start = ctx.Event()
    procs = [ctx.Process(target=_creator, args=(str(db), w, start)) for w in range(WORKERS)]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(timeout=300)
    assert [p.exitcode for p in procs] == [0] * WORKERS
    tracker = Tracker.open(db)
    assert [a.slug for a in tracker.applicants()] == [f"worker-{w}-energy" for w in range(WORKERS)]
    for w in range(WORKERS):
        assert [e.action for e in tracker.history(f"worker-{w}-energy")] == ["register", "mark"]
