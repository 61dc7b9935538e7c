"""Hostile DOCX templates: injection, resource abuse, XXE and zip tricks.

The engine's own tests (`tests/engines/test_docx.py`) cover its sandbox and package checks one by
one; these tests come at it as an attacker would, through `render_docx` and through the workflow
path a user template takes (a pro forma folder loaded with `load_catalog(folder)` and rendered by
`sc_docs.catalog.makers.make`). No CLI command takes a user DOCX template yet; when one is
added, `test_hostile_user_template_through_the_catalog` should drive it too.

Resource abuse runs in a child process with a memory cap (`tests/corpus/isolate.py`).
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
import yaml

from sc_docs.engines.docx import compile_template, render_docx
from sc_docs.errors import ScDocsError, TemplateError
from tests.checks import assert_docx_ok
from tests.conftest import EXAMPLES
from tests.corpus.isolate import run_isolated
from tests.corpus.zips import lying_bomb

RECORD = yaml.safe_load((EXAMPLES / "acme-power-and-light.yaml").read_text(encoding="utf-8"))
CONTEXT = {"applicant": {"legal_name": "Acme"}, "agreement": {"effective_date": "2027-01-01"}}


def template(*paragraphs: str) -> bytes:
    d = docx.Document()
    for text in paragraphs:
        d.add_paragraph(text)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


INJECTIONS = [
    ("mro", "{{ ''.__class__.__mro__ }}", "sandbox"),
    ("cycler-globals", "{{ cycler.__init__.__globals__ }}", "sandbox"),
    ("joiner-os", "{{ joiner.__init__.__globals__.os.popen('id').read() }}", "sandbox"),
    ("include-passwd", "{% include '/etc/passwd' %}", "not supported"),
    ("import", "{% import '/etc/passwd' as p %}", "not supported"),
    ("extends", "{% extends '/etc/passwd' %}", "not supported"),
    ("self-init", "{{ self.__init__ }}", "sandbox"),
    ("self-module", "{{ self._TemplateReference__context }}", "sandbox"),
    ("lipsum-globals", "{{ lipsum.__globals__ }}", "sandbox"),
    ("config", "{{ config }}", "undefined variable 'config'"),
    ("request", "{{ request.environ }}", "undefined variable 'request"),
    ("format-attr", "{{ '{0.__class__}'.format(applicant) }}", "sandbox"),
    ("format-filter", "{{ '%s'|format(applicant.__class__) }}", "sandbox"),
    ("attr-filter", "{{ applicant|attr('__class__') }}", "sandbox"),
    ("getitem-dunder", "{{ applicant['__class__'] }}", "sandbox"),
    ("range-list", "{{ range(10**9)|list }}", "MAX_RANGE"),
    ("autoescape-off", "{% autoescape false %}{{ applicant.legal_name }}{% endautoescape %}", "not supported"),
    ("safe-filter", "{{ applicant.legal_name|safe }}", "No filter named 'safe'"),
    ("raw-xml", "{{ '</w:t></w:r></w:p><w:p><w:r><w:t>injected' }}", None),
]


@pytest.mark.parametrize(("expression", "expected"), [(e, m) for _, e, m in INJECTIONS], ids=[i for i, _, _ in INJECTIONS])
def test_injection_is_refused_or_inert(expression: str, expected: str | None) -> None:
    tpl = template("Between {{ applicant.legal_name }} and", "x " + expression + " y")
    if expected is None:  # markup in a template literal is escaped text, never XML
        out = render_docx(tpl, CONTEXT)
        text = assert_docx_ok(out)
        body = zipfile.ZipFile(io.BytesIO(out)).read("word/document.xml").decode("utf-8")
        assert "&lt;/w:t&gt;&lt;/w:r&gt;&lt;/w:p&gt;" in body and "&lt;w:p&gt;&lt;w:r&gt;&lt;w:t&gt;injected" in body
        assert body.count("<w:p>") + body.count("<w:p ") == 2  # no paragraph was opened by the literal
        assert "injected y" in text
        return
    with pytest.raises(TemplateError) as err:
        render_docx(tpl, CONTEXT)
    message = str(err.value)
    assert expected in message
    assert "word/document.xml, paragraph 2" in message
    assert "Traceback" not in message


def test_values_are_data_never_template() -> None:
    """Tags typed into a sheet value print as text: the data is never evaluated."""
    hostile = "{{ cycler.__init__.__globals__ }}{% include '/etc/passwd' %}<w:p/>&amp;"
    out = render_docx(template("Name: {{ applicant.legal_name }}"), {"applicant": {"legal_name": hostile}})
    assert f"Name: {hostile}" in assert_docx_ok(out)


def _user_catalog(tmp_path: Path, paragraphs: list[str]) -> Path:
    """A pro forma folder like the bundled one, whose SCA template is a user's hostile DOCX."""
    from sc_docs.paths import pro_forma_dir

    folder = tmp_path / "pro_forma"
    shutil.copytree(pro_forma_dir() / "sca", folder / "sca")
    (folder / "sca" / "template.docx").write_bytes(template(*paragraphs))
    return folder


@pytest.mark.parametrize("expression", ["{{ cycler.__init__.__globals__ }}", "{% include '/etc/passwd' %}", "{{ config.items() }}"],
                         ids=["globals", "include", "config"])
def test_hostile_user_template_through_the_catalog(tmp_path: Path, expression: str) -> None:
    from sc_docs.catalog import load_catalog
    from sc_docs.catalog.makers import make
    from sc_docs.packet import build_packet
    from sc_docs.sheets import ApplicantRecord

    catalog = load_catalog(_user_catalog(tmp_path, ["{{ applicant.legal_name }}", expression]))
    entry = catalog.get("sca")
    with pytest.raises(TemplateError, match="paragraph 2"):
        make(entry, RECORD, dt.date(2027, 1, 1))
    # the user's catalog holds only sca: the record's other sections are not its documents
    data = {**RECORD, "documents": {"sca": RECORD["documents"]["sca"]}}
    record = ApplicantRecord(data=data, sources=["acme.yaml"])
    with pytest.raises(ScDocsError, match="paragraph 2"):
        build_packet(record, only=["sca"], catalog=catalog)


# -- resource abuse ---------------------------------------------------------------------------

ABUSE = {
    "string-repeat": "{{ 'a' * 10**10 }}",
    "list-repeat": "{{ [0] * 10**10 }}",
    "center-filter": "{{ 'x'|center(10**10) }}",
    "power": "{{ 7**(7**9) }}",
    "nested-loops": "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
}


def _abuse_report(expression: str) -> dict[str, object]:
    return run_isolated(f"""
        import io, docx
        from sc_docs.engines.docx import render_docx
        d = docx.Document()
        d.add_paragraph("x " + {expression!r} + " y")
        buf = io.BytesIO()
        d.save(buf)
        def work():
            render_docx(buf.getvalue(), {{}})
    """, memory_mb=1536, timeout=15)


def test_range_abuse_is_refused_cheaply() -> None:
    report = _abuse_report("{{ range(10**9)|list }}")
    assert report["error"] == "TemplateError" and "MAX_RANGE" in str(report["message"])
    assert report["peak_growth_mb"] is not None and float(report["peak_growth_mb"]) < 100  # type: ignore[arg-type]


@pytest.mark.parametrize("expression", list(ABUSE.values()), ids=list(ABUSE))
def test_resource_abuse_is_refused_before_allocating(expression: str) -> None:
    report = _abuse_report(expression)
    assert report["error"] == "TemplateError", report
    assert "MemoryError" not in str(report["message"]), report
    assert float(report["peak_growth_mb"] or 0) < 200, report  # type: ignore[arg-type]


# -- XML and zip tricks -------------------------------------------------------------------------

XXE = '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>'


def _with_document(data: bytes, raw: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, raw if info.filename == "word/document.xml" else zin.read(info))
    return out.getvalue()


def _xxe_document(encoding: str, bom: bool) -> bytes:
    data = template("hello {{ x }}")
    doc = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    cut = doc.index("?>") + 2
    doc = (doc[:cut] + XXE + doc[cut:]).replace("hello", "hello &xxe;")
    raw = doc.replace('encoding="UTF-8"', f'encoding="{encoding}"').encode(encoding)
    if bom:
        raw = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff", "utf-32-le": b"\xff\xfe\x00\x00"}[encoding] + raw
    return _with_document(data, raw)


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", False), ("utf-16-le", True), ("utf-16-be", True)],
                         ids=["utf-8", "utf-16-le-bom", "utf-16-be-bom"])
def test_xxe_is_refused_before_parsing(encoding: str, bom: bool) -> None:
    with pytest.raises(TemplateError, match="DTD"):
        compile_template(_xxe_document(encoding, bom))


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le"])
def test_xxe_without_a_bom_is_refused(encoding: str) -> None:
    with pytest.raises(TemplateError, match="DTD"):
        compile_template(_xxe_document(encoding, bom=False))


def test_lying_zip_bomb_is_refused_before_expanding() -> None:
    report = run_isolated("""
        import io, docx
        from sc_docs.engines.docx import compile_template
        from tests.corpus.zips import lying_bomb
        d = docx.Document()
        d.add_paragraph("hello")
        buf = io.BytesIO()
        d.save(buf)
        bomb = lying_bomb(buf.getvalue(), "word/document.xml", 256)
        def work():
            compile_template(bomb)
    """, memory_mb=3072, timeout=120)
    assert report["error"] == "TemplateError", report
    assert float(report["peak_growth_mb"] or 0) < 100, report  # type: ignore[arg-type]


def test_lying_bomb_helper_makes_what_it_says() -> None:
    """The bomb used above is small on disk, declares 1,000 bytes, and fails its CRC when read."""
    base = template("hello")
    bomb = lying_bomb(base, "word/media/blob.bin", 8)
    assert len(bomb) < len(base) + 64 * 1024
    with zipfile.ZipFile(io.BytesIO(bomb)) as zf:
        assert zf.getinfo("word/media/blob.bin").file_size == 1000
        with pytest.raises(zipfile.BadZipFile, match="CRC"), zf.open("word/media/blob.bin") as fh:
            while fh.read(1 << 16):
                pass


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: b"", "DOCX"),
        (lambda: b"%PDF-1.7\n" + b"0" * 100, "not a DOCX"),
        (lambda: template("x {{ y }}")[:700], "DOCX"),
        (lambda: template("x {{ y }}")[:-30], "DOCX"),
        (lambda: b"PK\x05\x06" + b"\0" * 18, "DOCX"),
    ],
    ids=["empty", "pdf", "truncated-head", "truncated-tail", "empty-zip"],
)
def test_broken_packages_are_template_errors(make, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TemplateError, match=message):
        compile_template(make())
