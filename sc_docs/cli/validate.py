"""`sc-docs validate`: check info sheets and print every problem, located."""

from __future__ import annotations

import json

import click

from sc_docs.cli.params import format_option
from sc_docs.errors import EXIT_INVALID, EXIT_OK, ScDocsError, SheetError, UnreadableFileError
from sc_docs.sheets.problems import Problem


def check_group(files: list[str], strict: bool = False) -> tuple[list[Problem], int]:
    """Return the problems of one applicant's sheets and the exit code they call for.

    A file that cannot be read at all is one problem with rule `unreadable` (exit 2); a sheet
    whose content cannot be parsed is one with rule `syntax` (exit 1). A certification answered
    false is a warning on stderr, or a problem when `strict`.
    """
    from sc_docs.sheets import load_applicant, validate as check

    if len(files) == 1 and files[0].lower().endswith(".csv"):
        from sc_docs.sheets.csv_source import read_roster

        return read_roster(files[0])
    try:
        record = load_applicant(files if len(files) > 1 else files[0])
    except ScDocsError as exc:
        rule = "unreadable" if isinstance(exc, UnreadableFileError) else "syntax"
        line = exc.line if isinstance(exc, SheetError) else None
        problem = Problem(exc.file or files[0], line, "", exc.message, rule)
        return [problem], exc.exit_code
    from sc_docs.sheets.problems import printable

    for notice in record.notices:  # not problems: the sheet is still valid
        click.echo(printable(notice), err=True)
    from sc_docs.catalog.certifications import false_certifications

    problems = check(record)
    warnings = [] if problems else false_certifications(record)
    if strict:
        problems += warnings
    else:
        for w in warnings:
            click.echo(f"{w.where()}: {w.path}: warning: {w.message}", err=True)
    return problems, EXIT_INVALID if problems else EXIT_OK


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--together", is_flag=True, help="The files are sheets of ONE applicant: merge them and check that shared facts agree.")
@click.option("--strict", is_flag=True, help="A certification answered false is an error, not a warning.")
@format_option("text", "json")
def validate(files: tuple[str, ...], together: bool, strict: bool, fmt: str) -> None:
    """Check info sheets (YAML, JSON, XLSX; a folder holds the sheets of one applicant).

    Prints one line per problem, `FILE:LINE: field.path: message`, in source order; a file that
    cannot be read at all is reported on stderr as `Error: FILE: reason`.
    Exit 0 when every sheet is valid, 1 when any is invalid, 2 when a file cannot be read.
    """
    from sc_docs.cli import safe_message

    groups = [list(files)] if together else [[f] for f in files]
    problems: list[Problem] = []
    exit_code = EXIT_OK
    for group in groups:
        found, code = check_group(group, strict)
        problems.extend(found)
        exit_code = max(exit_code, code)
    if fmt == "json":
        click.echo(json.dumps([p.to_dict() for p in problems], indent=2, ensure_ascii=False))
    else:
        for p in problems:
            if p.rule == "unreadable":
                click.echo(f"Error: {safe_message(f'{p.where()}: {p.message}')}", err=True)
            else:
                click.echo(p.format() if p.path else f"{p.where()}: {p.message}")
        if not problems:
            click.echo(f"{len(groups)} applicant{'s' if len(groups) != 1 else ''} valid", err=True)
    raise click.exceptions.Exit(exit_code)
