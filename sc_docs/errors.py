"""The error hierarchy: every foreseeable problem is an `ScDocsError` carrying its exit code.

The library raises; the CLI catches `ScDocsError` once (`sc_docs.cli.main`), prints
`Error: <format_message()>` to stderr and exits with `exit_code`:

- 0: success;
- 1: invalid input (a sheet that breaks the schema or cannot be parsed), a failed document,
  a non-conforming agreement;
- 2: usage error, or a file that cannot be read at all (missing, a folder, a device);
- 130: interrupted (Ctrl-C).

Subclasses add what they know (file, line, field path, template). Code decides what kind of
failure it has by its class (`isinstance(exc, UnreadableFileError)`), never by its exit code.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import ClassVar, Final, Protocol

EXIT_OK: Final = 0
EXIT_INVALID: Final = 1
EXIT_USAGE: Final = 2
EXIT_INTERRUPTED: Final = 130


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """Return ` Did you mean 'x'?` for the closest of `choices`, or an empty string."""
    options = sorted(choices)
    # People type the start of a long slug or key ("acme", "msa"): prefer a completion.
    near = [o for o in options if name and o.startswith(name.lower())][:1]
    near = near or difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return f" Did you mean '{near[0]}'?" if near else ""


class ScDocsError(Exception):
    """Root of sc-docs' errors. `exit_code` 1 means bad input or a failed document."""

    exit_code: ClassVar[int] = EXIT_INVALID

    def __init__(self, message: str, *, file: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file

    def format_message(self) -> str:
        """Return the message a user sees, prefixed by the file when known."""
        return f"{self.file}: {self.message}" if self.file else self.message

    def __str__(self) -> str:
        return self.format_message()


class UsageError(ScDocsError):
    """The command was called wrongly: an unknown key, conflicting options (exit 2)."""

    exit_code: ClassVar[int] = EXIT_USAGE


class UnreadableFileError(ScDocsError):
    """A file could not be read at all: missing, a folder, a device, no permission (exit 2)."""

    exit_code: ClassVar[int] = EXIT_USAGE


class Interrupted(ScDocsError):
    """The user stopped the run (Ctrl-C); what finished was kept (exit 130)."""

    exit_code: ClassVar[int] = EXIT_INTERRUPTED


class SheetError(ScDocsError):
    """An info sheet was read but its content is unusable (bad syntax, bombs, duplicate keys)."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None) -> None:
        super().__init__(message, file=file)
        self.line = line

    def format_message(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}"


class LocatedProblem(Protocol):
    """What `ValidationFailed` needs of a problem (`sc_docs.sheets.problems.Problem` is one)."""

    @property
    def file(self) -> str: ...

    @property
    def line(self) -> int | None: ...

    @property
    def path(self) -> str: ...

    @property
    def message(self) -> str: ...

    def format(self) -> str: ...


class ValidationFailed(ScDocsError):
    """An applicant record broke the schema or a domain rule; `problems` lists every one."""

    def __init__(self, problems: Sequence[LocatedProblem], *, file: str | None = None) -> None:
        self.problems: list[LocatedProblem] = list(problems)
        lines = [p.format() for p in self.problems]
        super().__init__("\n".join(lines) or "invalid record", file=file)

    def format_message(self) -> str:
        # Each problem already names its file and line: one per line, as `validate` prints them.
        return self.message


class TemplateError(ScDocsError):
    """A template is malformed, unsafe, or asked for a value the context lacks."""

    def __init__(self, message: str, *, template: str | None = None) -> None:
        super().__init__(message, file=template)
        self.template = template


class FormError(ScDocsError):
    """A PDF form could not be read, or a value does not fit its field."""

    def __init__(self, message: str, *, form: str | None = None) -> None:
        super().__init__(message, file=form)
        self.form = form


class UnreadableFormError(FormError):
    """The file is not a usable PDF at all: missing, garbage, truncated, damaged or locked (exit 2)."""

    exit_code: ClassVar[int] = EXIT_USAGE


class ConversionError(ScDocsError):
    """An external converter (LibreOffice) is missing or failed."""


class CatalogError(ScDocsError):
    """A pro forma folder or its metadata is missing or invalid."""


class UnknownDocumentError(CatalogError, UsageError):
    """A key names no document of the catalog (exit 2, a usage error)."""

    exit_code: ClassVar[int] = EXIT_USAGE


class OutputError(ScDocsError):
    """An output location is unsafe, already in use, or cannot be written."""


class BadOutputError(OutputError, UsageError):
    """The output location given cannot be used: a folder, a device, a folder that does not
    exist (exit 2, a usage error: nothing was attempted)."""

    exit_code: ClassVar[int] = EXIT_USAGE


class OutputExistsError(BadOutputError):
    """The output would replace a file the user did not ask to replace, or an input (exit 2)."""


class TrackerError(ScDocsError):
    """Root of the tracker's errors: bad input to a tracker command (exit 1)."""


class RequirementsFileError(TrackerError):
    """`requirements.yaml` is missing, unreadable or breaks its model."""


class UnknownApplicantError(TrackerError):
    """No applicant with that slug is registered."""

    def __init__(self, slug: str, known: Iterable[str]) -> None:
        super().__init__(f"no applicant '{slug}' in the tracker.{did_you_mean(slug, known)}")
        self.slug = slug


class UnknownRequirementError(TrackerError):
    """The requirement key is not in the requirements file."""

    def __init__(self, key: str, known: Iterable[str]) -> None:
        super().__init__(f"no requirement '{key}'.{did_you_mean(key, known)}")
        self.key = key


class DatabaseLockedError(TrackerError):
    """Another process held the database longer than the busy timeout."""


class DatabaseUnreadableError(TrackerError):
    """The file is not a tracker database (not SQLite, corrupt, or made by a newer sc-docs)."""

    exit_code: ClassVar[int] = EXIT_USAGE
