"""`sc-docs render`: one agreement draft from one applicant's sheet."""

from __future__ import annotations

import datetime as dt

import click

from sc_docs.cli.packet import date_option


@click.command()
@click.argument("key")
@click.argument("sheets", nargs=-1, required=True, type=click.Path(exists=True, allow_dash=True))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, allow_dash=True), help="Output .docx ('-' for stdout).")
@click.option("--pdf", is_flag=True, help="Also write OUTPUT with .pdf, converted by LibreOffice.")
@date_option
def render(key: str, sheets: tuple[str, ...], output: str, pdf: bool, packet_date: dt.date | None) -> None:
    """Render the agreement KEY (sca, msa_sc, nca, ...) for the applicant in SHEETS.

    The sheet is validated first: an invalid sheet is refused with the validate messages and
    nothing is written.
    """
    from pathlib import Path

    from sc_docs.catalog import load_catalog
    from sc_docs.errors import ScDocsError, UsageError, ValidationFailed
    from sc_docs.output import write_output
    from sc_docs.packet import packet_date_of, render_agreement
    from sc_docs.sheets import load_applicant, validate

    entry = load_catalog().get(key)
    if entry.meta.kind != "agreement":
        raise UsageError(f"'{key}' is a form; fill it with: sc-docs fill --applicant SHEET -o OUT.pdf")
    record = load_applicant(list(sheets) if len(sheets) > 1 else sheets[0])
    problems = validate(record)
    if problems:
        raise ValidationFailed(problems)
    if key not in (record.data.get("agreements") or {}):
        raise ScDocsError(f"the sheet has no agreements.{key} section", file=record.source)
    docx = render_agreement(record.data, entry, packet_date_of(record, packet_date))
    write_output(output, docx)
    if pdf:
        from sc_docs.engines.convert import docx_to_pdf

        from sc_docs.engines.fonts import font_warnings

        if output == "-":
            raise UsageError("--pdf needs -o FILE.docx")
        for warning in font_warnings(docx):
            click.echo(f"Warning: {warning}", err=True)
        write_output(str(Path(output).with_suffix(".pdf")), docx_to_pdf(docx))
