"""Run hostile work in a child process with a memory cap and a time limit.

A test of resource abuse must not take the test runner down with it: the child sets
`RLIMIT_AS`, runs `code` (which defines `work()`), and reports as JSON which exception came out,
its message, and how far its peak memory grew while `work()` ran.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

_HARNESS = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
sys.path.insert(0, {root!r})
{code}
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result = {{"error": None, "message": ""}}
try:
    work()
except BaseException as exc:
    result = {{"error": type(exc).__name__, "message": str(exc)[:500],
              "sc_docs_error": type(exc).__module__ == "sc_docs.errors"}}
result["peak_growth_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(json.dumps(result))
"""


def run_isolated(code: str, *, memory_mb: int = 2048, timeout: float = 60) -> dict[str, Any]:
    """Run `code` (defining `work()`) in a child; return its report, or `{"error": "Timeout"}`."""
    script = _HARNESS.format(cap=memory_mb * 1024 * 1024, root=str(ROOT), code=textwrap.dedent(code))
    try:
        proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=timeout, cwd=ROOT, check=False)
    except subprocess.TimeoutExpired:
        return {"error": "Timeout", "message": f"still running after {timeout:.0f}s", "peak_growth_mb": None}
    lines = proc.stdout.decode(errors="replace").strip().splitlines()
    if proc.returncode != 0 or not lines:
        return {"error": f"exit {proc.returncode}", "message": proc.stderr.decode(errors="replace")[-1000:], "peak_growth_mb": None}
    report: dict[str, Any] = json.loads(lines[-1])
    return report
