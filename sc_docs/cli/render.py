"""`sc-docs render`: one agreement draft from one applicant's sheet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from sc_docs.cli.params import TemplateKey, date_option, output_file_option


def output_paths(output: str, pdf: bool) -> tuple[str | None, str | None]:
    """Return where the DOCX and the PDF go for `-o output` (None: not written).

    The extension chooses: `x.docx` is the DOCX (and `x.pdf` beside it with `--pdf`), `x.pdf`
    is the PDF alone, `-` is the DOCX on stdout; anything else is refused before any work.
    """
    from sc_docs.errors import UsageError

    if output == "-":
        if pdf:
            raise UsageError("--pdf needs -o FILE.docx or -o FILE.pdf (a PDF is not written to stdout)")
        return "-", None
    suffix = Path(output).suffix.lower()
    if suffix == ".pdf":
        return None, output
    if suffix == ".docx":
        return output, str(Path(output).with_suffix(".pdf")) if pdf else None
    raise UsageError(f"-o {output}: the output must end in .docx or .pdf (the extension chooses the format)")


@click.command()
@click.argument("key", type=TemplateKey("agreement", "letter"))
@click.argument("sheets", nargs=-1, required=True, type=click.Path(exists=True, allow_dash=True))
@output_file_option("Output .docx ('-' for stdout) or .pdf (converted by LibreOffice).")
@click.option("--pdf", is_flag=True, help="Also write OUTPUT with .pdf, converted by LibreOffice.")
@date_option
def render(key: str, sheets: tuple[str, ...], output: str, force: bool, pdf: bool, packet_date: dt.date | None) -> None:
    """Render the agreement KEY (sca, msa_sc, nca, ...) for the applicant in SHEETS.

    The sheet is validated first: an invalid sheet is refused with the validate messages and
    nothing is written. `-o draft.pdf` writes the PDF only; `-o draft.docx --pdf` writes both.
    An existing file is replaced only with --force, or when sc-docs wrote it and nobody has
    saved it since; an input sheet is never overwritten.
    """
    from sc_docs.catalog import load_catalog
    from sc_docs.catalog.makers import make
    from sc_docs.cli.params import made_by_sc_docs
    from sc_docs.files import check_output, write_output
    from sc_docs.packet import inputs_for, packet_date_of, wanted_entries
    from sc_docs.slugs import slugify
    from sc_docs.sheets import load_valid_applicant

    docx_path, pdf_path = output_paths(output, pdf)
    targets = [p for p in (docx_path, pdf_path) if p is not None]
    for target in targets:  # refuse before the (slow) work, not after
        check_output(target, force=force, inputs=sheets, replaceable=made_by_sc_docs)
    record = load_valid_applicant(list(sheets) if len(sheets) > 1 else sheets[0])
    (entry,) = wanted_entries(record.data, load_catalog(), [key])  # says which section is missing
    date = packet_date_of(record, packet_date)
    inputs = inputs_for(entry, record.data, slugify(record.data["applicant"]["legal_name"]), None, load_catalog())
    docx = make(entry, record.data, date, inputs)
    if docx_path is not None:
        write_output(docx_path, docx, force=force, inputs=sheets, replaceable=made_by_sc_docs)
    if pdf_path is not None:
        from sc_docs.engines.convert import docx_to_pdf
        from sc_docs.engines.pdf.pack import normalize_pdf

        from sc_docs.engines.fonts import font_warnings

        for warning in font_warnings(docx):
            click.echo(f"Warning: {warning}", err=True)
        converted = normalize_pdf(docx_to_pdf(docx), title=entry.meta.title, date=date)
        write_output(pdf_path, converted, force=force, inputs=sheets, replaceable=made_by_sc_docs)
