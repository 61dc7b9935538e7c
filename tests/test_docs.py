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
