"""Every CLI command has help text and is documented in the README (as sqlite-utils does)."""

from __future__ import annotations

import click
import pytest

from sc_docs.cli import COMMANDS, cli
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def walk(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    ctx = click.Context(group)
    out = []
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        assert cmd is not None, name
        full = f"{prefix}{name}"
        out.append((full, cmd))
        if isinstance(cmd, click.Group):
            out.extend(walk(cmd, full + " "))
    return out


COMMAND_LIST = walk(cli)


@pytest.mark.parametrize(("name", "command"), COMMAND_LIST, ids=[n for n, _ in COMMAND_LIST])
def test_command_has_help_and_is_in_the_readme(name: str, command: click.Command) -> None:
    assert (command.help or "").strip(), f"{name} has no help text"
    assert f"sc-docs {name}" in README, f"'sc-docs {name}' is not documented in README.md"


def test_every_registered_command_is_walked() -> None:
    assert {n for n, _ in COMMAND_LIST if " " not in n} == set(COMMANDS)


def test_readme_starts_with_the_two_fresh_machine_commands() -> None:
    first_screen = README.split("## ")[0]
    commands = [line for line in first_screen.splitlines() if line.startswith("python3 -m venv")]
    assert len(commands) == 2
    assert "sc-docs batch info_sheets/examples -o packets" in commands[0]
    assert "pytest" in commands[1]
    assert commands[1] in (ROOT / ".ci" / "run").read_text()


def test_readme_exit_codes_are_the_codes_of_the_error_classes() -> None:
    from sc_docs import errors

    assert (errors.EXIT_OK, errors.EXIT_INVALID, errors.EXIT_USAGE, errors.EXIT_INTERRUPTED) == (0, 1, 2, 130)
    assert "`0` success; `1` invalid input" in README and "`2`\nusage error" in README and "`130` interrupted" in README
    assert errors.UsageError.exit_code == errors.UnreadableFileError.exit_code == errors.UnknownDocumentError.exit_code == 2
    assert errors.ValidationFailed.exit_code == errors.SheetError.exit_code == 1
    assert errors.Interrupted.exit_code == 130
    assert "130 interrupted" in " ".join((cli.help or "").split())


def test_every_error_class_has_the_one_root() -> None:
    import inspect

    from sc_docs import errors
    from sc_docs.engines.pdf import UnreadableFormError

    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, Exception) and c.__module__ == errors.__name__]
    assert all(issubclass(c, errors.ScDocsError) for c in classes)
    assert UnreadableFormError is errors.UnreadableFormError


@pytest.mark.parametrize(("platform", "command"), [
    ("linux", "apt-get install libreoffice-writer-nogui"),
    ("darwin", "brew install --cask libreoffice"),
    ("win32", "winget install TheDocumentFoundation.LibreOffice"),
], ids=["linux", "macos", "windows"])
def test_missing_libreoffice_hint_names_what_the_readme_names(platform: str, command: str) -> None:
    from sc_docs.engines.convert import install_hint

    assert command in install_hint(platform) and command in README
    if platform == "linux":
        assert "libreoffice-writer-nogui" in (ROOT / "tests" / "system-deps.sh").read_text()


def test_readme_names_the_platforms_and_the_soffice_override() -> None:
    assert "Linux, macOS and Windows" in README
    assert "SC_DOCS_SOFFICE" in README and "/Applications/LibreOffice.app/Contents/MacOS/soffice" in README
    assert "CSV UTF-8" in README
