"""`sc-docs fill`: fill any PDF form from a JSON or YAML file of field values."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

import click

from sc_docs.cli.params import force_option

from sc_docs.errors import FormError, UnreadableFileError

MAX_VALUES_BYTES = 20 * 1024 * 1024


def load_values(source: str) -> dict[str, str | bool]:
    """Read `source` (a JSON or YAML file, `-` for stdin) into {field name: str or bool}.

    Nested mappings become dotted names (`{contacts: {primary: {name: ...}}}` is
    `contacts.primary.name`); YAML scalars stay the text written (`01234`, `12:30:00`, `yes`)
    except `true`/`false` and null (YAML 1.2 core); JSON numbers become text; null means
    "leave as is".
    """
    from sc_docs.files import read_bounded

    label = "<stdin>" if source == "-" else source
    raw = read_bounded(source, MAX_VALUES_BYTES, what="values")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFileError("not UTF-8 text", file=label) from None
    try:
        data = json.loads(text)
    except ValueError:
        import yaml

        try:
            data = yaml.load(text, Loader=_core_loader())  # noqa: S506 - a SafeLoader subclass
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1})" if mark is not None else ""
            raise FormError(f"not valid JSON or YAML{where}", form=source) from None
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise FormError("the values must be a mapping of field names to values", form=source)
    values: dict[str, str | bool] = {}
    _flatten(data, "", values, source)
    return values


def _core_loader() -> Any:
    """Return a safe YAML loader that resolves plain scalars by the YAML 1.2 core schema's rules
    for booleans and null only; everything else stays the text that was written.

    PyYAML follows YAML 1.1, where `01234` is octal 668, `12:30:00` is 45000 and `yes` a
    boolean: a ZIP code or a time would change silently. Here only `true`/`false` are
    booleans (what a checkbox takes) and numbers keep their digits.
    """
    import re

    import yaml

    class CoreLoader(yaml.SafeLoader):
        pass

    CoreLoader.yaml_implicit_resolvers = {}
    CoreLoader.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
    CoreLoader.add_implicit_resolver(
        "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
    return CoreLoader


def _flatten(data: Mapping[Any, Any], prefix: str, out: dict[str, str | bool], source: str) -> None:
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            _flatten(value, name + ".", out, source)
        elif value is None:
            continue
        elif isinstance(value, (bool, str)):
            out[name] = value
        elif isinstance(value, (int, float, dt.date)):
            out[name] = value.isoformat() if isinstance(value, dt.date) else str(value)
        else:
            raise FormError(f"{name}: a value must be text or true/false, not {type(value).__name__}", form=source)


@click.command()
@click.argument("form", required=False, type=click.Path(dir_okay=False))
@click.argument("values", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--applicant", "sheet", metavar="SHEET", type=click.Path(),
              help="Fill the bundled SC application form from this applicant sheet (instead of FORM and VALUES).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="Where to write the filled PDF (`-` for stdout).")
@click.option("--flatten", is_flag=True, help="Draw the values into the pages and remove the form fields.")
@click.option("--keep-scripts", is_flag=True,
              help="Keep the form's JavaScript and automatic actions (/OpenAction, /AA); removed by default.")
@click.option("--include-readonly", is_flag=True, help="Also fill fields the form marks read-only.")
@click.option("--allow-missing-glyphs", is_flag=True,
              help="Fill even when no font can draw some characters (they show as empty boxes).")
@click.option("--min-font-size", type=click.FloatRange(1, 72), default=6.0, show_default=True, metavar="PT",
              help="Never draw a value smaller than this; a value that does not fit goes to an addendum page.")
@force_option
def fill(form: str | None, values: str | None, sheet: str | None, output: str, flatten: bool, force: bool,
         keep_scripts: bool, include_readonly: bool, allow_missing_glyphs: bool, min_font_size: float) -> None:
    """Fill the PDF form FORM with VALUES and write the result to OUTPUT.

    VALUES is a JSON or YAML file (`-` for stdin) mapping field names, as `sc-docs fields`
    lists them, to text or true/false (a checkbox with several on-states takes the state's
    name). Every value is checked before anything is written: an unknown field, a wrong type,
    an option the field does not offer, text longer than the field allows or a read-only field
    is an error (exit 1) naming what is valid.

    Text is never shrunk below --min-font-size nor clipped: a value that does not fit its box
    is printed whole on an addendum page appended to the form, and the field says
    "see Addendum, item N". Active content (JavaScript, open actions) is removed unless
    --keep-scripts.

    With `--applicant SHEET` it fills the bundled SC application form from an applicant's info
    sheet instead (the sheet is validated first; exit 1 if it is invalid).
    """
    from sc_docs.cli.params import made_by_sc_docs
    from sc_docs.errors import UsageError
    from sc_docs.files import write_output

    if sheet is not None:
        if form is not None or values is not None:
            raise UsageError("give FORM and VALUES, or --applicant SHEET, not both")
        data = _fill_from_sheet(sheet, flatten=flatten)
    else:
        if form is None or values is None:
            raise UsageError("give FORM and VALUES (or --applicant SHEET)")
        from sc_docs.engines.pdf import open_form

        report = open_form(form).fill_report(
            load_values(values), flatten=flatten, keep_scripts=keep_scripts, include_readonly=include_readonly,
            allow_missing_glyphs=allow_missing_glyphs, min_font_size=min_font_size,
        )
        data = report.data
        for warning in report.warnings:
            click.echo(f"Warning: {printable(warning, 500)}", err=True)
        for item in report.addendum:
            click.echo(f"Note: {printable(item.field, 200)} does not fit its box at {min_font_size:g} pt; "
                       f"its {item.characters:,} characters are on the addendum page as item {item.item}",
                       err=True)
        if report.scripts_removed:
            click.echo(f"Note: removed {report.scripts_removed} script(s) or automatic action(s) "
                       "(--keep-scripts keeps them)", err=True)
    inputs = [p for p in (form, values, sheet) if p is not None]
    write_output(output, data, force=force, inputs=inputs, replaceable=made_by_sc_docs)
    if output != "-":
        click.echo(f"wrote {printable(output, 300)}", err=True)


def printable(text: str, limit: int) -> str:
    """Return `text` safe for a terminal: control characters escaped, cut to `limit`."""
    from sc_docs.sheets.problems import printable as escape

    return escape(text, limit)


def _fill_from_sheet(sheet: str, *, flatten: bool) -> bytes:
    """Return the first bundled form (in packet order: the application form) filled from the (valid) sheet."""
    from sc_docs.catalog import document_sections, load_catalog
    from sc_docs.catalog.formfill import fill_form
    from sc_docs.errors import ScDocsError
    from sc_docs.sheets import load_valid_applicant

    record = load_valid_applicant(sheet)
    forms = [e for e in load_catalog().forms() if e.key in document_sections(record.data)]
    if not forms:
        raise ScDocsError("the sheet has no section for any form", file=record.source)
    return fill_form(forms[0], record.data, flatten=flatten)
