"""`sc-docs verify`: is a returned agreement still the pro forma? Read its fill-ins back."""

from __future__ import annotations

import json
from typing import Any

import click

from sc_docs.cli.options import format_option
from sc_docs.cli.params import TemplateKey


@click.command()
@click.argument("document", type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--template", "template_key", type=TemplateKey("agreement", "letter"), help="Compare with this pro forma (default: the one the document names, else the most similar).")
@click.option("--sheet", type=click.Path(dir_okay=True), help="Also list every fill-in that differs from this info sheet.")
@click.option("--strict", is_flag=True, help="Also report formatting changes (styles, fonts, alignment).")
@click.option("--fill-ins", "show_fill_ins", is_flag=True, help="Print the fill-in values read back (text output; JSON always has them).")
@format_option("text", "json")
def verify(document: str, template_key: str | None, sheet: str | None, strict: bool, show_fill_ins: bool, fmt: str) -> None:
    """Check that DOCUMENT (a returned agreement, .docx) still reads as its pro forma.

    Only the fill-ins (names, addresses, dates, schedules) may differ from the pro forma text;
    anything else is a deviation that makes the agreement non-conforming (it would need its own
    FERC filing). Each deviation is listed with its article, section, paragraph and the words
    around it. What a reader sees is compared: hidden, white-on-white, tiny or off-page text
    counts as deleted, field results count as text, embedded documents and content controls
    bound to other text are deviations; pending tracked changes count as deviations; comments
    are listed but do not. Formatting counts only with --strict.

    Exit 0 conforming (and matching --sheet), 1 non-conforming or differing from the sheet,
    2 unreadable file or bad usage.
    """
    from sc_docs.conformance import verify_docx
    from sc_docs.engines.docx.reader import MAX_FILE
    from sc_docs.files import read_bounded

    data = read_bounded(document, MAX_FILE, what="a DOCX file")
    report = verify_docx(data, template_key=template_key, sheet=sheet, strict=strict, label=document)
    if fmt == "json":
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(report, show_fill_ins=show_fill_ins))
    ok = report.conforming and report.matches_sheet is not False
    raise click.exceptions.Exit(0 if ok else 1)


def render_text(report: Any, *, show_fill_ins: bool = False) -> str:
    """Return the report as lines for a person."""
    t = report.template
    how = {"properties": "named in its document properties", "option": "given with --template",
           "similarity": f"the most similar template (similarity {t.similarity})"}[t.by]
    name = f"{t.title} ({t.key}, version {t.version})"
    lines = [f"{report.file}: compared with {name}, {how}"]
    for note in report.notes:
        lines.append(f"  note: {note}")
    if report.conforming:
        lines.append("CONFORMING: only the fill-ins differ from the pro forma" + (" (formatting checked too)" if report.strict else ""))
    else:
        n = len(report.deviations)
        lines.append(f"NOT CONFORMING: {n} deviation{'s' if n != 1 else ''} from the pro forma")
        for d in report.deviations:
            lines.append(f"  {d.describe()}")
            if d.kind != "formatting" and (d.before or d.after):
                middle = d.found if d.kind != "deleted" else f"[deleted: {d.expected[:80]}]"
                lines.append(f"      ...{d.before} >>{' '.join(middle.split())[:120]}<< {d.after}...")
    if report.comments:
        lines.append(f"Comments ({len(report.comments)}, not deviations):")
        for c in report.comments:
            where = c.location or "?"
            para = f", paragraph {c.paragraph}" if c.paragraph else ""
            anchor = f' on "{c.anchor[:60]}"' if c.anchor else ""
            lines.append(f"  {where}{para}: {c.author or 'unknown'}: {c.text}{anchor}")
    if report.sheet is not None:
        if report.sheet_differences:
            lines.append(f"Fill-ins differing from {report.sheet}:")
            for s in report.sheet_differences:
                lines.append(f"  {s.path}: sheet {json.dumps(s.sheet, ensure_ascii=False)}, document {json.dumps(s.document, ensure_ascii=False)}")
        else:
            lines.append(f"Fill-ins match {report.sheet}")
    if show_fill_ins:
        lines.append("Fill-ins read back:")
        for f in report.fill_ins:
            lines.append(f"  {f.path} = {json.dumps(f.value, ensure_ascii=False)}" + ("" if f.source == "exact" else f"  ({f.source}: {f.displayed!r})"))
    return "\n".join(lines)
