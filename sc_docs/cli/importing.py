"""Shared output of `templates import` and `forms map`: the proposal list a person reviews."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def import_options(what: str, version_flag: str, as_of_default: str, title_default: str) -> Callable[[F], F]:
    """The options `templates import` and `forms map` share; `what` names the things listed (blank, field)."""

    def decorate(command: F) -> F:
        from sc_docs.cli.params import DATE, format_option

        for option in reversed([
            click.option("-o", "--output", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
                         help="Catalog folder that receives KEY/ (default: the bundled pro_forma/)."),
            click.option("--force", is_flag=True, help="Replace the files of an existing KEY folder."),
            click.option("--assign", multiple=True, metavar="N=PATH",
                         help=f"Map {what} N (its number in the list) to a record path (applicant.legal_name, "
                              "documents.KEY.field) or 'keep' to leave it unmapped; repeatable."),
            click.option("--strict", is_flag=True, help=f"Write nothing while any {what} is unmapped (exit 1)."),
            click.option("--dry-run", is_flag=True, help=f"Only list the {what}s and proposals; write nothing."),
            click.option(version_flag, "version", default="official", show_default=True, help="Version written into meta.yaml."),
            click.option("--as-of", type=DATE, default=None, help=f"As-of date (default: {as_of_default})."),
            click.option("--title", default=None, help=f"Title of a new document (default: {title_default})."),
            format_option("text", "json"),
        ]):
            command = option(command)
        return command

    return decorate


def check_key(key: str) -> None:
    """Refuse a key the catalog could not hold (it names a folder and a record section)."""
    import re

    from sc_docs.errors import UsageError

    if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
        raise UsageError(f"--key {key!r}: a key is lower-case letters, digits and _, starting with a letter")


def parse_assign(values: tuple[str, ...]) -> dict[int, str]:
    """`--assign 3=applicant.legal_name` -> {3: "applicant.legal_name"}."""
    out: dict[int, str] = {}
    for value in values:
        number, sep, path = value.partition("=")
        if not sep or not number.strip().isdigit() or not path.strip():
            raise click.BadParameter(f"{value!r} is not N=PATH (a blank's number, a record path or 'keep')", param_hint="--assign")
        out[int(number)] = path.strip()
    return out


def report(result: Any, fmt: str, *, what: str) -> None:
    """Print the proposals (text or JSON) and the lint's verdict; exit 1 if the lint finds problems."""
    from sc_docs.cli import safe_message

    if fmt == "json":
        click.echo(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
    else:
        for m in result.items:
            target = m.record_path or ("(kept for a hand)" if m.proposal.action == "keep" else "UNMAPPED")
            shown = safe_message(" ".join(m.context.split())[:50])
            click.echo(f"{m.number:>3}  {m.kind:<15}  {target:<45}  {shown}  [{safe_message(m.proposal.reason)}]")
        if result.files:
            click.echo(f"Wrote {safe_message(str(result.folder))}: {', '.join(result.files)}")
        if result.unused_fields:
            click.echo(f"Not asked for by the document (listed in unused_fields): {', '.join(result.unused_fields)}")
    if result.unmapped:
        numbers = ", ".join(str(m.number) for m in result.unmapped)
        click.echo(f"{len(result.unmapped)} {what}(s) not mapped: {numbers}; decide each (--assign N=PATH, or edit the files)", err=True)
    if result.files:
        for p in result.problems:
            click.echo(f"{result.key}: {safe_message(p)}", err=True)
        if result.problems:
            raise click.exceptions.Exit(1)
        click.echo(f"{result.key}: ok (templates check)", err=True)
