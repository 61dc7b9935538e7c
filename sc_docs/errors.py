"""The error hierarchy: every foreseeable problem is an `ScDocsError` carrying its exit code.

The library raises; the CLI catches `ScDocsError` once, prints `format_message()` to stderr and
exits with `exit_code`. Subclasses add what they know (file, line, field path, template).
"""

from __future__ import annotations

from typing import ClassVar


class ScDocsError(Exception):
    """Root of sc-docs' errors. `exit_code` 1 means bad input or a failed document."""

    exit_code: ClassVar[int] = 1

    def __init__(self, message: str, *, file: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file

    def format_message(self) -> str:
        """Return the one-line message a user sees, prefixed by the file when known."""
        return f"{self.file}: {self.message}" if self.file else self.message

    def __str__(self) -> str:
        return self.format_message()


class UsageError(ScDocsError):
    """The command was called wrongly (exit 2)."""

    exit_code: ClassVar[int] = 2


class UnreadableFileError(ScDocsError):
    """A file could not be read or parsed at all (exit 2 from `validate`)."""

    exit_code: ClassVar[int] = 2


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


class ValidationFailed(ScDocsError):
    """An applicant record broke the schema or a domain rule; `problems` lists every one."""

    def __init__(self, problems: list, *, file: str | None = None) -> None:
        self.problems = list(problems)
        lines = [p.format() for p in self.problems]
        super().__init__("\n".join(lines) or "invalid record", file=None)
        self.file = file

    def format_message(self) -> str:
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


class ConversionError(ScDocsError):
    """An external converter (LibreOffice) is missing or failed."""


class CatalogError(ScDocsError):
    """A pro forma folder or its metadata is missing or invalid."""


class OutputError(ScDocsError):
    """An output location is unsafe or already in use."""
