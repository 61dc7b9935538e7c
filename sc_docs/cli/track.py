"""`sc-docs track`: follow each applicant's certification requirements, deadlines and evidence."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from sc_docs.cli import safe_message
from sc_docs.cli.params import DATE, db_option, output_file_option
from sc_docs.cli.params import RegularFile

STATUS_CHOICES = ("done", "waived", "pending")


def tracker_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add `--db` and `--requirements` to a subcommand."""

    @db_option
    @click.option(
        "--requirements",
        "requirements_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Requirements YAML to use instead of the bundled pro_forma/requirements.yaml.",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


def today_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--today", type=DATE, default=None, help="Compute deadlines as of this date (default: today)."
    )(func)


def _open(db: Path | None, requirements_file: Path | None, *, create: bool = False) -> Any:
    from sc_docs.tracker.store import Tracker

    return Tracker.open(db, create=create, requirements=requirements_file)


def _emit(text: str, output: str, force: bool, inputs: list[Path]) -> None:
    """Write `text` to stdout (`-`) or atomically to the file `output` (see `files.write_output`)."""
    from sc_docs.cli.params import made_by_sc_docs
    from sc_docs.files import write_output

    if output == "-":
        click.echo(text, nl=False)
        return
    write_output(output, text.encode("utf-8"), force=force, inputs=inputs, replaceable=made_by_sc_docs)


@click.group("track")
def track() -> None:
    """Track each applicant's certification requirements, deadlines and evidence.

    State lives in one SQLite file (--db, or $SC_DOCS_DB, default ./sc-docs.sqlite); every change
    is kept in an append-only history. The requirements come from pro_forma/requirements.yaml.
    """


@track.command("add")
@click.argument("sheet", type=click.Path(exists=True, path_type=Path))
@click.option("--slug", help="Tracker name for the applicant (default: slug of the legal name).")
@click.option("--by", help="Who is making the change (default: $USER).")
@tracker_options
def add(sheet: Path, slug: str | None, by: str | None, db: Path | None, requirements_file: Path | None) -> None:
    """Register the applicant of info sheet SHEET (a file or a folder of sheets).

    Running it again with the same facts changes nothing; changed facts are updated and the
    change (old and new values) is kept in the history.
    """
    from sc_docs.tracker.applicants import load_record_data

    data = load_record_data(sheet)
    tracker = _open(db, requirements_file, create=True)
    result = tracker.add_applicant(data, slug=slug, by=by)
    if result.created:
        line = f"{result.slug}: registered"
    elif result.changed:
        line = f"{result.slug}: updated {', '.join(result.changed)}"
    else:
        line = f"{result.slug}: already registered, unchanged"
    click.echo(safe_message(line))


@track.command("mark")
@click.argument("slug")
@click.argument("requirement")
@click.argument("status", type=click.Choice(STATUS_CHOICES))
@click.option("--date", "when", type=DATE, help="When it happened (default: today).")
@click.option(
    "--evidence",
    type=RegularFile(),
    help="A file proving it; its SHA-256 goes into the history.",
)
@click.option("--note", help="A note for the history.")
@click.option("--by", help="Who is making the change (default: $USER).")
@tracker_options
def mark(
    slug: str,
    requirement: str,
    status: str,
    when: dt.date | None,
    evidence: Path | None,
    note: str | None,
    by: str | None,
    db: Path | None,
    requirements_file: Path | None,
) -> None:
    """Set REQUIREMENT of applicant SLUG to done, waived or pending."""
    tracker = _open(db, requirements_file)
    event = tracker.mark(slug, requirement, status, date=when, evidence=evidence, note=note, by=by)
    assert event.effective_date is not None
    line = f"{slug}: {requirement} {event.old_status} -> {event.new_status} ({event.effective_date.isoformat()})"
    if event.evidence_sha256:
        line += f", evidence sha256 {event.evidence_sha256}"
    click.echo(safe_message(line))


@track.command("show")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@today_option
@tracker_options
def show(slug: str, fmt: str, today: dt.date | None, db: Path | None, requirements_file: Path | None) -> None:
    """Show each requirement of applicant SLUG: status, due date, days left or overdue, evidence."""
    from sc_docs.tracker import render, views

    tracker = _open(db, requirements_file)
    progress = views.show(tracker, slug, today or dt.date.today())
    click.echo(render.to_json(progress.to_json()) if fmt == "json" else render.show_text(progress), nl=False)


@track.command("history")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@tracker_options
def history(slug: str, fmt: str, db: Path | None, requirements_file: Path | None) -> None:
    """Print the audit trail of applicant SLUG: who changed what, when, and why."""
    from sc_docs.tracker import render

    events = _open(db, requirements_file).history(slug)
    if fmt == "json":
        click.echo(render.to_json([e.to_json() for e in events]), nl=False)
    else:
        click.echo(render.history_text(events), nl=False)


@track.command("report")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True
)
@output_file_option("Write to this file ('-': stdout); an existing file is replaced only with --force.",
                    required=False, default="-")
@click.option(
    "--stale-templates",
    is_flag=True,
    help="Also list documents made from a template version older than the catalog's.",
)
@today_option
@tracker_options
def report(
    fmt: str,
    output: str,
    force: bool,
    stale_templates: bool,
    today: dt.date | None,
    db: Path | None,
    requirements_file: Path | None,
) -> None:
    """Report every applicant's progress, overdue items first (text, JSON or one HTML file)."""
    from sc_docs.tracker import render, views

    tracker = _open(db, requirements_file)
    day = today or dt.date.today()
    progress = views.report(tracker, day)
    stale = views.stale_templates(tracker) if stale_templates else None
    if fmt == "json":
        text = render.report_json(progress, stale, day)
    elif fmt == "html":
        text = render.report_html(progress, stale, day)
    else:
        text = render.report_text(progress, stale)
    _emit(text, output, force, [db] if db else [])
