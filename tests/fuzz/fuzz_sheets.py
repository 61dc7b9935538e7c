"""Fuzz target for the info-sheet loader and validator.

The contract under test: for any bytes, loading (as YAML, JSON or XLSX) and validating either
succeed or raise an `ScDocsError` subclass whose message can be formatted; nothing else escapes,
and the interpreter never crashes (the C YAML composer once did on deep nesting).

With atheris installed (`pip install atheris`), run coverage-guided:

    python tests/fuzz/fuzz_sheets.py --seeds /tmp/sheet-seeds      # write a seed corpus
    python tests/fuzz/fuzz_sheets.py /tmp/sheet-seeds -max_total_time=300

The first input byte picks the format; the rest is the file. `tests/fuzz/test_fuzz_sheets.py`
runs the same `one_input` from hypothesis, bounded, in the normal test suite.
"""

from __future__ import annotations

import sys
from pathlib import Path

FORMATS = ("yaml", "json", "xlsx")


def one_input(data: bytes) -> None:
    """Load and validate `data`; raise only if something other than an `ScDocsError` escapes."""
    from sc_docs.errors import ScDocsError
    from sc_docs.sheets import validate
    from sc_docs.sheets.loader import parse_sheet
    from sc_docs.sheets.record import ApplicantRecord

    if not data:
        return
    fmt = FORMATS[data[0] % len(FORMATS)]
    try:
        parsed, positions = parse_sheet(data[1:], f"fuzz.{fmt}", fmt)
        if isinstance(parsed, dict):
            problems = validate(ApplicantRecord(data=parsed, sources=[f"fuzz.{fmt}"], positions=positions))
            for p in problems:
                p.format()
                p.to_dict()
    except ScDocsError as exc:
        exc.format_message()


def write_seeds(folder: Path) -> int:
    """Write the bundled samples (as YAML, JSON and XLSX, format byte first) into `folder`."""
    import json

    import yaml

    from sc_docs.paths import data_dir
    from sc_docs.sheets.xlsx_source import write_xlsx

    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    for sample in sorted((data_dir("info_sheets") / "examples").rglob("*.yaml")):
        text = sample.read_bytes()
        data = yaml.safe_load(text)
        blobs = {"yaml": text, "json": json.dumps(data, indent=1).encode()}
        if isinstance(data, dict):
            try:
                blobs["xlsx"] = write_xlsx(data)
            except ValueError:
                pass
        for fmt, blob in blobs.items():
            (folder / f"{sample.stem}.{fmt}").write_bytes(bytes([FORMATS.index(fmt)]) + blob)
            n += 1
    return n


def main(argv: list[str]) -> None:
    if len(argv) > 2 and argv[1] == "--seeds":
        print(f"wrote {write_seeds(Path(argv[2]))} seeds to {argv[2]}")
        return
    import atheris

    with atheris.instrument_imports():
        import sc_docs.sheets
        import sc_docs.sheets.json_source
        import sc_docs.sheets.xlsx_source
        import sc_docs.sheets.yaml_source  # noqa: F401
    atheris.Setup(argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    main(sys.argv)
