"""What a command imports decides how fast it starts: each check runs in a fresh interpreter.

A packet of agreements alone needs neither the PDF nor the spreadsheet library, one packet needs
no process pool, US business days need no `holidays` (which loads every country it knows), plainly
valid catalog metadata and requirements need no pydantic, and a workbook template once compiled
(into the cache) needs no openpyxl.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import EXAMPLES

ACME = EXAMPLES / "acme-power-and-light.yaml"
POOL = ("multiprocessing", "concurrent.futures", "sc_docs.batch")
HEAVY = ("pydantic", "jsonschema", "yaml", "jinja2", "lxml", "pypdf", "openpyxl", "holidays", "reportlab", "fontTools")


def loaded_after(code: str, tmp_path: Path) -> set[str]:
    """Run `code` in a new interpreter; return the modules it loaded (after it printed nothing else)."""
    env = {**os.environ, "SC_DOCS_CACHE_DIR": str(tmp_path / "cache")}
    script = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def packet_code(sheet: Path, out: Path) -> str:
    return f"from sc_docs.cli import main\nassert main(['packet', {str(sheet)!r}, '-o', {str(out)!r}]) == 0"


def imported(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if n in modules)


def test_importing_the_cli_loads_no_library_a_command_needs(tmp_path: Path) -> None:
    modules = loaded_after("import sc_docs.cli", tmp_path)
    assert imported(modules, HEAVY + POOL) == []
    assert sorted(m for m in modules if m.startswith("sc_docs.")) == ["sc_docs.cli", "sc_docs.errors"]


def test_a_packet_of_agreements_needs_no_pdf_spreadsheet_or_pool_library(tmp_path: Path) -> None:
    data = yaml.safe_load(ACME.read_text(encoding="utf-8"))
    for key in ("application", "contact_list"):  # the form and the workbook
        del data["documents"][key]
    sheet = tmp_path / "agreements-only.yaml"
    sheet.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    modules = loaded_after(packet_code(sheet, tmp_path / "out"), tmp_path)
    assert imported(modules, ("pypdf", "openpyxl", "reportlab", "fontTools", "holidays", "pydantic", *POOL)) == []
    assert len(list((tmp_path / "out").glob("*/*.docx"))) == len(data["documents"])


def test_a_whole_packet_with_its_cache_warm_loads_only_the_pdf_library(tmp_path: Path) -> None:
    first = loaded_after(packet_code(ACME, tmp_path / "out1"), tmp_path)  # fills the cache
    assert "openpyxl" in first  # compiling the workbook template is openpyxl's job
    modules = loaded_after(packet_code(ACME, tmp_path / "out2"), tmp_path)
    assert imported(modules, ("holidays", "openpyxl", "pydantic", *POOL)) == []
    assert "pypdf" in modules  # the form is there: the check above means something
    made = sorted(p.name for p in (tmp_path / "out2").glob("*/*"))
    assert [n for n in made if n.endswith(".xlsx")] and [n for n in made if n.endswith(".pdf")]


def test_a_command_collects_garbage_rarely_and_leaves_the_thresholds_as_they_were(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    from sc_docs import cli

    seen: list[tuple[int, ...]] = []
    monkeypatch.setattr(cli, "_main", lambda argv: seen.append(gc.get_threshold()) or 0)
    before = gc.get_threshold()
    assert cli.main(["--version"]) == 0
    assert gc.get_threshold() == before
    assert seen[0][0] == max(before[0], cli.GC_THRESHOLD) and seen[0][1:] == before[1:]
