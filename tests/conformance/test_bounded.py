"""`verify` stays bounded in time and memory whatever a returned document holds.

Time is asserted as work done (states the matcher visits, growth between sizes), never as wall
clock; memory as the peak resident size of a child process, which also runs under an address
space limit so a regression fails instead of exhausting the machine.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from sc_docs.conformance import verify_docx
from sc_docs.conformance.pattern import Slot
from tests.conformance import edits as ed
from tests.conformance.conftest import ACME, rendered

W = ed.W


def _slot(n: int) -> Slot:
    return Slot(n, None, f"s{n}", None, (), None, (), ("lazy",))  # type: ignore[arg-type]


def compile_items(items: list, **kw: bool):  # type: ignore[no-untyped-def]
    from sc_docs.conformance.program import compile_items as compile_

    return compile_(items, **kw)


def squash(text: str) -> str:
    from sc_docs.conformance.match import squash as squash_

    return squash_(text)


#: An opening paragraph shaped like the agreements': an address of four fill-ins, then more text.
OPENING = ["entered into at ", _slot(1), ", ", _slot(2), ", ", _slot(3), " ", _slot(4), " (the Coordinator)."]


def _states(items: list, text: str) -> tuple[bool, int]:
    program = compile_items(items, lead=True, trail=True, to_end=True)
    seen: set[int] = set()
    found = program._run(squash(text), 0, True, seen)
    return found is not None, len(seen)


def test_fill_in_matching_is_linear() -> None:
    """The backtracking case: an address that repeats ", a b" and never reaches the paragraph's end."""
    counts = []
    for n in (500, 1000, 2000):
        ok, states = _states(OPENING, "entered into at 1 Main St" + ", a b" * n)
        assert not ok
        counts.append(states)
    assert counts[1] < 2.5 * counts[0] and counts[2] < 2.5 * counts[1], counts


def test_matching_still_reads_the_address() -> None:
    program = compile_items(OPENING, lead=True, trail=True, to_end=True)
    text = "entered into at 1 Main St, Suite 4, Sacramento, CA 95814 (the Coordinator)."
    m = program.fullmatch(text)
    assert m is not None
    # leftmost-first, as `re` gives: the lazy fill-ins take as little as they can
    assert [m.group(f"s{i}") for i in (1, 2, 3, 4)] == ["1 Main St", "Suite 4", "Sacramento,", "CA 95814"]
    assert m.groupdict() == _as_regex(OPENING).fullmatch(text).groupdict()  # type: ignore[union-attr]


def _as_regex(items: list) -> re.Pattern[str]:
    out = []
    for item in items:
        if isinstance(item, str):
            out.append("".join(r"\s" if c.isspace() else re.escape(c) for c in re.sub(r"\s+", " ", item)))
        else:
            out.append(f"(?P<s{item.id}>(?s:.*?))")
    return re.compile(r"\s?" + "".join(out) + r"\s?")


_PIECES = st.lists(st.sampled_from(["a", "b", ",", " ", "x y", ", a"]), max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(_PIECES, min_size=5, max_size=5))
def test_matches_as_re_does(texts: list[str]) -> None:
    """Same outcome and the same fill-in values as Python's `re` (on inputs small enough for it)."""
    items = [texts[0], _slot(1), ", ", _slot(2), " a", _slot(3), texts[1]]
    items = [i for i in items if i != ""]
    text = squash(texts[2] + texts[3] + ", " + texts[4])
    ours = compile_items(items, lead=True, trail=True, to_end=True).fullmatch(text)
    theirs = _as_regex(items).fullmatch(text)
    assert (ours is None) == (theirs is None)
    if ours is not None and theirs is not None:
        assert ours.groupdict() == theirs.groupdict()


def _truncated_address(n: int) -> bytes:
    """The Acme SCA whose opening paragraph stops at the city, which then repeats ", a b" `n` times."""
    return ed.edit(rendered(ACME, "sca"), ed.cut_after("Sacramento", ", a b" * n))


@pytest.mark.skipif(sys.platform == "win32", reason="address-space limits are POSIX")
def test_backtracking_paragraph_is_reported_not_stuck(tmp_path: Path) -> None:
    data = _truncated_address(1000)
    path = tmp_path / "address.docx"
    path.write_bytes(data)
    code, err, _ = _verify_in_child(str(path), timeout=120)  # a regex stuck in C ignores signals: a child
    assert code == 1, err
    report = verify_docx(data)
    assert [d.location for d in report.deviations] == ["Preamble"]


def _one_paragraph(runs: int) -> etree._Element:
    """One commented paragraph of `runs` runs (200,000 make the 2.9 MB paragraph of the report)."""
    body = "".join(f"<w:r><w:t>word{i % 10} text. </w:t></w:r>" for i in range(runs))
    return etree.fromstring(f'<w:document xmlns:w="{W}"><w:body><w:p><w:commentRangeStart w:id="1"/>{body}'
                            "</w:p></w:body></w:document>")


def _walk_seconds(root: etree._Element) -> float:
    from sc_docs.conformance.docread import Walker

    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        Walker("document").walk(root)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.slow
def test_many_runs_in_one_paragraph_join_linearly() -> None:
    """200,000 runs in one paragraph: the walker's work grows with the runs, not their square."""
    small, large = _one_paragraph(50_000), _one_paragraph(200_000)
    ratio = _walk_seconds(large) / _walk_seconds(small)
    assert ratio < 7, ratio  # linear: about 4; the quadratic joining it replaces: 11 to 13


# -- whole-process bounds: a child process under an address-space limit ---------------------

_LIMIT = 2 * 1024**3


def _limited() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (_LIMIT, _LIMIT))


def _verify_in_child(path: str, timeout: float = 600) -> tuple[int, str, int]:
    """Run `sc-docs verify PATH`; return (exit code, stderr, peak resident KiB of the child)."""
    code = ("import resource, sys\nfrom sc_docs.cli import main\ntry:\n    code = main(sys.argv[1:])\n"
            "finally:\n    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\nsys.exit(code)")
    proc = subprocess.run([sys.executable, "-c", code, "verify", path], capture_output=True, timeout=timeout,
                          preexec_fn=_limited)
    peak = int(proc.stdout.decode().split()[-1])  # KiB on Linux
    return proc.returncode, proc.stderr.decode("utf-8", "replace"), peak


def _big_docx(path: Path, size: int) -> None:
    """The Acme SCA with a `document.xml` of `size` bytes, compressing about 100x."""
    ed.write_big_docx(path, rendered(ACME, "sca"), size)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="address-space limits are POSIX")
def test_huge_document_xml_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.docx"
    _big_docx(path, 500_000_000)
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(ed.DOC)
    assert info.file_size > 500_000_000 and info.file_size / info.compress_size < 200  # inside the zip limits
    code, err, peak_kib = _verify_in_child(str(path))
    assert code == 2, err
    assert err.strip() == f"Error: {path}: too large to verify: document holds more than 16,777,216 characters of text"
    assert peak_kib < 300 * 1024, f"peak {peak_kib // 1024} MB"


@pytest.mark.skipif(sys.platform == "win32", reason="no /dev/zero")
def test_dev_zero_is_not_read_forever() -> None:
    code, err, _ = _verify_in_child("/dev/zero", timeout=120)
    assert (code, err.strip()) == (2, "Error: /dev/zero: is a device, not a DOCX file")


def test_oversized_stdin_is_refused(run) -> None:
    from sc_docs.engines.docx.reader import MAX_FILE

    result = run("verify", "-", input=b"\0" * (MAX_FILE + 1))
    assert (result.exit_code, result.stderr.strip()) == (2, f"Error: <stdin>: is larger than {MAX_FILE:,} bytes, the limit for a DOCX file")


def _paragraphs(n: int) -> Iterator[bytes]:
    yield f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>'.encode()
    yield b"<w:p/>" * n
    yield b"</w:body></w:document>"


def test_too_many_paragraphs_is_exit_2(run, tmp_path: Path) -> None:
    path = tmp_path / "many.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, raw in ed.parts(rendered(ACME, "sca")).items():
            if name != ed.DOC:
                z.writestr(name, raw)
        z.writestr(ed.DOC, b"".join(_paragraphs(250_000)), compress_type=zipfile.ZIP_STORED)
    result = run("verify", path)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {path}: too large to verify: document holds more than 200,000 paragraphs"


def test_oversized_styles_part_is_refused(run, tmp_path: Path) -> None:
    """Parts parsed whole (styles, comments) are capped: a parsed tree is ten times its XML."""
    from sc_docs.engines.docx.reader import MAX_PART

    files = ed.parts(rendered(ACME, "sca"))
    padding = "".join(f'<w:style w:type="character" w:styleId="Pad{i}"/>' for i in range(MAX_PART // 40)).encode()
    files["word/styles.xml"] = files["word/styles.xml"].replace(b"</w:styles>", padding + b"</w:styles>")
    path = tmp_path / "styles.docx"
    path.write_bytes(ed.pack(files))
    result = run("verify", path)
    size = len(files["word/styles.xml"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"Error: {path}: refusing DOCX: part word/styles.xml is {size:,} bytes "
                                     f"(limit {MAX_PART:,})")
