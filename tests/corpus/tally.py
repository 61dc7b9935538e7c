"""Counts kept across the corpus run and printed at the end (see `conftest.py`).

`tried`: inputs given to a command; `clear`: refused with the expected exit code and a message
naming the file; `tracebacks`: a Python traceback escaped (in-process: an exception out of
`main`; subprocess: `Traceback` on stderr); `corrupt`: a document written for a bad input, or a
written document that failed `tests.checks`.
"""

from __future__ import annotations

from collections import Counter

TALLY: Counter[str] = Counter()


def summary() -> str:
    return (
        f"bad-input corpus: {TALLY['tried']} inputs tried, {TALLY['clear']} errors clear, "
        f"{TALLY['tracebacks']} tracebacks, {TALLY['corrupt']} corrupt outputs"
    )
