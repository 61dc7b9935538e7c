"""Print the corpus tally at the end of the session, for the closing note."""

from __future__ import annotations

from typing import Any

from tests.corpus.tally import TALLY, summary


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if TALLY["tried"]:
        terminalreporter.write_sep("-", "sc-docs hardening")
        terminalreporter.write_line(summary())
