"""Packets for many applicants: inputs expanded, worker processes, resume, a report.

The parent plans (`batch_plan`: every applicant's distinct, stable slug, read from a YAML sheet's
legal name alone) and hands each applicant to a worker; workers load the sheet, validate, render
and write the packet atomically, sharing the font subsets they build through a hidden folder. At
most a few applicants are in flight at once, so memory stays flat however many the batch holds.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

from sc_docs import __version__
from sc_docs.batch_plan import Item, Planner, SheetRef, Task, iter_inputs, name_of
from sc_docs.errors import ScDocsError, ValidationFailed
from sc_docs.models import BatchEntry, BatchReport, Manifest
from sc_docs.files import claim_output_dir, locked
from sc_docs.packet import (
    MANIFEST,
    MAX_MANIFEST,
    TMP_PREFIX,
    build_packet,
    clean_stale_temp,
    folder_owner,
    input_sha256,
    read_manifest,
    slug_for,
    write_packet,
)
from sc_docs.sheets import ApplicantRecord, load_sheet
from sc_docs.sheets.loader import sheet_files

__all__ = ["BatchInterrupted", "Options", "folder_owner", "input_files", "make_one", "run_batch", "slug_for"]

REPORT = "batch-report.json"
# What sc-docs itself writes into an output folder: never read back as an info sheet, so that
# `batch . -o . --resume` does not take last run's report for an applicant.
OWN_OUTPUTS = frozenset({REPORT, MANIFEST})


class BatchInterrupted(ScDocsError):
    """The user interrupted the batch (Ctrl-C); the report lists what finished."""

    exit_code: ClassVar[int] = 130


@dataclass
class Options:
    """How each packet of a batch is made."""

    outdir: Path
    packet_date: dt.date | None = None
    pdf: bool = False
    resume: bool = False
    db: str | None = None  # tracker database to record each written packet in
    fonts: str | None = None  # set by `run_batch`: the folder its workers share font subsets in


def input_files(path: Path) -> list[Path]:
    """Return the files an input names: itself, or a folder's sheets then its CSV rosters.

    In a folder, what sc-docs wrote there itself (a batch report, temporaries) is not an input.
    """
    if path.is_dir():
        found = sheet_files(path) + sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
        return [f for f in found if f.name not in OWN_OUTPUTS and not f.name.startswith(TMP_PREFIX)]
    return [path]


def _up_to_date(record: ApplicantRecord, slug: str, opts: Options) -> bool:
    """True when the packet on disk was made from this input with the current templates."""
    from sc_docs.catalog import load_catalog

    folder = opts.outdir / slug
    manifest = read_manifest(folder)
    if manifest is None or manifest.sc_docs_version != __version__ or manifest.input_sha256 != input_sha256(record):
        return False
    if opts.packet_date is not None and manifest.packet_date != opts.packet_date:
        return False
    catalog = load_catalog()
    for doc in manifest.documents:
        if doc.kind == "packet-pdf":
            continue
        if doc.key not in catalog.entries or catalog.get(doc.key).source_sha256 != doc.template_sha256:
            return False
        if not (folder / doc.file).is_file() or (folder / doc.file).stat().st_size != doc.size:
            return False
    if opts.pdf != any(d.kind == "packet-pdf" for d in manifest.documents):
        return False
    try:
        with zipfile.ZipFile(opts.outdir / f"{slug}.zip") as zf, zf.open(f"{slug}/{MANIFEST}") as fh:
            data = fh.read(MAX_MANIFEST + 1)  # bounded: the zip may not be the one we wrote
        return len(data) <= MAX_MANIFEST and Manifest.model_validate_json(data) == manifest
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError):
        return False


def make_one(label: str, item: Item, slug: str, opts: Options, duplicate_of: str | None = None) -> BatchEntry:
    """Make (or skip, when resuming and up to date) one applicant's packet; never raise.

    `item` is the loaded record, or the sheet to load here (a sheet that does not load, or no
    longer holds the name its slug was planned from, fails with no slug). `duplicate_of` names
    the input that already gave this applicant: the record is only checked (its problems are
    worth reporting) and then failed, since one applicant has one packet.
    """
    start = time.perf_counter()
    shown = slug if duplicate_of is None else None  # a repeated applicant owns no folder
    record = _load(label, item)
    if isinstance(record, BatchEntry):
        return record
    try:
        if duplicate_of is not None:
            from sc_docs.sheets import validate

            problems = validate(record)
            if problems:
                raise ValidationFailed(problems, file=record.source)
            raise ScDocsError(f"the same applicant as {duplicate_of} (legal names that differ only in case, "
                              "punctuation or '&'/'and' name one applicant); give each applicant once")
        if opts.resume and _up_to_date(record, slug, opts):
            return BatchEntry(source=label, slug=slug, status="skipped", reason="up to date")
        packet = build_packet(record, packet_date=opts.packet_date, pdf=opts.pdf, slug=slug, db=opts.db)
        write_packet(packet, opts.outdir)
        entry = BatchEntry(source=label, slug=slug, status="done")
    except ValidationFailed as exc:
        entry = BatchEntry(source=label, slug=shown, status="failed", reason=f"{len(exc.problems)} problem(s) in the sheet",
                           problems=[p.format() for p in exc.problems])
    except ScDocsError as exc:
        entry = BatchEntry(source=label, slug=shown, status="failed", reason=exc.format_message())
    except Exception as exc:  # a bug must fail one applicant, not the batch; the report says what
        entry = BatchEntry(source=label, slug=shown, status="failed", reason=f"internal error: {type(exc).__name__}: {exc}")
    entry.seconds = round(time.perf_counter() - start, 4)
    return entry


def _load(label: str, item: Item) -> ApplicantRecord | BatchEntry:
    """Return the record of `item`, or the failed entry (with no slug) of a sheet that does not load."""
    if not isinstance(item, SheetRef):
        return item
    try:
        record = load_sheet(item.path)
    except ScDocsError as exc:
        return BatchEntry(source=label, status="failed", reason=exc.format_message())
    except Exception as exc:  # a bug must fail one applicant, not the batch
        return BatchEntry(source=label, status="failed", reason=f"internal error: {type(exc).__name__}: {exc}")
    if name_of(label, record) != item.name:  # edited since it was planned: its slug may be another's
        return BatchEntry(source=label, status="failed", reason="the sheet changed while the batch ran; run the batch again")
    return record


def _warm() -> None:
    """Compile every template, parse the form and compile the schema once, before the first
    applicant needs them (forked workers inherit them: built once, not once per worker)."""
    from sc_docs.catalog import load_catalog
    from sc_docs.catalog.makers import warm

    try:
        catalog = load_catalog()
        warm(catalog)
        catalog.schemas.validator()
    except ScDocsError:
        pass  # the failure is reported per applicant


def _worker_start(warm: bool, fonts: str | None = None) -> None:
    """Worker start-up: leave Ctrl-C to the parent (it drains the pool and writes the report),
    and share font subsets with the other workers through the folder `fonts`."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if fonts is not None:
        from sc_docs.engines.pdf import share_font_subsets

        share_font_subsets(fonts)
    if warm:
        _warm()


def run_batch(
    inputs: Sequence[str | os.PathLike[str]],
    opts: Options,
    *,
    jobs: int | None = None,
    fail_fast: bool = False,
    force: bool = False,
    on_entry: Callable[[BatchEntry], None] | None = None,
) -> BatchReport:
    """Make every applicant's packet under `opts.outdir`; return (and write) the batch report.

    Interrupted (Ctrl-C), it lets the packets in progress finish, writes the report of every
    applicant that finished and raises `BatchInterrupted` (exit 130).
    """
    from sc_docs.files import atomic_write

    jobs = max(1, jobs or os.cpu_count() or 1)
    claim_output_dir(opts.outdir, force=force)
    started = time.perf_counter()
    entries: list[BatchEntry] = []

    def record(entry: BatchEntry) -> None:
        planner.settle(entry)
        if opts.db and entry.status == "done" and entry.slug:
            _track(opts, entry)
        entries.append(entry)
        if on_entry:
            on_entry(entry)

    with locked(opts.outdir):
        clean_stale_temp(opts.outdir)
        interrupted = False
        planner = Planner(opts.outdir)
        tasks = planner.tasks(iter_inputs(inputs, input_files), record)
        try:
            if jobs == 1:
                _run_serial(tasks, opts, fail_fast, record, entries)
            else:
                fonts = _shared_folder(opts.outdir)
                try:
                    _run_pool(tasks, replace(opts, fonts=fonts), jobs, fail_fast, record, entries)
                finally:
                    if fonts is not None:
                        shutil.rmtree(fonts, ignore_errors=True)
        except KeyboardInterrupt:
            interrupted = True
        report = BatchReport(
            sc_docs_version=__version__, output_dir=str(opts.outdir),
            done=sum(e.status == "done" for e in entries), failed=sum(e.status == "failed" for e in entries),
            skipped=sum(e.status == "skipped" for e in entries), seconds=round(time.perf_counter() - started, 3),
            entries=sorted(entries, key=_natural),
        )
        atomic_write(opts.outdir / REPORT, (report.model_dump_json(indent=2) + "\n").encode("utf-8"))
    if interrupted:
        raise BatchInterrupted(f"interrupted; {len(entries)} applicant(s) finished, listed in {REPORT}",
                               file=str(opts.outdir))
    return report


def _shared_folder(outdir: Path) -> str | None:
    """A hidden folder for the workers to share font subsets in (removed by the next run if this
    one is killed); None when it cannot be made: each worker then builds its own."""
    try:
        return tempfile.mkdtemp(prefix=f"{TMP_PREFIX}fonts-", dir=outdir)
    except OSError:
        return None


def _run_serial(tasks: Iterator[Task], opts: Options, fail_fast: bool,
                record: Callable[[BatchEntry], None], entries: list[BatchEntry]) -> None:
    """Make the packets one after the other in this process.

    Ctrl-C lets the packet being made finish and be recorded, then stops (a second Ctrl-C stops
    at once): a packet written but interrupted before it reached the report would be on disk and
    missing from the list of what finished.
    """
    from sc_docs.interrupts import deferred_interrupt

    warmed = False
    with deferred_interrupt() as ctrl_c:
        for task in tasks:
            if ctrl_c.requested:
                break
            if not warmed:  # only once there is a packet to make: a batch of failures stays instant
                _warm()
                warmed = True
            record(make_one(*_args(task, opts)))
            if fail_fast and entries[-1].status == "failed":
                break
    if ctrl_c.requested:
        raise KeyboardInterrupt


def _natural(entry: BatchEntry) -> list[str | int]:
    """Sort key: `roster.csv:9` before `roster.csv:10`, whatever order workers finished in."""
    import re

    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", entry.source)]


def _track(opts: Options, entry: BatchEntry) -> None:
    """Record a done packet in the tracker (in the parent: one writer, no lock contention)."""
    from sc_docs.packet import record_in_tracker

    manifest = read_manifest(opts.outdir / str(entry.slug))
    try:
        if manifest is not None:
            record_in_tracker(str(opts.db), manifest)
    except ScDocsError as exc:
        entry.status = "failed"
        entry.reason = f"packet written, but not recorded in the tracker: {exc.format_message()}"


DIED = "the worker process died while making this packet (out of memory, or a crash in a library)"


def _executor(jobs: int, opts: Options) -> ProcessPoolExecutor:
    """A pool of `jobs` workers that start with compiled templates and share font subsets.

    Where workers are forked, the parent compiles once and every worker inherits the result;
    elsewhere (spawn: Windows, macOS) each worker compiles for itself.
    """
    import multiprocessing

    forked = multiprocessing.get_start_method(allow_none=False) == "fork"
    if forked:
        _warm()
    return ProcessPoolExecutor(max_workers=jobs, initializer=_worker_start, initargs=(not forked, opts.fonts))


def _run_pool(tasks: Iterator[Task], opts: Options, jobs: int, fail_fast: bool,
              record: Callable[[BatchEntry], None], entries: list[BatchEntry]) -> None:
    """Run `tasks` on a pool of `jobs` workers; a worker that dies fails its applicant only.

    Workers start as the work needs them: the first tasks are read before the pool is made, and a
    batch that fits in the workers' first round of chunks runs here, as with `-j1`: a worker costs
    about 0.1-0.2 s of start-up (fork, its first packet's set-up), more than it saves on a few
    packets of ~15 ms (benchmarks/batch.py, `--small`). With `--pdf` (a LibreOffice conversion of
    a second or more a document) a short batch is worth spreading: one chunk per applicant.

    When a worker dies the pool is broken and every task in flight loses its result: those are run
    again one at a time on a single worker, so only the applicant that kills a worker fails, and
    the batch goes on with a new pool.
    """
    ahead: list[Task] = []
    for task in tasks:
        ahead.append(task)
        if len(ahead) >= jobs * CHUNK:
            break
    if len(ahead) <= 1 or (len(ahead) < jobs * CHUNK and not opts.pdf):
        _run_serial(iter(ahead), opts, fail_fast, record, entries)
        return
    stream = _chain(ahead, tasks)
    workers = min(jobs, len(ahead))
    chunk = CHUNK if len(ahead) >= jobs * CHUNK else 1  # a short batch: spread it over the workers
    while True:
        lost = _pool_pass(stream, opts, workers, fail_fast, record, entries, chunk)
        if lost is None:
            return
        _one_by_one(lost, opts, record)
        if fail_fast and any(e.status == "failed" for e in entries):
            return


def _args(task: Task, opts: Options) -> tuple[Any, ...]:
    """The arguments of `make_one` for `task` (a repeated applicant adds whom it repeats)."""
    label, rec, slug, dup = task
    return (label, rec, slug, opts) if dup is None else (label, rec, slug, opts, dup)


def _chain(first: list[Task], rest: Iterator[Task]) -> Iterator[Task]:
    yield from first
    yield from rest


def _one_by_one(tasks: list[Task], opts: Options, record: Callable[[BatchEntry], None]) -> None:
    """Run `tasks` one at a time on a single worker; the one whose worker dies is failed."""
    queue = list(tasks)
    while queue:
        with _executor(1, opts) as pool:
            while queue:
                label, rec, slug, dup = queue.pop(0)
                try:
                    record(pool.submit(make_one, *_args((label, rec, slug, dup), opts)).result())
                except BrokenProcessPool:
                    record(BatchEntry(source=label, slug=slug, status="failed", reason=DIED))
                    break  # this pool is gone; the rest get a new one


CHUNK = 4  # packets a worker makes per round trip: fewer, larger messages cost the parent less


def make_chunk(chunk: list[tuple[Any, ...]]) -> list[BatchEntry]:
    """Worker side: `make_one` for each argument tuple of `chunk`."""
    return [make_one(*args) for args in chunk]


def _chunks(tasks: Iterator[Task], size: int) -> Iterator[list[Task]]:
    chunk: list[Task] = []
    for task in tasks:
        chunk.append(task)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _pool_pass(tasks: Iterator[Task], opts: Options, jobs: int, fail_fast: bool,
               record: Callable[[BatchEntry], None], entries: list[BatchEntry], chunk: int = CHUNK) -> list[Task] | None:
    """Feed `tasks` to one pool, `chunk` at a time; return the tasks in flight if a worker died, else None.

    On Ctrl-C the queued chunks are cancelled, the ones running finish and are recorded, and the
    `KeyboardInterrupt` goes on up.
    """
    pending: dict[Future[list[BatchEntry]], list[Task]] = {}

    def collect(done: set[Future[list[BatchEntry]]]) -> list[Task]:
        lost: list[Task] = []
        for fut in done:
            group = pending.pop(fut)
            if fut.cancelled():
                continue
            try:
                for entry in fut.result():
                    record(entry)
            except BrokenProcessPool:
                lost.extend(group)
        return lost

    with _executor(jobs, opts) as pool:
        try:
            stop = False
            for group in _chunks(tasks, chunk):
                try:
                    fut = pool.submit(make_chunk, [_args(task, opts) for task in group])
                except BrokenProcessPool:  # a worker died since the last wait
                    return collect(set(pending)) + group
                pending[fut] = group
                if len(pending) >= jobs * 2:
                    done, _ = wait(set(pending), return_when=FIRST_COMPLETED)
                    lost = collect(done)
                    if lost:
                        return lost + collect(set(pending))
                    stop = fail_fast and any(e.status == "failed" for e in entries)
                    if stop:
                        break
            if stop:
                for fut in pending:
                    fut.cancel()
            lost = collect(set(pending))
            return lost or None
        except KeyboardInterrupt:
            for fut in pending:
                fut.cancel()
            _drain(pending, collect)
            raise


def _drain(pending: dict[Future[list[BatchEntry]], list[Task]],
           collect: Callable[[set[Future[list[BatchEntry]]]], list[Task]]) -> None:
    """Record the packets still running after Ctrl-C (a second Ctrl-C stops waiting)."""
    try:
        wait(set(pending))
        collect(set(pending))
    except KeyboardInterrupt:
        pass
