"""The DOCX engine's disk cache of compiled templates: used when sound, ignored on any doubt,
and never a cause of different output."""

from __future__ import annotations

import base64
import datetime as dt
import json
import marshal
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sc_docs.engines.docx import diskcache
from sc_docs.engines.docx._props import CoreWriter, core_xml
from sc_docs.engines.docx.cache import compile_fresh

from tests.engines.test_docx import make_docx

ROOT = Path(__file__).resolve().parents[2]
CONTEXT: dict[str, Any] = {
    "applicant": {"legal_name": "Acme Power & Light, LLC", "state": "Delaware"},
    "scids": [{"id": "ACME1"}, {"id": "ACME2"}],
}
TEMPLATE = make_docx(
    [
        "Agreement with {{ applicant.legal_name }} of {{ applicant.state }}.",
        "{%p for s in scids %}",
        "SCID {{ s.id }}",
        "{%p endfor %}",
    ],
    header="{{ applicant.legal_name|upper }}",
)
PROPS: dict[str, Any] = {
    "core_properties": {"title": "SCA - Acme", "created": dt.datetime(2027, 1, 4, tzinfo=dt.timezone.utc)},
    "custom_properties": {"sc-docs.template": "sca"},
}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SC_DOCS_CACHE_DIR", str(folder))
    monkeypatch.delenv("SC_DOCS_NO_CACHE", raising=False)
    return folder


def expected() -> bytes:
    os.environ["SC_DOCS_NO_CACHE"] = "1"
    try:
        return compile_fresh(TEMPLATE).render(CONTEXT, **PROPS)
    finally:
        del os.environ["SC_DOCS_NO_CACHE"]


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json"))


def test_second_compile_comes_from_the_cache_with_identical_output(cache: Path) -> None:
    first = compile_fresh(TEMPLATE)
    assert not first.restored
    assert len(entries(cache)) == 1
    assert stat.S_IMODE((cache / "key").stat().st_mode) == 0o600 or os.name != "posix"
    second = compile_fresh(TEMPLATE)
    assert second.restored
    assert first.render(CONTEXT, **PROPS) == second.render(CONTEXT, **PROPS) == expected()
    assert second.variables() == first.variables()
    assert second.missing({}) == first.missing({})


def test_a_restored_template_reports_errors_as_a_compiled_one(cache: Path) -> None:
    compile_fresh(TEMPLATE)
    restored = compile_fresh(TEMPLATE, "sca.docx")
    assert restored.restored
    with pytest.raises(Exception) as err:
        restored.render({"applicant": {"legal_name": "X"}, "scids": []})
    assert "applicant.state" in str(err.value) and "paragraph 1" in str(err.value)


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2],  # truncated
        lambda b: b"",  # empty
        lambda b: b"\x00\xff garbage",  # not ours at all
        lambda b: b.replace(b"Agreement with", b"Agreement w1th"),  # tampered body, old signature
        lambda b: b"0" * 64 + b.partition(b"\n")[1] + b.partition(b"\n")[2],  # forged signature
    ],
    ids=["truncated", "empty", "garbage", "tampered", "forged"],
)
def test_a_damaged_entry_is_ignored_and_output_is_unchanged(cache: Path, damage: Any) -> None:
    compile_fresh(TEMPLATE)
    (entry,) = entries(cache)
    entry.write_bytes(damage(entry.read_bytes()))
    again = compile_fresh(TEMPLATE)
    assert not again.restored
    assert again.render(CONTEXT, **PROPS) == expected()


def test_tampered_code_never_runs(cache: Path, tmp_path: Path) -> None:
    compile_fresh(TEMPLATE)
    (entry,) = entries(cache)
    witness = tmp_path / "ran"
    mac, _, body = entry.read_bytes().partition(b"\n")
    payload = json.loads(body)
    part = payload["parts"][0]
    evil = compile(f"open({str(witness)!r}, 'w')", f"<{part['name']}>", "exec")
    part["code"] = base64.b64encode(marshal.dumps(evil)).decode("ascii")
    entry.write_bytes(mac + b"\n" + json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode())
    again = compile_fresh(TEMPLATE)
    assert not again.restored
    assert again.render(CONTEXT, **PROPS) == expected()
    assert not witness.exists()


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_key_others_can_read_is_not_trusted(cache: Path) -> None:
    compile_fresh(TEMPLATE)
    (cache / "key").chmod(0o644)
    again = compile_fresh(TEMPLATE)
    assert not again.restored
    assert again.render(CONTEXT, **PROPS) == expected()


def test_an_unusable_cache_folder_still_gives_the_same_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("SC_DOCS_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.delenv("SC_DOCS_NO_CACHE", raising=False)
    for _ in range(2):
        compiled = compile_fresh(TEMPLATE)
        assert not compiled.restored
        assert compiled.render(CONTEXT, **PROPS) == expected()


def test_no_cache_writes_nothing(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SC_DOCS_NO_CACHE", "1")
    compile_fresh(TEMPLATE)
    assert not compile_fresh(TEMPLATE).restored
    assert not cache.exists()


def test_another_engine_version_is_a_miss(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compile_fresh(TEMPLATE)
    monkeypatch.setattr(diskcache, "_engine_tag", "0" * 32)
    assert not compile_fresh(TEMPLATE).restored


def test_bundled_templates_render_identically_from_the_cache(cache: Path) -> None:
    from sc_docs.catalog import build_context, load_catalog

    import yaml

    record = yaml.safe_load((ROOT / "info_sheets/examples/acme-power-and-light.yaml").read_text(encoding="utf-8"))
    catalog = load_catalog()
    for entry in catalog.of_kind("agreement"):
        if entry.key not in record.get("documents", {}):
            continue
        data = entry.source_path.read_bytes()
        context = build_context(entry, record)
        fresh = compile_fresh(data)
        restored = compile_fresh(data)
        assert restored.restored
        assert fresh.render(context, **PROPS) == restored.render(context, **PROPS)


# -- core.xml from a skeleton ---------------------------------------------------------------

_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufffe\uffff")
    .filter(lambda c: c >= " " or c in "\t\n\r"),
    max_size=30,
)
_EXISTING = [
    None,
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<cp:coreProperties '
    b'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Old &amp; <b/>tail</dc:title>'
    b"<cp:revision>3</cp:revision></cp:coreProperties>",
]


@settings(max_examples=150, deadline=None)
@given(
    existing=st.sampled_from(_EXISTING),
    title=_TEXT,
    subject=_TEXT,
    creator=_TEXT,
    day=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1)),
    order=st.permutations(["title", "subject", "created", "creator"]),
)
def test_core_skeleton_matches_a_full_serialisation(
    existing: bytes | None, title: str, subject: str, creator: str, day: dt.date, order: list[str]
) -> None:
    values = {"title": title, "subject": subject, "created": day, "creator": creator}
    ordered = {k: values[k] for k in order}
    writer = CoreWriter(existing)
    assert writer.xml(ordered) == core_xml(existing, ordered)
    assert writer.xml(ordered) == core_xml(existing, ordered)  # from the skeleton this time
