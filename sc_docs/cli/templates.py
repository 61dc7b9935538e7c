"""`sc-docs templates`: list, show and lint the bundled pro forma documents."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from sc_docs.cli.importing import import_options
from sc_docs.cli.params import TemplateKey, format_option


@click.group()
def templates() -> None:
    """List, show, check and import the pro forma templates in pro_forma/."""


@templates.command("list")
@format_option("text", "json")
def list_(fmt: str) -> None:
    """List every pro forma: key, kind, title, tariff appendix, version, as-of date, SHA-256."""
    from sc_docs.catalog import load_catalog

    rows = [
        {
            "key": e.key, "kind": e.meta.kind, "title": e.meta.title, "tariff_appendix": e.meta.tariff_appendix,
            "version": e.meta.version, "as_of": e.meta.as_of.isoformat(), "file": e.source_path.name,
            "sha256": e.source_sha256,
        }
        for e in load_catalog()
    ]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    # A header row names the columns; the title, the only wide one, comes last so columns line up.
    table = [("KEY", "VERSION", "AS OF", "APPENDIX", "SHA-256", "TITLE")] + [
        (r["key"], r["version"], r["as_of"], r["tariff_appendix"] or "-", r["sha256"][:12], r["title"]) for r in rows
    ]
    widths = [max(len(str(row[i])) for row in table) for i in range(5)]
    for row in table:
        click.echo("  ".join(f"{str(cell):<{w}}" for cell, w in zip(row, widths)) + "  " + str(row[5]))


@templates.command()
@click.argument("key", type=TemplateKey())
def show(key: str) -> None:
    """Print a template's text with its tags, a paragraph per line (for reviewing changes in a diff)."""
    from sc_docs.catalog import load_catalog

    entry = load_catalog().get(key)
    if entry.meta.kind == "form":
        from sc_docs.engines.pdf import open_form

        for f in open_form(entry.source_path).fields():
            click.echo(f"{f.name}\t{f.type}\t{','.join(map(str, f.options or []))}")
        return
    from sc_docs.engines.docx import compile_template

    click.echo(compile_template(entry.source_path).text_with_tags())


@templates.command()
@click.argument("keys", nargs=-1, type=TemplateKey())
def check(keys: tuple[str, ...]) -> None:
    """Lint templates (default: all): every variable exists in the schema, every required field is used.

    Exit 1 with one line per problem otherwise.
    """
    from sc_docs.catalog import load_catalog
    from sc_docs.catalog.lint import check_entry

    catalog = load_catalog()
    entries = [catalog.get(k) for k in keys] if keys else list(catalog)
    bad = 0
    for entry in entries:
        problems = check_entry(entry)
        bad += len(problems)
        for p in problems:
            click.echo(f"{entry.key}: {p}")
        if not problems:
            click.echo(f"{entry.key}: ok", err=True)
    raise click.exceptions.Exit(1 if bad else 0)


@templates.command("import")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--key", required=True, help="Catalog key of the document (e.g. sca); a known key takes its metadata and schema.")
@click.option("--kind", type=click.Choice(["agreement", "letter"]), default=None,
              help="Document kind (default: a known key's kind, else agreement).")
@import_options("blank", "--template-version", "the document's modified date", "its first line")
def import_(
    source: Path, key: str, kind: str | None, out: Path | None, force: bool, assign: tuple[str, ...], strict: bool,
    dry_run: bool, version: str, as_of: dt.date | None, title: str | None, fmt: str,
) -> None:
    """Bring an official Word document in as the template of KEY.

    Finds its fill-in blanks (runs of underscores, [bracketed placeholders], highlighted text,
    legacy form fields, content controls), proposes a record path for each from the words around
    it and the schema's descriptions, and writes template.docx (each blank a tag, formatting
    kept) and meta.yaml into pro_forma/KEY/ (or -o FOLDER/KEY/), then lints them. A blank it cannot
    map is listed and left as a visible [UNMAPPED: ...] marker; a signature line stays as it is.
    Exit 1 if the written template fails `templates check`.
    """
    from sc_docs.catalog.importing import import_docx
    from sc_docs.cli.importing import check_key, parse_assign, report

    check_key(key)
    result = import_docx(
        source, key, kind=kind, out=out, force=force, version=version, as_of=as_of, title=title,
        assign=parse_assign(assign), strict=strict, write=not dry_run,
    )
    report(result, fmt, what="blank")

