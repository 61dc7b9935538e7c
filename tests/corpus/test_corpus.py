"""The bad info sheets corpus: every way a sheet can be wrong, and what sc-docs must say about it.

Each case builds its file in `tmp_path` (only `files/protected.xlsx` is committed, for machines
without msoffcrypto-tool) and states the exit code of `sc-docs validate` and a substring of its
message. Every case is then run through `validate` (in-process and, all at once, as a real
subprocess), `packet` (nothing may be written) and `batch` (the bad applicant fails, a good one
beside it is done). The tally printed at the end counts inputs, clear errors, tracebacks and
corrupt outputs.
"""

from __future__ import annotations

import copy
import io
import json
import os
import random
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.checks import assert_docx_ok
from tests.conftest import EXAMPLES
from tests.corpus.tally import TALLY
from tests.corpus.zips import lying_bomb

SAMPLE = EXAMPLES / "acme-power-and-light.yaml"
BASE: dict[str, Any] = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
HERE = Path(__file__).parent
ROOT = HERE.parent.parent

Maker = Callable[[Path], Path]


@dataclass(frozen=True)
class Case:
    """One bad input: how to make it, and what `sc-docs validate` must answer."""

    name: str
    make: Maker
    code: int
    message: str
    where: str | None = None  # text after the file name that must follow it, e.g. ":37: applicant.x"
    batch: bool = True  # can be an input of `sc-docs batch` beside good sheets


# -- makers -----------------------------------------------------------------------------------

def raw(name: str, data: bytes | Callable[[], bytes]) -> Maker:
    def make(folder: Path) -> Path:
        p = folder / name
        p.write_bytes(data() if callable(data) else data)
        return p
    return make


def changed(change: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    change(data)
    return data


def as_yaml(change: Callable[[dict[str, Any]], Any], name: str = "sheet.yaml") -> Maker:
    return raw(name, lambda: yaml.safe_dump(changed(change), sort_keys=False, allow_unicode=True).encode("utf-8"))


def as_json(change: Callable[[dict[str, Any]], Any], name: str = "sheet.json") -> Maker:
    return raw(name, lambda: json.dumps(changed(change), indent=2).encode("utf-8"))


def as_xlsx(change: Callable[[dict[str, Any]], Any] = lambda d: None, patch: tuple[bytes, bytes] | None = None,
            name: str = "sheet.xlsx") -> Maker:
    """A workbook in the documented layout; `patch` replaces bytes inside its XML parts."""
    def build() -> bytes:
        from sc_docs.sheets.xlsx_source import write_xlsx

        data = write_xlsx(changed(change))
        return data if patch is None else rezip(data, patch)
    return raw(name, build)


def rezip(data: bytes, patch: tuple[bytes, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info).replace(*patch))
    return out.getvalue()


def text_edit(old: str, new: str, name: str = "sheet.yaml") -> Maker:
    """The sample's own text with one edit: keeps comments, plain scalars and line numbers."""
    def build() -> bytes:
        text = SAMPLE.read_text(encoding="utf-8")
        assert old in text
        return text.replace(old, new, 1).encode("utf-8", "surrogateescape")
    return raw(name, build)


def set_at(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return change


def drop(path: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[part]
        del node[last]
    return change


def folder_named(name: str) -> Maker:
    def make(folder: Path) -> Path:
        p = folder / name
        p.mkdir()
        return p
    return make


def symlink_loop(folder: Path) -> Path:
    a, b = folder / "loop.yaml", folder / "loop-b.yaml"
    os.symlink(b.name, a)
    os.symlink(a.name, b)
    return a


def protected_xlsx() -> bytes:
    """A password-protected workbook: made with msoffcrypto-tool when installed, else the committed one."""
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        return (HERE / "files" / "protected.xlsx").read_bytes()
    from sc_docs.sheets.xlsx_source import write_xlsx

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(write_xlsx(BASE))).encrypt("secret", out)
    return out.getvalue()


def many_parts() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for i in range(1_500):
            zf.writestr(f"xl/junk/{i}.xml", b"")
    return out.getvalue()


def expanding() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("xl/sharedStrings.xml", b"\0" * (150 * 1024 * 1024))
    return out.getvalue()


def shared_string_bomb() -> bytes:
    """A workbook whose 100 SCID cells all name one 1 MB shared string: 100 MB of text from 10 KB."""
    from sc_docs.sheets.xlsx_source import write_xlsx

    rows = "".join(f'<row r="{i + 3}"><c r="A{i + 3}" t="inlineStr"><is><t>applicant.scids[{i}]</t></is></c>'
                   f'<c r="B{i + 3}" t="s"><v>0</v></c></row>' for i in range(100))
    sst = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           'count="1" uniqueCount="1"><si><t>' + "X" * 1_000_000 + "</t></si></sst>")
    edits = {
        "xl/worksheets/sheet1.xml": lambda x: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:D102"/>', x).replace("</sheetData>", rows + "</sheetData>"),
        "xl/_rels/workbook.xml.rels": lambda x: x.replace("</Relationships>", '<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/'
                                                           'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
        "[Content_Types].xml": lambda x: x.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                                   'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(write_xlsx({"applicant": {"legal_name": "Acme"}}))) as zin, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            data = zin.read(name)
            zout.writestr(name, edits[name](data.decode("utf-8")).encode("utf-8") if name in edits else data)
        zout.writestr("xl/sharedStrings.xml", sst)
    return out.getvalue()


def stale_dimension() -> bytes:
    """The sample workbook declaring its sheet two rows tall (as many non-Excel writers leave it)."""
    from sc_docs.sheets.xlsx_source import write_xlsx

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(write_xlsx(BASE))) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data, n = re.subn(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:D2"/>', data)
                assert n == 1
            zout.writestr(name, data)
    return out.getvalue()


def alias_text_bomb() -> bytes:
    text = SAMPLE.read_text(encoding="utf-8").replace("  scids: [ACME, ACM2]", "  scids: [" + ", ".join(["*big"] * 100) + "]")
    return (f'big: &big "{"X" * 1_000_000}"\n' + text).encode()


def alias_bomb() -> bytes:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]")
    return ("\n".join(lines) + "\n").encode()


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


SIGNATORY = "name: Margaret A. Chen"
SIGNATORY_LINE = SAMPLE.read_text(encoding="utf-8").splitlines().index(f"    {SIGNATORY}") + 1
CONTROL = [chr(c) for c in [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]]
FIELD_CONTROL = "applicant.signatory.name: contains the invisible control character U+{:04X}"


def control_cases() -> list[Case]:
    """Every XML-illegal control character, as YAML escapes, raw in YAML, JSON escapes, raw in JSON."""
    out = []
    for ch in CONTROL:
        code = ord(ch)
        msg = FIELD_CONTROL.format(code)
        out.append(Case(f"yaml-escaped-U+{code:04X}", as_yaml(set_at("applicant.signatory.name", f"Margaret{ch}Chen")), 1, msg))
        out.append(Case(f"json-escaped-U+{code:04X}", as_json(set_at("applicant.signatory.name", f"Margaret{ch}Chen")), 1, msg))
        if ch == "\x00":  # a raw NUL byte means a binary file, not a pasted character
            out.append(Case("yaml-raw-U+0000", text_edit(SIGNATORY, f"name: Margaret{ch}Chen"), 1, "contains NUL bytes"))
            continue
        out.append(Case(f"yaml-raw-U+{code:04X}", text_edit(SIGNATORY, f"name: Margaret{ch}Chen"), 1, msg,
                        where=f":{SIGNATORY_LINE}: applicant.signatory.name"))
        raw_json = json.dumps(changed(set_at("applicant.signatory.name", "Margaret@@Chen")), indent=2).replace("@@", ch)
        out.append(Case(f"json-raw-U+{code:04X}", raw("sheet.json", raw_json.encode()), 1, msg))
    for ch in ("\x01", "\x07", "\x0b", "\x1f"):
        code = ord(ch)
        out.append(Case(f"xlsx-cell-U+{code:04X}", as_xlsx(patch=(b"Margaret A. Chen", f"Margaret A._x{code:04X}_Chen".encode())), 1,
                        FIELD_CONTROL.format(code), where=":'Info sheet'!B"))
    return out


CASES: list[Case] = [
    # wrong types
    Case("type-name-number", as_yaml(set_at("applicant.legal_name", 12345)), 1, "applicant.legal_name: must be text; got 12345"),
    Case("type-scids-text", as_yaml(set_at("applicant.scids", "ACME")), 1, "applicant.scids: must be a list; got 'ACME'"),
    Case("type-flag-text", as_json(set_at("documents.application.uses_scheduling_agent", "maybe")), 1,
         "documents.application.uses_scheduling_agent: must be true or false; got 'maybe'"),
    Case("type-section-list", as_yaml(set_at("applicant.signatory", ["Margaret"])), 1, "applicant.signatory: must be a section of fields"),
    Case("type-zip-number", text_edit('zip: "95814"', "zip: 95814"), 1, 'must be text; got 95814 (put it in quotes'),
    Case("type-yes-as-text", as_yaml(set_at("applicant.signatory.title", True)), 1, "applicant.signatory.title: must be text; got true"),
    # missing and unknown fields
    Case("missing-legal-name", as_yaml(drop("applicant.legal_name")), 1, "applicant.legal_name: required field is missing"),
    Case("missing-applicant", as_json(drop("applicant")), 1, "applicant: required field is missing"),
    Case("unknown-field", text_edit("legal_name:", "legal_nmae:"), 1, "unknown field 'legal_nmae'; did you mean 'legal_name'?", where=":4: "),
    Case("unknown-section", as_yaml(set_at("documents.xyz", {"effective_date": "2027-01-01"})), 1, "documents.xyz"),
    # domain forms
    Case("po-box", as_yaml(set_at("applicant.legal_address.street.0", "P.O. Box 1200")), 1, "must be a street address, not a P.O. box"),
    Case("scid-lower", as_yaml(set_at("applicant.scids.0", "acme")), 1, "SCID must be a letter followed by three letters or digits"),
    Case("email", as_yaml(set_at("applicant.primary_representative.email", "dana@")), 1, "must be an email address such as name@example.com"),
    Case("phone", as_yaml(set_at("applicant.primary_representative.phone", "555-01")), 1, "must be a US phone number"),
    Case("zip", as_yaml(set_at("applicant.legal_address.zip", "958")), 1, "must be a ZIP code of five digits or ZIP+4"),
    Case("date-us-form", as_yaml(set_at("documents.application.application_date", "12/01/2026")), 1, "must be a date written YYYY-MM-DD"),
    Case("date-impossible", as_yaml(set_at("documents.sca.effective_date", "2027-02-30")), 1, "must be a date written YYYY-MM-DD"),
    Case("date-unquoted-yaml", text_edit('application_date: "2026-12-01"', "application_date: 2026-13-01"), 1, "must be a date written YYYY-MM-DD"),
    # hard characters
    Case("json-lone-surrogate", raw("sheet.json", lambda: json.dumps(changed(set_at("applicant.signatory.name", "@@"))).replace("@@", "Marg\\ud800aret").encode()),
         1, "applicant.signatory.name: contains the invisible control character U+D800"),
    Case("json-surrogate-key", raw("sheet.json", lambda: json.dumps(changed(set_at("applicant.x", 1))).replace('"x"', '"\\udfff"').encode()),
         1, "field name contains a control character"),
    Case("yaml-escape-key", raw("sheet.yaml", lambda: yaml.safe_dump(changed(set_at("applicant.\x1b[31mred", 1))).encode()),
         1, "field name contains a control character"),
    Case("string-1mb", as_yaml(set_at("applicant.legal_name", "A" * 1_000_000)), 1, "is too long: at most 200 characters, got 1,000,000"),
    Case("key-1mb", as_json(set_at("applicant." + "k" * 1_000_000, 1)), 1, "unknown field 'kkkk"),
    Case("scid-list-100k", as_json(set_at("applicant.scids", ["ACME"] * 100_000)), 1, "applicant.scids"),
    # structure
    Case("yaml-deep-flow", raw("sheet.yaml", b"a: " + b"[" * 60_000 + b"]" * 60_000 + b"\n"), 1, "nested more than 40 levels deep", where=":1: "),
    Case("yaml-deep-block", raw("sheet.yaml", b"a:\n" + b"- " * 60_000 + b"x\n"), 1, "nested more than 40 levels deep"),
    Case("json-deep", raw("sheet.json", b"[" * 100_000 + b"]" * 100_000), 1, "nested more than 40 levels deep"),
    Case("json-deep-900", raw("sheet.json", b'{"a": ' + b"[" * 900 + b"]" * 900 + b"}"), 1, "nested more than 40 levels deep"),
    Case("yaml-alias-bomb", raw("sheet.yaml", alias_bomb), 1, "alias bomb"),
    Case("yaml-alias-text-bomb", raw("sheet.yaml", alias_text_bomb), 1, "expands to more than 20,971,520 characters of text"),
    Case("xlsx-shared-string-bomb", raw("sheet.xlsx", shared_string_bomb), 1, "expands to more than 20,971,520 characters of text"),
    Case("xlsx-stale-dimension-ok", raw("sheet.xlsx", stale_dimension), 0, ""),
    Case("yaml-python-tag", raw("sheet.yaml", b"applicant: !!python/object/apply:os.system ['echo pwned']\n"), 1, "custom YAML tag"),
    Case("yaml-custom-tag", raw("sheet.yaml", b"applicant:\n  legal_name: !Ref Name\n"), 1, "custom YAML tag", where=":2: "),
    Case("yaml-merge-key", raw("sheet.yaml", b"x: &x {legal_name: A}\napplicant:\n  <<: *x\n"), 1, "merge keys"),
    Case("yaml-duplicate-key", text_edit("  entity_type: power_marketer\n", "  entity_type: power_marketer\n  entity_type: load_serving_entity\n"), 1,
         "field 'entity_type' appears twice", where=":6: "),
    Case("json-duplicate-key", raw("sheet.json", b'{"applicant": {"legal_name": "A", "legal_name": "B"}}'), 1, "field 'legal_name' appears twice"),
    Case("json-nan", raw("sheet.json", lambda: json.dumps(changed(set_at("documents.application.fee.amount", float("nan")))).encode()), 1, "NaN is not a number"),
    Case("json-infinity", raw("sheet.json", lambda: json.dumps(changed(set_at("documents.application.fee.amount", float("inf")))).encode()), 1, "Infinity is not a number"),
    Case("json-minus-infinity", raw("sheet.json", b'{"applicant": -Infinity}'), 1, "-Infinity is not a number"),
    Case("yaml-nan", text_edit("amount: 7500", "amount: .nan"), 1, "is not a number an info sheet can hold"),
    Case("yaml-inf", text_edit("amount: 7500", "amount: -.inf"), 1, "is not a number an info sheet can hold"),
    Case("yaml-huge-int", text_edit("amount: 7500", "amount: " + "9" * 5000), 1, "is not a number an info sheet can hold"),
    Case("json-huge-int", raw("sheet.json", b'{"applicant": ' + b"9" * 5000 + b"}"), 1, "number too long"),
    Case("yaml-two-documents", raw("sheet.yaml", b"applicant: {}\n---\napplicant: {}\n"), 1, "invalid YAML"),
    Case("yaml-syntax", text_edit("  entity_type: power_marketer", "  entity_type: [power_marketer"), 1, "invalid YAML"),
    Case("yaml-tab-indent", raw("sheet.yaml", b"applicant:\n\tlegal_name: A\n"), 1, "invalid YAML", where=":2: "),
    Case("yaml-complex-key", raw("sheet.yaml", b"? [a, b]\n: 1\n"), 1, "a field name must be plain text"),
    Case("json-truncated", raw("sheet.json", lambda: json.dumps(BASE).encode()[:-20]), 1, "invalid JSON"),
    Case("json-trailing-comma", raw("sheet.json", b'{"applicant": {"legal_name": "A",}}'), 1, "invalid JSON", where=":1: "),
    Case("top-level-list", raw("sheet.yaml", b"- applicant\n- application\n"), 1, "top level must be a section of fields, not a list"),
    Case("top-level-number", raw("sheet.json", b"42"), 1, "top level must be a section of fields, not int"),
    Case("top-level-null", raw("sheet.yaml", b"~\n"), 1, "top level must be a section of fields"),
    # encodings and empties
    Case("empty-yaml", raw("sheet.yaml", b""), 1, "the file is empty"),
    Case("empty-json", raw("sheet.json", b""), 1, "the file is empty"),
    Case("empty-xlsx", raw("sheet.xlsx", b""), 1, "the file is empty"),
    Case("whitespace-only", raw("sheet.yaml", b"  \n\n\t\n"), 1, "invalid YAML"),
    Case("comments-only", raw("sheet.yaml", b"# nothing here yet\n"), 1, "the file is empty"),
    Case("latin-1", text_edit("Sacramento", "Sacramento Caf\udce9"), 1, "is not UTF-8 text (byte 0xe9 at line"),
    Case("utf-16-le", raw("sheet.yaml", lambda: SAMPLE.read_text(encoding="utf-8").encode("utf-16")), 1, "is UTF-16 text"),
    Case("utf-16-be", raw("sheet.json", lambda: b"\xfe\xff" + json.dumps(BASE).encode("utf-16-be")), 1, "is UTF-16 text"),
    Case("utf-16-no-bom", raw("sheet.yaml", lambda: SAMPLE.read_text(encoding="utf-8").encode("utf-16-le")), 1, "contains NUL bytes"),
    Case("utf-32", raw("sheet.yaml", lambda: SAMPLE.read_text(encoding="utf-8").encode("utf-32")), 1, "is UTF-32 text"),
    Case("bom-yaml-ok", raw("sheet.yaml", lambda: b"\xef\xbb\xbf" + SAMPLE.read_bytes()), 0, ""),
    Case("bom-json-ok", raw("sheet.json", lambda: b"\xef\xbb\xbf" + json.dumps(BASE).encode()), 0, ""),
    Case("binary-png", raw("sheet.yaml", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4), 1, "is not UTF-8 text"),
    Case("binary-random", raw("sheet.json", lambda: random.Random(7).randbytes(4096)), 1, "is not UTF-8 text"),
    Case("binary-elf", raw("sheet.yaml", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64), 1, "contains NUL bytes"),
    # files that are not what they claim
    Case("folder-as-file", folder_named("sheet.yaml"), 2, "holds no info sheets"),
    Case("symlink-loop", symlink_loop, 2, "cannot read", batch=False),
    Case("device-dev-zero", lambda folder: Path("/dev/zero"), 2, "is a device or a pipe, not an info sheet file"),
    Case("too-big", raw("sheet.yaml", lambda: b"a: " + b"x" * (20 * 1024 * 1024 + 10) + b"\n"), 2, "info sheets are limited to 20,971,520"),
    Case("csv-renamed-xlsx", raw("sheet.xlsx", b"applicant.legal_name,applicant.scids[0]\nAcme,ACME\n"), 1, "not a readable .xlsx workbook"),
    Case("docx-renamed-xlsx", raw("sheet.xlsx", docx_bytes), 1, "not a readable .xlsx workbook"),
    Case("password-xlsx", raw("sheet.xlsx", protected_xlsx), 1, "encrypted (password-protected)"),
    Case("truncated-xlsx", raw("sheet.xlsx", lambda: as_xlsx_bytes()[:2000]), 1, "not a readable .xlsx workbook"),
    Case("xlsx-many-parts", raw("sheet.xlsx", many_parts), 1, "parts, more than 1,000"),
    Case("xlsx-zip-bomb", raw("sheet.xlsx", expanding), 1, "a zip bomb"),
    Case("xlsx-lying-bomb", raw("sheet.xlsx", lambda: lying_bomb(as_xlsx_bytes(), "xl/workbook.xml", 64)), 1,
         "the workbook is damaged: part xl/workbook.xml"),
    Case("xlsx-no-info-sheet", as_xlsx(patch=(b'name="Info sheet"', b'name="Sheet1"')), 1, "has no worksheet named 'Info sheet'"),
    Case("xlsx-bad-field-path", as_xlsx(patch=(b">applicant.legal_name<", b">applicant..legal name<")), 1, "is not a field path"),
    Case("xlsx-field-twice", as_xlsx(patch=(b">applicant.entity_type<", b">applicant.legal_name<")), 1, "is given twice"),
    Case("xlsx-xlsx-as-yaml", raw("sheet.yaml", lambda: as_xlsx_bytes()), 1, "is not UTF-8 text"),
    *control_cases(),
]


def as_xlsx_bytes() -> bytes:
    from sc_docs.sheets.xlsx_source import write_xlsx

    return write_xlsx(BASE)


IDS = [c.name for c in CASES]
assert len(set(IDS)) == len(IDS), "case names must be unique"


def build(case: Case, tmp_path: Path) -> Path:
    folder = tmp_path / case.name
    folder.mkdir()
    return case.make(folder)


def names_file(output: str, path: Path, case: Case) -> bool:
    where = f"{path}{case.where}" if case.where else str(path)
    return where in output


# -- validate ---------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_validate(case: Case, tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    path = build(case, tmp_path)
    TALLY["tried"] += 1
    try:
        result = run("validate", path)
    except Exception:
        TALLY["tracebacks"] += 1
        raise
    output = result.stdout + result.stderr
    assert result.exit_code == case.code, output[:2000]
    if case.code:
        assert case.message in output, output[:2000]
        assert names_file(output, path, case), output[:2000]
        assert len(output) < 20_000, "messages must stay short whatever the input"
        TALLY["clear"] += 1


def test_every_message_reads_in_json_and_as_a_real_process(tmp_path: Path) -> None:
    """One `sc-docs validate` subprocess over the whole corpus: no traceback, every file named."""
    paths = [build(c, tmp_path) for c in CASES]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict", "LC_ALL": "C.UTF-8"}
    for fmt in ("text", "json"):
        proc = subprocess.run([sys.executable, "-m", "sc_docs", "validate", "--format", fmt, *map(str, paths)],
                              capture_output=True, cwd=ROOT, env=env, timeout=600, check=False)
        TALLY["tried"] += len(paths)
        stdout, stderr = proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
        if "Traceback" in stderr:
            TALLY["tracebacks"] += 1
        assert "Traceback" not in stderr, stderr[-3000:]
        assert proc.returncode == 2, stderr[-2000:]
        if fmt == "json":
            problems = json.loads(stdout)
            files = {p["file"] for p in problems}
        else:
            # A file that cannot be read at all is an `Error: FILE: reason` line on stderr.
            errors = [line.removeprefix("Error: ") for line in stderr.splitlines() if line.startswith("Error: ")]
            files = {line.split(":", 1)[0] for line in stdout.splitlines() + errors}
        missing = [c.name for c, p in zip(CASES, paths) if c.code and str(p) not in files]
        assert not missing, missing
        TALLY["clear"] += sum(1 for c in CASES if c.code)
        assert "\x1b" not in stdout, "control characters must not reach the terminal"


# -- packet -----------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_packet_writes_nothing(case: Case, tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    path = build(case, tmp_path)
    out = tmp_path / "out"
    TALLY["tried"] += 1
    try:
        result = run("packet", path, "-o", out)
    except Exception:
        TALLY["tracebacks"] += 1
        raise
    output = result.stdout + result.stderr
    if case.code == 0:
        assert result.exit_code == 0, output
        for doc in out.rglob("*.docx"):
            try:
                assert_docx_ok(doc.read_bytes())
            except AssertionError:
                TALLY["corrupt"] += 1
                raise
        return
    written = [p for p in out.rglob("*") if p.is_file()] if out.exists() else []
    if written:
        TALLY["corrupt"] += 1
    assert not written, written
    assert result.exit_code in (1, 2), output[:2000]
    expected = 2 if case.code == 2 else 1
    assert result.exit_code == expected, output[:2000]
    assert str(path) in output or path.name in output, output[:2000]
    assert len(output) < 20_000
    TALLY["clear"] += 1


# -- fill --applicant and render --------------------------------------------------------------

@pytest.mark.parametrize("command", ["fill", "render"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_single_document_commands_write_nothing(case: Case, command: str, tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    """`sc-docs fill --applicant SHEET` and `sc-docs render KEY SHEET` read sheets too: the same
    refusals, and no document written."""
    from tests.checks import assert_pdf_ok

    path = build(case, tmp_path)
    out = tmp_path / ("form.pdf" if command == "fill" else "sca.docx")
    TALLY["tried"] += 1
    try:
        result = run("fill", "--applicant", path, "-o", out) if command == "fill" else run("render", "sca", path, "-o", out)
    except Exception:
        TALLY["tracebacks"] += 1
        raise
    output = result.stdout + result.stderr
    if case.code == 0:
        assert result.exit_code == 0, output
        try:
            assert_pdf_ok(out.read_bytes()) if command == "fill" else assert_docx_ok(out.read_bytes())
        except AssertionError:
            TALLY["corrupt"] += 1
            raise
        return
    if out.exists():
        TALLY["corrupt"] += 1
    assert not out.exists()
    assert result.exit_code == (2 if case.code == 2 else 1), output[:2000]
    assert str(path) in output, output[:2000]
    assert len(output) < 20_000
    if case.batch:  # otherwise click's own check of the path speaks first ("does not exist")
        assert case.message in output, output[:2000]
    TALLY["clear"] += 1


# -- batch ------------------------------------------------------------------------------------

def test_batch_fails_each_bad_applicant_and_makes_the_good_ones(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    cases = [c for c in CASES if c.batch]
    paths = [build(c, tmp_path) for c in cases]
    out = tmp_path / "out"
    TALLY["tried"] += len(paths)
    try:
        result = run("batch", SAMPLE, *paths, "-o", out, "-j", "2", "--quiet", "--format", "json")
    except Exception:
        TALLY["tracebacks"] += 1
        raise
    assert result.exit_code == 1, result.stderr[-2000:]
    report = json.loads((out / "batch-report.json").read_text(encoding="utf-8"))
    by_source = {e["source"]: e for e in report["entries"]}
    assert by_source[str(SAMPLE)]["status"] == "done"
    wrong = []
    for case, path in zip(cases, paths):
        entry = by_source.get(str(path))
        if entry is None:
            wrong.append((case.name, "no entry"))
            continue
        said = (entry.get("reason") or "") + "\n".join(entry.get("problems") or [])
        want = "done" if case.code == 0 else "failed"
        if entry["status"] != want or (case.code and case.message not in said) or "internal error" in said:
            wrong.append((case.name, entry["status"], said[:300]))
        elif case.code:
            TALLY["clear"] += 1
    assert not wrong, wrong
    for zipped in out.glob("*.zip"):
        with zipfile.ZipFile(zipped) as zf:
            for name in zf.namelist():
                if name.endswith(".docx"):
                    try:
                        assert_docx_ok(zf.read(name))
                    except AssertionError:
                        TALLY["corrupt"] += 1
                        raise
    done = {e["slug"] for e in report["entries"] if e["status"] == "done"}
    assert {p.name for p in out.iterdir() if p.is_dir()} == done


def test_batch_with_an_unreadable_input_is_a_usage_error_naming_it(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    """Inputs are checked before any work starts: a symlink loop stops the batch with exit 2."""
    loop = symlink_loop(tmp_path)
    TALLY["tried"] += 1
    result = run("batch", SAMPLE, loop, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert str(loop) in result.stderr
    assert not (tmp_path / "out").exists()
    TALLY["clear"] += 1


def test_corpus_covers_the_brief() -> None:
    """The corpus keeps one case for each kind of bad input the hardening brief lists."""
    kinds = ["type-", "missing-", "unknown-field", "po-box", "scid", "email", "phone", "zip", "date-", "yaml-raw-U+000B",
             "json-escaped-U+001F", "xlsx-cell-", "json-lone-surrogate", "string-1mb", "deep", "alias-bomb", "custom-tag",
             "json-duplicate-key", "nan", "infinity", "latin-1", "empty-", "folder-as-file", "csv-renamed-xlsx",
             "password-xlsx", "utf-16", "bom-", "binary-", "symlink-loop"]
    assert not [k for k in kinds if not any(k in name for name in IDS)]
    assert len(CONTROL) == 29


# -- CSV rosters ------------------------------------------------------------------------------

def _flat(data: Any, path: tuple[Any, ...] = ()) -> dict[str, Any]:
    from sc_docs.sheets.record import format_path

    if isinstance(data, dict):
        return {k: v for key, val in data.items() for k, v in _flat(val, (*path, key)).items()}
    if isinstance(data, list):
        return {k: v for i, val in enumerate(data) for k, v in _flat(val, (*path, i)).items()}
    return {format_path(path): data}


ROSTER_ROWS: list[tuple[str, Callable[[dict[str, Any]], None], str | None]] = [
    ("good", lambda row: None, None),
    ("huge-cell", lambda row: row.update({"applicant.legal_name": "A" * 300_000}), "is too long"),
    ("control", lambda row: row.update({"applicant.signatory.name": "Margaret\x07Chen"}), "U+0007"),
    ("nul", lambda row: row.update({"applicant.signatory.name": "Margaret\x00Chen"}), "U+0000"),
    ("escape", lambda row: row.update({"applicant.signatory.title": "CEO\x1b[2J"}), "U+001B"),
    ("good-again", lambda row: None, None),
]


def test_roster_rows_fail_alone(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    """In a CSV roster, a row that cannot be used fails that applicant; the rows after it are made."""
    import csv

    base = _flat(BASE)
    header = sorted(base)
    roster = tmp_path / "roster.csv"
    with roster.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for i, (_, change, _) in enumerate(ROSTER_ROWS):
            row = dict(base)
            row["applicant.legal_name"] = f"{row['applicant.legal_name']} {i}"
            change(row)
            writer.writerow(["true" if row.get(h) is True else "false" if row.get(h) is False else row.get(h, "") for h in header])
        fh.write('"an unclosed quote,' + "x" * 10 + "\n")
    out = tmp_path / "out"
    TALLY["tried"] += len(ROSTER_ROWS) + 1
    result = run("batch", roster, "-o", out, "-j", "1", "--quiet")
    assert result.exit_code == 1, result.stderr
    report = json.loads((out / "batch-report.json").read_text(encoding="utf-8"))
    by_line = {int(e["source"].rsplit(":", 1)[1]): e for e in report["entries"]}
    for i, (name, _, message) in enumerate(ROSTER_ROWS):
        entry = by_line[i + 2]
        said = (entry.get("reason") or "") + "\n".join(entry.get("problems") or [])
        if message is None and name.startswith("good"):
            assert entry["status"] == "done", (name, said)
        else:
            assert entry["status"] == "failed", (name, said)
            if message:
                assert message in said, (name, said)
            TALLY["clear"] += 1
        assert "\x1b" not in said and "\x00" not in said
    assert len(report["entries"]) == len(ROSTER_ROWS) + 1  # the unclosed quote is the last, failed entry
    assert report["done"] == 2
