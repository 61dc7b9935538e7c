"""`sc-docs batch`: packets for many applicants, in parallel, with a report."""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import click

from sc_docs.cli import safe_message
from sc_docs.cli.packet import warn_fonts
from sc_docs.cli.params import date_option, db_option, force_option, pdf_option
from sc_docs.models import BatchEntry


class Progress:
    """Progress on stderr: a redrawn bar on a terminal, plain lines otherwise, nothing when quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.done = self.failed = self.skipped = 0
        self.start = time.perf_counter()
        self.total: int | None = None

    def __call__(self, entry: BatchEntry) -> None:
        if entry.status == "done":
            self.done += 1
        elif entry.status == "failed":
            self.failed += 1
        else:
            self.skipped += 1
        if self.quiet:
            return
        n = self.done + self.failed + self.skipped
        elapsed = max(time.perf_counter() - self.start, 1e-6)
        rate = n / elapsed
        if self.tty:
            left = ""
            if self.total:
                remaining = max(self.total - n, 0) / rate if rate else 0
                left = f", {remaining:.0f}s left"
                width = 30
                filled = int(width * n / self.total)
                bar = "#" * filled + "-" * (width - filled)
                click.echo(f"\r[{bar}] {n}/{self.total} done {self.done} failed {self.failed} skipped {self.skipped} {rate:.1f}/s{left}", err=True, nl=False)
            else:
                click.echo(f"\r{n} done {self.done} failed {self.failed} {rate:.1f}/s", err=True, nl=False)
        else:
            what = entry.slug or entry.source
            reason = f": {entry.reason}" if entry.status == "failed" else ""
            click.echo(safe_message(f"{entry.status} {what} ({entry.source}){reason}"), err=True)

    def finish(self) -> None:
        if self.tty and not self.quiet:
            click.echo("", err=True)


def _count(inputs: tuple[str, ...]) -> int | None:
    """Return how many applicants `inputs` hold, or None when a CSV roster would have to be read."""
    from sc_docs.batch import input_files

    files = [f for item in inputs for f in input_files(Path(item))]
    if any(f.suffix.lower() == ".csv" for f in files):
        return None  # counting rows would read the roster twice
    return len(files)


def _never_attempted(inputs: tuple[str, ...], seen: int) -> int:
    """Return how many applicants of `inputs` a stopped run never reached (rosters counted by row)."""
    from sc_docs.batch import input_files
    from sc_docs.errors import ScDocsError
    from sc_docs.sheets.csv_source import decode_roster, iter_roster
    from sc_docs.sheets.loader import read_bytes

    total = 0
    for f in (f for item in inputs for f in input_files(Path(item))):
        if f.suffix.lower() != ".csv":
            total += 1
            continue
        try:
            total += sum(1 for _ in iter_roster(decode_roster(read_bytes(f))[0], str(f)))
        except ScDocsError:
            total += 1  # an unreadable roster is one failed input
    return max(total - seen, 0)


def _note_encodings(inputs: tuple[str, ...]) -> None:
    """Say which CSV rosters are not UTF-8 (read as Windows-1252), before the run starts."""
    from sc_docs.batch import input_files
    from sc_docs.errors import ScDocsError
    from sc_docs.sheets.csv_source import decode_roster
    from sc_docs.sheets.loader import read_bytes

    for f in (f for item in inputs for f in input_files(Path(item))):
        if f.suffix.lower() != ".csv":
            continue
        try:
            _, notice = decode_roster(read_bytes(f))
        except ScDocsError:
            continue  # the batch reports it against the roster
        if notice:
            click.echo(safe_message(f"note: {f} {notice}"), err=True)


def _note_kept(outdir: Path, slugs: list[str]) -> None:
    """Say which packet folders hold files sc-docs did not write (kept, never replaced)."""
    from sc_docs.packet import MANIFEST, read_manifest

    for slug in slugs:
        folder = outdir / slug
        manifest = read_manifest(folder)
        if manifest is None:
            continue
        ours = {MANIFEST, *(d.file for d in manifest.documents)}
        kept = sorted(p.name for p in folder.iterdir() if p.name not in ours)
        if kept:
            click.echo(safe_message(f"kept {len(kept)} file{'s' if len(kept) != 1 else ''} sc-docs did not write in {folder}: "
                                    f"{', '.join(kept)}"), err=True)


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--output", "outdir", required=True, type=click.Path(file_okay=False), help="Output folder.")
@click.option("-j", "--jobs", type=click.IntRange(1, 256), default=None, help="Worker processes (default: number of CPUs).")
@click.option("--resume", is_flag=True, help="Skip applicants whose packet already matches the input and templates.")
@click.option("--fail-fast", is_flag=True, help="Stop at the first failed applicant.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but the final summary's failures.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Summary format.")
@date_option
@pdf_option
@force_option
@db_option
def batch(inputs: tuple[str, ...], outdir: str, jobs: int | None, resume: bool, fail_fast: bool, quiet: bool,
          fmt: str, packet_date: dt.date | None, pdf: bool, force: bool, db: Path | None) -> None:
    """Make packets for many applicants.

    INPUTS are sheet files, folders of sheets (the files directly inside; subfolders are not read)
    or CSV rosters (row 1: field paths such as applicant.legal_name, applicant.scids[0]; then one
    applicant per row). One applicant's failure never stops the others (unless --fail-fast).
    Writes OUTDIR/batch-report.json. Exit 1 if any applicant failed.
    """
    from sc_docs.batch import Options, run_batch

    warn_fonts(pdf)
    _note_encodings(inputs)
    progress = Progress(quiet)
    progress.total = _count(inputs)
    try:
        report = run_batch(inputs, Options(Path(outdir), packet_date, pdf, resume, str(db) if db else None), jobs=jobs,
                           fail_fast=fail_fast, force=force, on_entry=progress)
    finally:
        progress.finish()
    if fmt == "json":
        click.echo(report.model_dump_json(indent=2))
    else:
        # File names and reasons come from the inputs: escaped before they reach a terminal.
        never = _never_attempted(inputs, report.done + report.failed + report.skipped) if fail_fast else 0
        unrun = f", not attempted {never} (--fail-fast stopped the run)" if never else ""
        click.echo(safe_message(f"done {report.done}, failed {report.failed}, skipped {report.skipped}{unrun} "
                                f"in {report.seconds:.1f}s -> {outdir}"))
        for e in report.entries:
            if e.status == "failed":
                click.echo(safe_message(f"failed {e.source}: {e.reason}"))
                for line in e.problems:
                    click.echo(safe_message(f"  {line}"))
    _note_kept(Path(outdir), [e.slug for e in report.entries if e.status == "done" and e.slug])
    raise click.exceptions.Exit(1 if report.failed else 0)
