"""Hostile files given to the form commands, and workbooks that lie about their size.

`sc-docs fields` and `sc-docs fill` take any PDF a user brings: every broken or locked one must
be refused with exit 1 or 2, a message naming the file, and no traceback.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.checks import assert_pdf_ok
from tests.conftest import EXAMPLES
from tests.corpus.isolate import run_isolated
from tests.engines import pdf_builders as build

PAGE = [
    b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots [4 0 R] >>",
]
FIELD = b"<< /T (name) /FT /Tx /Subtype /Widget /Rect [0 0 100 20] /P 3 0 R"


def minimal_pdf(objects: list[bytes]) -> bytes:
    """Return a PDF holding `objects` (numbered from 1, object 1 the catalog) with a correct xref."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def flate_bomb() -> bytes:
    data = zlib.compress(b"\0" * (64 * 1024 * 1024), 9)
    stream = b"<< /Length %d /Filter /FlateDecode /Type /XObject /Subtype /Form /BBox [0 0 100 20] >>\nstream\n" % len(data)
    return minimal_pdf([*PAGE, FIELD + b" /AP << /N 5 0 R >> >>", stream + data + b"\nendstream"])


FORM: Callable[[], bytes] = build.reportlab_form

BROKEN: dict[str, tuple[Callable[[], bytes], int, str]] = {
    "empty": (lambda: b"", 2, "not a PDF file"),
    "text": (lambda: b"name,value\nAcme,1\n", 2, "not a PDF file"),
    "docx": (lambda: b"PK\x03\x04" + b"\0" * 200, 2, "not a PDF file"),
    "truncated-half": (lambda: FORM()[: len(FORM()) // 2], 2, "truncated"),
    "truncated-tail": (lambda: FORM()[:-100], 2, "truncated"),
    "garbage-body": (lambda: b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n", 2, "cannot read the PDF"),
    "no-xref": (lambda: b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n", 2, "cannot read the PDF"),
    "user-password": (lambda: build.encrypted(FORM(), user="user-secret"), 2, "needs a password"),
    "deep-array": (lambda: minimal_pdf([*PAGE, FIELD + b" /V " + b"[" * 50_000 + b"]" * 50_000 + b" >>"]), 2, "cannot read the PDF"),
}


@pytest.fixture
def values(tmp_path: Path) -> Path:
    p = tmp_path / "values.json"
    p.write_text(json.dumps({"name": "Acme Power & Light, LLC"}), encoding="utf-8")
    return p


@pytest.mark.parametrize("kind", list(BROKEN), ids=list(BROKEN))
@pytest.mark.parametrize("command", ["fields", "fill"])
def test_broken_or_locked_forms_are_refused(kind: str, command: str, tmp_path: Path, values: Path, run) -> None:  # type: ignore[no-untyped-def]
    make, code, message = BROKEN[kind]
    form = tmp_path / f"{kind}.pdf"
    form.write_bytes(make())
    out = tmp_path / "out.pdf"
    args = ["fields", form] if command == "fields" else ["fill", form, values, "-o", out]
    result = run(*args)
    assert result.exit_code == code, result.stderr
    assert result.stderr.startswith(f"Error: {form}: "), result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr) < 2_000
    assert not out.exists()


@pytest.mark.parametrize("command", ["fields", "fill"])
def test_a_folder_or_a_missing_file_is_a_usage_error(command: str, tmp_path: Path, values: Path, run) -> None:  # type: ignore[no-untyped-def]
    for target in (tmp_path, tmp_path / "missing.pdf"):
        args = ["fields", target] if command == "fields" else ["fill", target, values, "-o", tmp_path / "o.pdf"]
        result = run(*args)
        assert result.exit_code == 2, result.stderr
        assert str(target.name) in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("objects", "expect_fields"),
    [
        ([*PAGE, b"<< /T (name) /FT /Tx /Kids [4 0 R] >>"], False),
        ([*PAGE, FIELD + b" /Parent 5 0 R >>", b"<< /T (p) /Parent 5 0 R /Kids [4 0 R] >>"], True),
        ([*PAGE, FIELD + b" /MK " + b"<< /A " * 5_000 + b"1" + b" >>" * 5_000 + b" >>"], True),
    ],
    ids=["kids-cycle", "parent-cycle", "deep-dict"],
)
def test_cyclic_and_deep_forms_end_cleanly(objects: list[bytes], expect_fields: bool, tmp_path: Path, values: Path, run) -> None:  # type: ignore[no-untyped-def]
    form = tmp_path / "form.pdf"
    form.write_bytes(minimal_pdf(objects))
    listed = run("fields", form)
    assert listed.exit_code == 0 and ("name" in listed.stdout) == expect_fields
    out = tmp_path / "out.pdf"
    filled = run("fill", form, values, "-o", out)
    assert filled.exit_code in (0, 1), filled.stderr
    assert "Traceback" not in filled.stderr
    if filled.exit_code == 0:  # the input's own cycle stays in the output: render it instead
        assert_pdf_ok(out.read_bytes(), fields=False, render=True)
    else:
        assert filled.stderr.startswith(f"Error: {form}: ") and not out.exists()


def test_compressed_appearance_bomb_is_not_inflated(tmp_path: Path, values: Path, run) -> None:  # type: ignore[no-untyped-def]
    """A 64 MiB appearance stream compressed to 64 KB: filling replaces it without expanding it."""
    (tmp_path / "bomb.pdf").write_bytes(flate_bomb())
    report = run_isolated(f"""
        from sc_docs.cli import main
        def work():
            code = main(["fill", {str(tmp_path / 'bomb.pdf')!r}, {str(values)!r}, "-o", {str(tmp_path / 'out.pdf')!r}])
            if code:
                raise SystemExit(code)
    """, memory_mb=2048, timeout=120)
    assert report["error"] is None, report
    assert float(report["peak_growth_mb"]) < 60, report
    assert_pdf_ok((tmp_path / "out.pdf").read_bytes(), render=True)


def test_workbook_that_lies_about_its_size_is_refused_without_expanding(tmp_path: Path) -> None:
    """Headers declare 1,000 bytes, the part inflates to 256 MiB: refused in bounded memory."""
    base = yaml.safe_load((EXAMPLES / "acme-power-and-light.yaml").read_text(encoding="utf-8"))
    sheet = tmp_path / "bomb.xlsx"
    from sc_docs.sheets.xlsx_source import write_xlsx
    from tests.corpus.zips import lying_bomb

    sheet.write_bytes(lying_bomb(write_xlsx(base), "xl/workbook.xml", 256))
    report = run_isolated(f"""
        import sc_docs
        def work():
            sc_docs.load_applicant({str(sheet)!r})
    """, memory_mb=2048, timeout=120)
    assert report["error"] == "SheetError", report
    assert "the workbook is damaged: part xl/workbook.xml" in str(report["message"])
    assert float(report["peak_growth_mb"]) < 100, report


def _cli_report(args: list[str]) -> dict[str, object]:
    return run_isolated(f"""
        from sc_docs.cli import main
        def work():
            raise SystemExit(main({args!r}))
    """, memory_mb=1024, timeout=60)


def test_fields_on_an_endless_device_is_refused() -> None:
    """A device or pipe reports size 0 and never ends: read up to the limit, then refuse."""
    report = _cli_report(["fields", "/dev/zero"])
    assert report["error"] == "SystemExit" and report["message"] == "2", report
    assert float(report["peak_growth_mb"]) < 400, report  # type: ignore[arg-type]


def test_fill_with_endless_values_is_refused(tmp_path: Path) -> None:
    form = tmp_path / "form.pdf"
    form.write_bytes(FORM())
    report = _cli_report(["fill", str(form), "/dev/zero", "-o", str(tmp_path / "out.pdf")])
    assert report["error"] == "SystemExit" and report["message"] in ("1", "2"), report
    assert not (tmp_path / "out.pdf").exists()


def test_stdin_beyond_the_size_limit_is_refused_not_cut(run) -> None:  # type: ignore[no-untyped-def]
    result = run("validate", "-", input=b"a: " + b"x" * (20 * 1024 * 1024 + 10) + b"\n")
    assert result.exit_code == 2
    assert "<stdin>: is larger than 20,971,520 bytes" in result.stdout + result.stderr


def test_a_dead_link_in_an_applicant_folder_is_reported_not_skipped(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "acme"
    folder.mkdir()
    (folder / "a-sheet.yaml").write_bytes((EXAMPLES / "acme-power-and-light.yaml").read_bytes())
    (folder / "loop.yaml").symlink_to("loop.yaml")
    (folder / "gone.json").symlink_to(tmp_path / "deleted.json")
    result = run("validate", folder)
    assert result.exit_code == 2
    output = result.stdout + result.stderr
    assert f"{folder / 'gone.json'}: no such file" in output or f"{folder / 'loop.yaml'}: cannot read" in output
    out = tmp_path / "out"
    result = run("batch", folder, "-o", out, "-j", "1", "--quiet")
    report = json.loads((out / "batch-report.json").read_text(encoding="utf-8"))
    assert {Path(e["source"]).name: e["status"] for e in report["entries"]} == {"a-sheet.yaml": "done", "gone.json": "failed", "loop.yaml": "failed"}
