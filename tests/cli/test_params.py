"""`sc_docs.cli.params`: the one date parser, the document-key type, recognising sc-docs' own outputs."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import click
import pytest

from sc_docs.cli.params import DATE, TemplateKey, made_by_sc_docs


@pytest.mark.parametrize("text", ["2027-02-30", "04/01/2027", "2027-4-1", "tomorrow", ""], ids=repr)
def test_iso_date_refuses_anything_but_yyyy_mm_dd(text: str) -> None:
    with pytest.raises(click.BadParameter, match="is not a date; write it as YYYY-MM-DD"):
        DATE.convert(text, None, None)


def test_iso_date_reads_a_date() -> None:
    assert DATE.convert(" 2027-04-01 ", None, None) == dt.date(2027, 4, 1)
    assert DATE.convert(dt.date(2027, 4, 1), None, None) == dt.date(2027, 4, 1)


def test_template_key_suggests_the_near_miss_and_filters_by_kind() -> None:
    assert TemplateKey().convert("sca", None, None) == "sca"
    with pytest.raises(click.BadParameter, match=r"no document 'sac' in the catalog\. Did you mean 'sca'\?"):
        TemplateKey().convert("sac", None, None)
    with pytest.raises(click.BadParameter, match="'application' is a form, not an agreement"):
        TemplateKey("agreement").convert("application", None, None)


def _docx(last_modified_by: str) -> bytes:
    core = (f'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties">'
            f"<cp:lastModifiedBy>{last_modified_by}</cp:lastModifiedBy></cp:coreProperties>").encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("docProps/core.xml", core)
    return buf.getvalue()


@pytest.mark.parametrize(("name", "data", "ours"), [
    ("a.docx", _docx("sc-docs"), True),
    ("a.docx", _docx("Ana Ruiz"), False),  # saved by a person since
    ("a.docx", b"not a zip", False),
    ("a.pdf", b"%PDF-1.7\n1 0 obj << /Producer (sc\\055docs) >> endobj", True),
    ("a.pdf", b"%PDF-1.7\n1 0 obj << /Producer (LibreOffice 7.6) >> endobj", False),
    ("a.yaml", b"# made by sc-docs\n", False),  # a sheet is what a user fills in
    ("a.xlsx", _docx("sc-docs"), False),
], ids=["docx-ours", "docx-edited", "docx-garbage", "pdf-ours", "pdf-other", "yaml", "xlsx"])
def test_made_by_sc_docs(tmp_path: Path, name: str, data: bytes, ours: bool) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert made_by_sc_docs(path) is ours
    assert made_by_sc_docs(tmp_path / "missing.docx") is False
