"""`sc-docs fill`: fill any PDF form from a JSON or YAML file of field values."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Mapping
from typing import Any

import click

from sc_docs.cli.params import force_option

from sc_docs.errors import FormError, UnreadableFileError

MAX_VALUES_BYTES = 20 * 1024 * 1024


def load_values(source: str) -> dict[str, str | bool]:
    """Read `source` (a JSON or YAML file, `-` for stdin) into {field name: str or bool}.

    Nested mappings become dotted names (`{contacts: {primary: {name: ...}}}` is
    `contacts.primary.name`); numbers and dates become text; null means "leave as is".
    """
    label = "<stdin>" if source == "-" else source
    try:
        if source == "-":
            raw = sys.stdin.buffer.read(MAX_VALUES_BYTES + 1)
        else:
            # at most one byte past the limit: a pipe or /dev/zero never ends
            with open(source, "rb") as fh:
                raw = fh.read(MAX_VALUES_BYTES + 1)
    except OSError as exc:
        raise UnreadableFileError(f"cannot read: {exc.strerror or exc}", file=label) from None
    if len(raw) > MAX_VALUES_BYTES:
        raise UnreadableFileError(f"is larger than {MAX_VALUES_BYTES:,} bytes, the limit for values", file=label)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFileError("not UTF-8 text", file=label) from None
    try:
        data = json.loads(text)
    except ValueError:
        import yaml

        try:
            data = yaml.safe_load(text)
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
@force_option
def fill(form: str | None, values: str | None, sheet: str | None, output: str, flatten: bool, force: bool) -> None:
    """Fill the PDF form FORM with VALUES and write the result to OUTPUT.

    VALUES is a JSON or YAML file (`-` for stdin) mapping field names, as `sc-docs fields`
    lists them, to text or true/false. Every value is checked before anything is written:
    an unknown field, a wrong type, an option the field does not offer or text longer than
    the field allows is an error (exit 1) naming what is valid.

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

        data = open_form(form).fill(load_values(values), flatten=flatten)
    inputs = [p for p in (form, values, sheet) if p is not None]
    write_output(output, data, force=force, inputs=inputs, replaceable=made_by_sc_docs)
    if output != "-":
        click.echo(f"wrote {output}", err=True)


def _fill_from_sheet(sheet: str, *, flatten: bool) -> bytes:
    """Return the first bundled form (in packet order: the application form) filled from the (valid) sheet."""
    from sc_docs.catalog import document_sections, load_catalog
    from sc_docs.catalog.formfill import fill_form
    from sc_docs.errors import ScDocsError, ValidationFailed
    from sc_docs.sheets import load_applicant, validate

    record = load_applicant(sheet)
    problems = validate(record)
    if problems:
        raise ValidationFailed(problems, file=record.source)
    forms = [e for e in load_catalog().forms() if e.key in document_sections(record.data)]
    if not forms:
        raise ScDocsError("the sheet has no section for any form", file=record.source)
    return fill_form(forms[0], record.data, flatten=flatten)
