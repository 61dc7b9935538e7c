"""`sc-docs packet`: one applicant's whole packet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from sc_docs.cli.params import TemplateKey, date_option, db_option, force_option, pdf_option


def date_source(data: dict[str, object], given: dt.date | None) -> str:
    """Say where the packet date came from, so a date nobody typed is never a surprise."""
    from sc_docs.catalog.contract import section_field

    if given is not None:
        return "--date"
    found = section_field(data, "application_date")
    if found is not None:
        return ".".join(found[0])
    return "the earliest effective date of its documents (no application date in the sheet; give --date to choose)"


def warn_fonts(pdf: bool) -> None:
    """With `--pdf`, say before converting when the templates' fonts would print with other widths."""
    if not pdf:
        return
    from sc_docs.catalog import load_catalog
    from sc_docs.engines.fonts import font_warnings

    for warning in font_warnings(*(e.source_path.read_bytes() for e in load_catalog().agreements())):
        click.echo(f"Warning: {warning}", err=True)


@click.command()
@click.argument("sheets", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--output", "outdir", required=True, type=click.Path(file_okay=False), help="Output folder.")
@click.option("--only", multiple=True, type=TemplateKey(), help="Make only this document (repeatable), e.g. --only sca.")
@date_option
@pdf_option
@force_option
@db_option
def packet(sheets: tuple[str, ...], outdir: str, only: tuple[str, ...], packet_date: dt.date | None, pdf: bool, force: bool,
           db: Path | None) -> None:
    """Make one applicant's packet from its sheet(s).

    Writes OUTDIR/<slug>/ (one file per document, named <slug>_<key>_<version>.docx|pdf, and
    manifest.json) and OUTDIR/<slug>.zip holding the same files. Several SHEETS, or a folder,
    are the sheets of one applicant. Exit 1 when the sheet is invalid (nothing is written).

    Making a packet again replaces only the files sc-docs wrote (its manifest lists them):
    anything else you put in the packet folder is kept, and the command says so.
    """
    from sc_docs.files import claim_output_dir, locked
    from sc_docs.packet import build_packet, record_in_tracker, slug_for, write_packet
    from sc_docs.sheets import load_applicant
    from sc_docs.sheets.problems import printable

    record = load_applicant(list(sheets) if len(sheets) > 1 else sheets[0])
    for notice in record.notices:
        click.echo(printable(notice), err=True)
    warn_fonts(pdf)
    out = Path(outdir)
    # The folder may hold another applicant's packet under the same slug: never take its place.
    built = build_packet(record, packet_date=packet_date, only=list(only) or None, pdf=pdf, db=db,
                         slug=slug_for(out, record))
    for warning in built.manifest.warnings:
        click.echo(f"warning: {printable(warning)}", err=True)
    claim_output_dir(out, force=force)
    with locked(out):
        folder = write_packet(built, out)
    if db:
        record_in_tracker(db, built.manifest)
    for doc in built.manifest.documents:
        click.echo(str(folder / doc.file))
    click.echo(str(out / f"{built.slug}.zip"))
    click.echo(f"packet date {built.manifest.packet_date.isoformat()}, from {date_source(record.data, packet_date)}", err=True)
    kept = built.kept
    if kept:
        from sc_docs.cli import safe_message

        click.echo(safe_message(f"kept {len(kept)} file{'s' if len(kept) != 1 else ''} sc-docs did not write in {folder}: "
                                f"{', '.join(kept)}"), err=True)
