"""What a command imports decides how fast it starts: each check runs in a fresh interpreter.

A packet of agreements alone needs neither the PDF nor the spreadsheet library, one packet needs
no process pool, and US business days need no `holidays` (which loads every country it knows).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
    assert imported(modules, ("pypdf", "openpyxl", "reportlab", "fontTools", "holidays", *POOL)) == []
    assert len(list((tmp_path / "out").glob("*/*.docx"))) == len(data["documents"])


def test_a_whole_packet_starts_no_pool_and_reads_holidays_from_the_table(tmp_path: Path) -> None:
    modules = loaded_after(packet_code(ACME, tmp_path / "out"), tmp_path)
    assert imported(modules, ("holidays", *POOL)) == []
    assert {"pypdf", "openpyxl"} <= modules  # the form and the workbook are there: the check above means something
