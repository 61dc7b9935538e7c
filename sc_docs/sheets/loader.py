"""Load info sheets (YAML, JSON, XLSX) into an `ApplicantRecord`, one or several files per applicant."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sc_docs.errors import SheetError, UnreadableFileError
from sc_docs.sheets.blanks import prune
from sc_docs.sheets.problems import Problem
from sc_docs.sheets.record import ApplicantRecord, Location, Path_, format_path

SHEET_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx")
MAX_BYTES = 20 * 1024 * 1024


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """Read a sheet file, turning OS errors into `UnreadableFileError`."""
    p = Path(path)
    too_big = f"is larger than {MAX_BYTES:,} bytes, the limit for info sheets"
    if str(path) == "-":
        import sys

        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise UnreadableFileError(too_big, file="<stdin>")
        return data
    try:
        st = p.stat()  # one look answers every question below (a batch reads thousands of sheets)
        if stat.S_ISDIR(st.st_mode):
            raise UnreadableFileError("is a folder, not an info sheet file", file=str(path))
        if not stat.S_ISREG(st.st_mode):  # /dev/null, /dev/zero, a FIFO: unreadable, not an empty sheet
            raise UnreadableFileError("is a device or a pipe, not an info sheet file", file=str(path))
        size = st.st_size
        if size > MAX_BYTES:
            raise UnreadableFileError(f"is {size:,} bytes; info sheets are limited to {MAX_BYTES:,}", file=str(path))
        # Read at most one byte past the limit: a pipe or a device (`/dev/zero`) reports size 0.
        with p.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise UnreadableFileError(too_big, file=str(path))
        return data
    except FileNotFoundError:
        raise UnreadableFileError("no such file", file=str(path)) from None
    except OSError as exc:
        raise UnreadableFileError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None


def _decode(data: bytes, file: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        raise SheetError("is UTF-32 text; save it as UTF-8", file=file, line=1)
    elif data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise SheetError("is UTF-16 text (\"Unicode text\" in Excel); save it as UTF-8", file=file, line=1)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SheetError(
            f"is not UTF-8 text (byte 0x{data[exc.start]:02x} at line {line}); save it as UTF-8", file=file, line=line
        ) from None


def parse_sheet(data: bytes, file: str, fmt: str | None = None) -> tuple[Any, dict[Path_, Location]]:
    """Parse sheet bytes by `fmt` (`yaml`, `json`, `xlsx`; default: from the file name)."""
    from sc_docs.sheets.json_source import parse_json
    from sc_docs.sheets.xlsx_source import parse_xlsx
    from sc_docs.sheets.yaml_source import parse_yaml

    fmt = fmt or _format_of(file, data)
    if fmt == "xlsx":
        return parse_xlsx(data, file)
    text = _decode(data, file)
    if "\x00" in text:
        raise SheetError("contains NUL bytes; is it a binary file?", file=file)
    if fmt == "json":
        return parse_json(text, file)
    return parse_yaml(text, file)


def _format_of(file: str, data: bytes) -> str:
    suffix = Path(file).suffix.lower()
    if suffix == ".xlsx":
        return "xlsx"
    if suffix == ".json":
        return "json"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if data[:2] == b"PK":
        return "xlsx"
    return "json" if data.lstrip()[:1] in (b"{", b"[") else "yaml"


def load_sheet(path: str | os.PathLike[str], fmt: str | None = None) -> ApplicantRecord:
    """Load one sheet file into a record (not yet validated)."""
    file = str(path)
    raw = read_bytes(path)
    notes: list[Problem] = []
    if (fmt or _format_of(file, raw)) == "xlsx":
        from sc_docs.sheets.xlsx_source import read_xlsx

        data, positions, notes = read_xlsx(raw, file)
    else:
        data, positions = parse_sheet(raw, file, fmt)
    if not isinstance(data, dict):
        raise SheetError(f"the top level must be a section of fields, not {_kind(data)}", file=file, line=1)
    record = record_from(data, file, positions)
    record.problems.extend(notes)
    return record


def record_from(data: dict[str, Any], source: str, positions: dict[Path_, Location]) -> ApplicantRecord:
    """Return the record of parsed sheet `data`: old-layout sections moved under `documents`
    (with a notice), then its blank fields removed as "not given"."""
    from sc_docs.catalog.layout import upgrade_layout

    notice = upgrade_layout(data, positions)
    data, positions, blanks = prune(data, positions)
    return ApplicantRecord(data=data, sources=[source], positions=positions, blanks=blanks,
                           notices=[f"{source}: {notice}"] if notice else [])


def _kind(data: Any) -> str:
    if data is None:
        return "an empty document"
    if isinstance(data, list):
        return "a list"
    if isinstance(data, str):
        return "a line of text"
    return type(data).__name__


def sheet_files(folder: Path) -> list[Path]:
    """Return the info sheets directly inside `folder`, sorted by name.

    A link named like a sheet that leads nowhere (broken, or a loop) is listed too, so reading it
    reports the problem instead of the sheet silently missing from the applicant.
    """
    return sorted(
        p for p in folder.iterdir()
        if p.suffix.lower() in SHEET_SUFFIXES and not p.name.startswith(".") and (p.is_file() or (p.is_symlink() and not p.exists()))
    )


def load_applicant(source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> ApplicantRecord:
    """Load an applicant from a sheet file, a folder of sheets, or several sheet files.

    Several sheets (or a folder) describe one applicant: their sections are merged, and every shared
    fact they both state must be identical; each disagreement becomes a problem naming both spellings
    and both locations, reported by `sc_docs.validate`.
    """
    if isinstance(source, (str, os.PathLike)):
        p = Path(source)
        if str(source) != "-" and p.is_dir():
            files = sheet_files(p)
            if not files:
                raise UnreadableFileError("holds no info sheets (*.yaml, *.yml, *.json, *.xlsx)", file=str(p))
            records = [load_sheet(f) for f in files]
            _one_applicant(records, str(p))
            return merge(records)
        _not_a_roster(str(source))
        return load_sheet(source)
    sources = list(source)
    for s in sources:
        _not_a_roster(str(s))
    records = [load_sheet(s) for s in sources]
    if not records:
        raise UnreadableFileError("no info sheet given")
    return records[0] if len(records) == 1 else merge(records)


def _not_a_roster(file: str) -> None:
    """Refuse a CSV roster where one applicant's sheets are expected, pointing to `batch`."""
    if file.lower().endswith(".csv"):
        raise SheetError(
            "is a roster (CSV, one applicant per row), not one applicant's sheet; "
            "check it with `sc-docs validate` or make its packets with `sc-docs batch`", file=file)


def _one_applicant(records: list[ApplicantRecord], folder: str) -> None:
    """Refuse a folder whose sheets name clearly different applicants, in one line.

    Two spellings of one name (a typo, a missing comma) stay the same-applicant problems that
    name both places; names that share little are different applicants, which `batch` handles.
    """
    import difflib

    names: dict[str, str] = {}
    for rec in records:
        facts = rec.data.get("applicant")
        name = facts.get("legal_name") if isinstance(facts, dict) else None
        if isinstance(name, str):
            names.setdefault(_name_key(name), name)
    keys = list(names)
    apart = any(difflib.SequenceMatcher(None, a, b).ratio() < 0.8 for i, a in enumerate(keys) for b in keys[i + 1:])
    if len(keys) > 1 and apart:
        shown = ", ".join(repr(n) for n in list(names.values())[:3]) + (", ..." if len(names) > 3 else "")
        raise SheetError(
            f"holds the sheets of {len(names)} different applicants ({shown}); a folder here is ONE "
            f"applicant's sheets: for many applicants use `sc-docs batch {folder} -o OUTDIR`", file=folder)


def _name_key(name: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKC", name).casefold()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text).split())


def merge(records: list[ApplicantRecord]) -> ApplicantRecord:
    """Merge sheets of one applicant; conflicting values become `same-applicant` problems."""
    out = ApplicantRecord(data={}, sources=[], positions={})
    for rec in records:
        out.sources.extend(rec.sources)
        _merge_into(out, rec, out.data, rec.data, ())
        for path, loc in rec.positions.items():
            out.positions.setdefault(path, loc)
        for path, loc in rec.blanks.items():
            out.blanks.setdefault(path, loc)
        out.problems.extend(rec.problems)
        out.notices.extend(rec.notices)
    return out


def _merge_into(out: ApplicantRecord, rec: ApplicantRecord, target: dict[str, Any], incoming: dict[str, Any], path: Path_) -> None:
    for key, value in incoming.items():
        here = (*path, key)
        if key not in target:
            target[key] = value
            continue
        current = target[key]
        if isinstance(current, dict) and isinstance(value, dict):
            _merge_into(out, rec, current, value, here)
        elif current != value:
            first, second = out.locate(here), rec.locate(here)
            out.problems.append(
                Problem(
                    second.file, second.line, format_path(here),
                    f"differs between sheets of the same applicant: {_show(current)} at {first.format()} "
                    f"vs {_show(value)} at {second.format()}; every document must state it identically",
                    "same-applicant", second.cell,
                )
            )


def _show(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else repr(value)
