"""Shared fixtures: a CLI runner that goes through `sc_docs.cli.main`, and the bundled samples."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "info_sheets" / "examples"
SAMPLES = sorted(EXAMPLES.glob("*.yaml"))
INVALID = sorted((EXAMPLES / "invalid").glob("*.yaml"))


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str
    stdout_bytes: bytes


@pytest.fixture
def run() -> Callable[..., Result]:
    """Run `sc-docs ARGS...` in-process, the way the console script does; return code and output."""
    from sc_docs.cli import main

    runner = CliRunner()

    def _run(*args: str, input: str | bytes | None = None) -> Result:
        with runner.isolation(input=input) as (out, err, _):
            code = main([str(a) for a in args])
            return Result(code, out.getvalue().decode("utf-8", "replace"), err.getvalue().decode("utf-8", "replace"), out.getvalue())

    return _run


@pytest.fixture(scope="session")
def samples() -> list[Path]:
    return SAMPLES


@pytest.fixture(autouse=True, scope="session")
def _template_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the DOCX engine's disk cache of compiled templates inside this test session, so
    no run reads another run's entries (or writes into the user's cache folder)."""
    import os

    os.environ["SC_DOCS_CACHE_DIR"] = str(tmp_path_factory.mktemp("template-cache"))
    os.environ.pop("SC_DOCS_NO_CACHE", None)
