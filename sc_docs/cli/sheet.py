"""`sc-docs sheet new`: a blank info sheet generated from the schemas."""

from __future__ import annotations

import click

from sc_docs.cli.params import output_file_option


@click.group()
def sheet() -> None:
    """Make blank info sheets for a new applicant."""


@sheet.command("new")
@click.option("--xlsx", "as_xlsx", is_flag=True, help="Write an Excel workbook instead of YAML.")
@output_file_option("Where to write ('-' for stdout; YAML only). An existing file is kept unless --force.",
                    required=False, default="-")
def new(as_xlsx: bool, output: str, force: bool) -> None:
    """Write a blank sheet with every field and its description, generated from the schemas.

    An existing file is never replaced without --force: a sheet you filled in is not lost.
    """
    from sc_docs.files import write_output
    from sc_docs.sheets.blank import blank_xlsx, blank_yaml

    if as_xlsx and output == "-":
        raise click.UsageError("--xlsx needs -o FILE.xlsx (a workbook cannot go to a terminal)")
    data = blank_xlsx() if as_xlsx else blank_yaml().encode("utf-8")
    write_output(output, data, force=force)
