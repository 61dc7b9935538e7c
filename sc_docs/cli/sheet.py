"""`sc-docs sheet new`: a blank info sheet generated from the schemas."""

from __future__ import annotations

import click

from sc_docs.output import write_output


@click.group()
def sheet() -> None:
    """Make blank info sheets for a new applicant."""


@sheet.command("new")
@click.option("--xlsx", "as_xlsx", is_flag=True, help="Write an Excel workbook instead of YAML.")
@click.option("-o", "--output", default="-", show_default=True, type=click.Path(allow_dash=True), help="Where to write ('-' for stdout; YAML only).")
def new(as_xlsx: bool, output: str) -> None:
    """Write a blank sheet with every field and its description, generated from the schemas."""
    from sc_docs.sheets.blank import blank_xlsx, blank_yaml

    if as_xlsx:
        if output == "-":
            raise click.UsageError("--xlsx needs -o FILE.xlsx (a workbook cannot go to a terminal)")
        write_output(output, blank_xlsx())
    else:
        write_output(output, blank_yaml().encode("utf-8"))
