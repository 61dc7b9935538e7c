"""`sc-docs validate`: check info sheets and print every problem, located."""

from __future__ import annotations

import json

import click

from sc_docs.cli.options import format_option
from sc_docs.errors import ScDocsError
from sc_docs.sheets.problems import Problem


def check_group(files: list[str]) -> tuple[list[Problem], int]:
    """Return the problems of one applicant's sheets and the exit code they call for."""
    from sc_docs.sheets import load_applicant, validate as check

    if len(files) == 1 and files[0].lower().endswith(".csv"):
        from sc_docs.sheets.csv_source import read_roster

        return read_roster(files[0])
    try:
        record = load_applicant(files if len(files) > 1 else files[0])
    except ScDocsError as exc:
        rule = "unreadable" if exc.exit_code == 2 else "syntax"
        problem = Problem(exc.file or files[0], getattr(exc, "line", None), "", exc.message, rule)
        return [problem], exc.exit_code
    problems = check(record)
    return problems, 1 if problems else 0


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--together", is_flag=True, help="The files are sheets of ONE applicant: merge them and check that shared facts agree.")
@format_option("text", "json")
def validate(files: tuple[str, ...], together: bool, fmt: str) -> None:
    """Check info sheets (YAML, JSON, XLSX; a folder holds the sheets of one applicant).

    Prints one line per problem, `FILE:LINE: field.path: message`, in source order.
    Exit 0 when every sheet is valid, 1 when any is invalid, 2 when a file cannot be read.
    """
    groups = [list(files)] if together else [[f] for f in files]
    problems: list[Problem] = []
    exit_code = 0
    for group in groups:
        found, code = check_group(group)
        problems.extend(found)
        exit_code = max(exit_code, code)
    if fmt == "json":
        click.echo(json.dumps([p.to_dict() for p in problems], indent=2, ensure_ascii=False))
    else:
        for p in problems:
            click.echo(p.format() if p.path else f"{p.where()}: {p.message}")
        if not problems:
            click.echo(f"{len(groups)} applicant{'s' if len(groups) != 1 else ''} valid", err=True)
    raise click.exceptions.Exit(exit_code)
