"""The `sc-docs` command line: a thin shell over the API.

Commands live in `sc_docs/cli/`, one module each, and are imported only when invoked so that
`sc-docs --help` starts instantly. This module owns the one place where `ScDocsError` becomes a
message on stderr and an exit code.
"""

from __future__ import annotations

import gc
import importlib
import sys
from typing import Any

import click

from sc_docs import __version__
from sc_docs.errors import EXIT_INTERRUPTED, EXIT_INVALID, ScDocsError

# name -> (module, attribute, one-line help). Add a command by adding a line here.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "validate": ("sc_docs.cli.validate", "validate", "Check info sheets against the schemas and rules."),
    "sheet": ("sc_docs.cli.sheet", "sheet", "Make blank info sheets (YAML or XLSX)."),
    "packet": ("sc_docs.cli.packet", "packet", "Make one applicant's packet (agreements, form, manifest, zip)."),
    "batch": ("sc_docs.cli.batch", "batch", "Make packets for many applicants in parallel."),
    "render": ("sc_docs.cli.render", "render", "Render one agreement draft (.docx, optionally .pdf)."),
    "templates": ("sc_docs.cli.templates", "templates", "List, show, lint and import the pro forma templates."),
    "track": ("sc_docs.cli.track", "track", "Track certification requirements, deadlines and evidence."),
    "fields": ("sc_docs.cli.fields", "fields", "List the fillable fields of a PDF form."),
    "forms": ("sc_docs.cli.forms", "forms", "Bring an official fillable PDF into the catalog (propose its field map)."),
    "fill": ("sc_docs.cli.fill", "fill", "Fill a PDF form from a JSON or YAML file of values."),
    "serve": ("sc_docs.cli.serve", "serve", "Start the local web workspace (applicants, documents, batches, certification)."),
    "verify": ("sc_docs.cli.verify", "verify", "Check a returned agreement against its pro forma; read its fill-ins back."),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module, attr, _ = entry
        return getattr(importlib.import_module(module), attr)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in COMMANDS:
            import difflib

            near = difflib.get_close_matches(name, COMMANDS, n=1)
            hint = f" Did you mean '{near[0]}'?" if near else ""
            ctx.fail(f"No such command '{name}'.{hint}")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sc-docs")
def cli() -> None:
    """Make and check the paperwork of a CAISO Scheduling Coordinator application.

    Exit codes: 0 success; 1 invalid input, a failed document or a non-conforming agreement;
    2 usage error or a file that cannot be read at all; 130 interrupted (Ctrl-C).
    """


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; turn every `ScDocsError` into `Error: ...` on stderr and its exit code.

    This is the one place errors become exit codes: 0 ok, 1 invalid input or a failed document,
    2 usage or an unreadable file, 130 interrupted.
    """
    # A command allocates a few hundred thousand objects while it imports its libraries, and
    # almost none become garbage cycles: at CPython's default thresholds about 130 collections
    # took a tenth of a one-sheet packet's CPU. Collect far less often while a command runs
    # (as mypy does), and leave the thresholds as they were afterwards.
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], GC_THRESHOLD), *thresholds[1:])
    try:
        return _main(argv)
    finally:
        gc.set_threshold(*thresholds)


#: Allocations between two young-generation collections while a command runs (CPython's: 700).
GC_THRESHOLD = 100_000


def _main(argv: list[str] | None) -> int:
    try:
        code = cli.main(args=argv, prog_name="sc-docs", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort as exc:
        # click turns Ctrl-C (and end of input at a prompt) into Abort.
        if isinstance(exc.__cause__, KeyboardInterrupt):
            click.echo("Interrupted.", err=True)
            return EXIT_INTERRUPTED
        click.echo("Aborted!", err=True)
        return EXIT_INVALID
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return EXIT_INTERRUPTED
    except ScDocsError as exc:
        click.echo(f"Error: {safe_message(exc.format_message())}", err=True)
        return exc.exit_code
    except BrokenPipeError:
        return EXIT_INVALID
    return code if isinstance(code, int) else 0


def safe_message(text: str) -> str:
    """Escape what an input file could smuggle into a message (terminal escapes, surrogates)."""
    from sc_docs.sheets.problems import printable

    return "\n".join(printable(line, 2_000) for line in text.split("\n"))


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
