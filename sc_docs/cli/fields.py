"""`sc-docs fields`: list the fillable fields of any PDF form."""

from __future__ import annotations

import json
import re

import click

from sc_docs.cli.options import format_option


_RAW = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@click.command()
@click.argument("form", type=click.Path(dir_okay=False))
@format_option("text", "json")
def fields(form: str, fmt: str) -> None:
    """List the fields of the PDF form FORM: name, type, options, page, limits.

    The names are what `sc-docs fill` takes. Control characters in names and values are shown
    escaped (`\x1b`, `\n`). `--format json` prints a list of objects with name, type, value,
    options, page (null: the field has no widget on any page), max_length, multiline, readonly
    and orphan (a widget on a page that the form's field list does not reach).
    """
    from sc_docs.engines.pdf import open_form

    from sc_docs.sheets.problems import printable

    def shown(text: str) -> str:
        # names and values come from the PDF: escape control characters (an ESC sequence could
        # rewrite the terminal) and show a newline inside a value as \n, one field per line
        return printable(text)

    infos = open_form(form).fields()
    if fmt == "json":
        text = json.dumps([i.model_dump() for i in infos], indent=2, ensure_ascii=False)
        # JSON escapes C0 controls itself; DEL, C1 controls (a lone CSI) and bidi overrides it
        # leaves raw, and they can only occur inside strings, where \uXXXX means the same
        click.echo(_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text))
        return
    if not infos:
        click.echo(f"{shown(form)}: no fillable fields", err=True)
        return
    width = min(60, max(len(shown(i.name)) for i in infos))
    for i in infos:
        details = []
        if i.options:
            details.append("options: " + ", ".join(shown(o) for o in i.options))
        if i.max_length is not None:
            details.append(f"max {i.max_length}")
        if i.multiline:
            details.append("multi-line")
        if i.readonly:
            details.append("read-only")
        if i.orphan:
            details.append("orphan (not in the form's field list)")
        if i.page is None:
            details.append("no widget on any page: a value would not show")
        if isinstance(i.value, str) and i.value.strip() or i.value is True:
            details.append(f"value: {shown(str(i.value))}")
        page = f"p{i.page}" if i.page else "p?"
        click.echo(f"{shown(i.name):<{width}}  {i.type:<9}  {page:<4}  {'; '.join(details)}".rstrip())
