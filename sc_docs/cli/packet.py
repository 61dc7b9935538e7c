"""`sc-docs packet`: one applicant's whole packet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click


def parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date written YYYY-MM-DD") from None


date_option = click.option("--date", "packet_date", callback=parse_date, metavar="YYYY-MM-DD",
                           help="Packet date (default: the sheet's application.application_date; never the clock).")
pdf_option = click.option("--pdf", is_flag=True, help="Also convert each agreement to PDF (LibreOffice) and merge one packet PDF.")
force_option = click.option("--force", is_flag=True, help="Write into a non-empty folder sc-docs did not create.")
db_option = click.option("--db", envvar="SC_DOCS_DB", type=click.Path(dir_okay=False), default=None,
                         help="Record the documents in this tracker database (env SC_DOCS_DB).")


@click.command()
@click.argument("sheets", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--output", "outdir", required=True, type=click.Path(file_okay=False), help="Output folder.")
@click.option("--only", multiple=True, metavar="KEY", help="Make only this document (repeatable), e.g. --only sca.")
@date_option
@pdf_option
@force_option
@db_option
def packet(sheets: tuple[str, ...], outdir: str, only: tuple[str, ...], packet_date: dt.date | None, pdf: bool, force: bool,
           db: str | None) -> None:
    """Make one applicant's packet from its sheet(s).

    Writes OUTDIR/<slug>/ (one file per document, named <slug>_<key>_<version>.docx|pdf, and
    manifest.json) and OUTDIR/<slug>.zip holding the same files. Several SHEETS, or a folder,
    are the sheets of one applicant. Exit 1 when the sheet is invalid (nothing is written).
    """
    from sc_docs.outdir import claim_output_dir, locked
    from sc_docs.packet import build_packet, record_in_tracker, write_packet
    from sc_docs.sheets import load_applicant

    from sc_docs.batch import slug_for

    record = load_applicant(list(sheets) if len(sheets) > 1 else sheets[0])
    out = Path(outdir)
    # The folder may hold another applicant's packet under the same slug: never take its place.
    built = build_packet(record, packet_date=packet_date, only=list(only) or None, pdf=pdf, slug=slug_for(out, record))
    claim_output_dir(out, force=force)
    with locked(out):
        folder = write_packet(built, out)
    if db:
        record_in_tracker(db, built.manifest)
    for doc in built.manifest.documents:
        click.echo(str(folder / doc.file))
    click.echo(str(out / f"{built.slug}.zip"))
