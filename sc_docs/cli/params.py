"""Parameter types and option bundles shared by the commands: one date parser, one `--db`,
one `--force`, one way to resolve a document key.

Bundled as decorators (the sqlite-utils way) so that an option means the same thing, with the
same help, in every command that takes it.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


class IsoDate(click.ParamType):
    """A calendar date written YYYY-MM-DD (the only form accepted, so no date is ambiguous)."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date; write it as YYYY-MM-DD", param, ctx)


DATE = IsoDate()


class TemplateKey(click.ParamType):
    """A document key of the catalog (`sca`, `msa_sc`, ...), optionally of given kinds.

    An unknown key is a usage error (exit 2) with the nearest known key as a suggestion.
    """

    name = "KEY"

    def __init__(self, *kinds: str) -> None:
        self.kinds = kinds

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from sc_docs.catalog import load_catalog
        from sc_docs.errors import CatalogError, did_you_mean

        catalog = load_catalog()
        key = str(value)
        try:
            entry = catalog.get(key)
        except CatalogError:
            known = [e.key for e in catalog if not self.kinds or e.meta.kind in self.kinds]
            hint = did_you_mean(key, known) or f" Known: {', '.join(known)}."
            self.fail(f"no document '{key}' in the catalog.{hint}", param, ctx)
        if self.kinds and entry.meta.kind not in self.kinds:
            self.fail(f"'{key}' is a {entry.meta.kind}, not {' or '.join(f'an {k}' if k[0] in 'aeiou' else f'a {k}' for k in self.kinds)}", param, ctx)
        return entry.key


class RegularFile(click.Path):
    """An existing regular file: a folder, device or FIFO is refused before anything reads it
    (`/dev/zero` as evidence would otherwise be hashed forever)."""

    def __init__(self) -> None:
        super().__init__(exists=True, dir_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        import os
        import stat

        path = super().convert(value, param, ctx)
        if not stat.S_ISREG(os.stat(path).st_mode):
            self.fail(f"{str(value)!r} is not a regular file (a device or a pipe)", param, ctx)
        return path


def format_option(*choices: str, default: str = "text") -> Callable[[F], F]:
    """Add `--format` with `choices` (machine-readable output where a program may read it)."""
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
        help="Output format.",
    )


date_option = click.option(
    "--date", "packet_date", type=DATE, default=None,
    help="Packet date (default: the sheet's application date; never the clock).",
)
pdf_option = click.option("--pdf", is_flag=True, help="Also convert each agreement to PDF (LibreOffice) and merge one packet PDF.")
force_option = click.option(
    "--force", is_flag=True,
    help="Replace an existing output file, or write into a non-empty folder sc-docs did not create.",
)
class DatabaseFile(click.Path):
    """A tracker database file: new, or an existing regular file (never a device or a pipe,
    where SQLite would leave a journal beside it and fail half-way)."""

    def __init__(self) -> None:
        super().__init__(dir_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        import os
        import stat

        path = super().convert(value, param, ctx)
        try:
            mode = os.stat(path).st_mode
        except OSError:
            return path  # created on first use
        if not stat.S_ISREG(mode):
            self.fail(f"{str(value)!r} is not a regular file (a device or a pipe)", param, ctx)
        return path


db_option = click.option(
    "--db", envvar="SC_DOCS_DB", show_envvar=True, default=None,
    type=DatabaseFile(),
    help="Tracker database file (default for track: ./sc-docs.sqlite).",
)


def output_file_option(help: str, *, required: bool = True, default: str | None = None) -> Callable[[F], F]:
    """Add `-o/--output FILE` (`-` for stdout) and `--force` to replace an existing file."""

    def decorate(func: F) -> F:
        func = click.option(
            "-o", "--output", required=required, default=default, show_default=default is not None,
            type=click.Path(allow_dash=True), help=help,
        )(func)
        return force_option(func)

    return decorate


_CORE = "docProps/core.xml"
_LAST_BY = re.compile(rb"<cp:lastModifiedBy>\s*sc-docs\s*</cp:lastModifiedBy>")
# pypdf writes the hyphen escaped in octal: `(sc\055docs)`.
_PDF_MARK = re.compile(rb"/Producer\s*\(sc(?:-|\\055)docs\)")
_MAX_RECOGNISED = 64 * 1024 * 1024


def made_by_sc_docs(path: Path) -> bool:
    """True if `path` is a document sc-docs wrote and nobody has saved since, so replacing it is safe.

    A DOCX still last modified by `sc-docs` (Word or LibreOffice would put the user's name
    there) or a PDF whose producer is `sc-docs`. Sheets and workbooks are never recognised:
    a blank sheet sc-docs made is exactly what a user fills in.
    """
    suffix = path.suffix.lower()
    try:
        if path.stat().st_size > _MAX_RECOGNISED:
            return False
        if suffix == ".docx":
            with zipfile.ZipFile(path) as zf:
                info = zf.getinfo(_CORE)
                if info.file_size > 1024 * 1024:
                    return False
                return bool(_LAST_BY.search(zf.read(info)))
        if suffix == ".pdf":
            return _PDF_MARK.search(path.read_bytes()) is not None
    except (OSError, KeyError, zipfile.BadZipFile, ValueError):
        return False
    return False
