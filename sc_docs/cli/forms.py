"""`sc-docs forms`: bring an official fillable PDF into the catalog as a `form` entry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from sc_docs.cli.importing import import_options


@click.group()
def forms() -> None:
    """Bring official fillable PDF forms into the catalog."""


@forms.command("map")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--key", required=True, help="Catalog key of the form (e.g. application); a known key takes its metadata and schema.")
@import_options("field", "--form-version", "the PDF's modification date", "from the file name")
def map_(
    source: Path, key: str, out: Path | None, force: bool, assign: tuple[str, ...], strict: bool, dry_run: bool, version: str,
    as_of: dt.date | None, title: str | None, fmt: str,
) -> None:
    """Propose a field map for an official fillable PDF and write it as the form entry KEY.

    Each field's record path is proposed from its name, its tooltip (/TU) and the page text next
    to it; the form, fields.yaml and meta.yaml go into pro_forma/KEY/ (or -o FOLDER/KEY/) and are
    linted. Fields it cannot map are listed and written as comments in fields.yaml for a person to
    decide. Exit 1 while the written entry fails `templates check` (an unmapped field does).
    """
    from sc_docs.catalog.importing import map_form
    from sc_docs.cli.importing import check_key, parse_assign, report

    check_key(key)
    result = map_form(source, key, out=out, force=force, version=version, as_of=as_of, title=title,
        assign=parse_assign(assign), strict=strict, write=not dry_run,
    )
    report(result, fmt, what="field")
