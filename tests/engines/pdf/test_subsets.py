"""Font subsets shared between the processes of a batch: built once, read back equal, never trusted blindly."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest

from sc_docs.engines.pdf import _font, _subsets
from sc_docs.engines.pdf._font import EmbeddedFont

FONT = next(iter(_font.font_paths("")), None)
CHARS = frozenset("Zażółć")


@pytest.fixture(autouse=True)
def own_disk_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test its own disk cache, so a subset kept by one test is not another's build count."""
    monkeypatch.setenv("SC_DOCS_CACHE_DIR", str(tmp_path / "disk-cache"))


def fake_build(path: str, chars: frozenset[str]) -> EmbeddedFont:
    """A subset without fontTools; each call leaves a mark, so a test counts the builds."""
    marks = Path(os.environ["SUBSET_MARKS"])
    (marks / f"{os.getpid()}-{time.monotonic_ns()}").touch()
    time.sleep(0.3)  # long enough for the other process to find the build under way
    return EmbeddedFont(path=path, chars=chars, font_file=b"\x78\x9c" + bytes(range(256)), font_file_length1=1234,
                        cmap={ord(c): i + 1 for i, c in enumerate(sorted(chars))}, widths={0: 500, 1: 612},
                        ascent=0.928, descent=-0.236, bbox=(-1021, -463, 1793, 1232), ps_name="SCDOCS+Test", cff=False)


def _one(folder: str, path: str, out: str) -> None:
    _subsets.share_in(folder)
    font = _subsets.shared(path, CHARS, fake_build)
    Path(out).write_bytes(_subsets.encode(font))


@pytest.mark.skipif(FONT is None, reason="no system font to subset")
def test_a_subset_read_back_equals_the_one_built(tmp_path: Path) -> None:
    assert FONT is not None
    built = _font._subset(FONT, _font._BASE_CHARS | CHARS)
    assert _subsets.decode(_subsets.encode(built), FONT, built.chars) == built


def test_two_processes_build_a_subset_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    monkeypatch.setenv("SUBSET_MARKS", str(marks))
    shared = tmp_path / "shared"
    shared.mkdir()
    path = __file__  # any existing file stands for the font: only its name, size and time are read
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_one, args=(str(shared), path, str(tmp_path / f"out{i}"))) for i in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    assert len(list(marks.iterdir())) == 1
    assert (tmp_path / "out0").read_bytes() == (tmp_path / "out1").read_bytes()
    assert [p.suffix for p in shared.iterdir()] == [".subset"]  # no lock left behind


def test_damaged_or_foreign_files_are_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    monkeypatch.setenv("SUBSET_MARKS", str(marks))
    good = _subsets.encode(fake_build(__file__, CHARS))
    assert _subsets.decode(good, __file__, CHARS) == fake_build(__file__, CHARS)
    head, _, body = good.partition(b"\n{")
    for bad in (good[:-1], b"garbage", good.replace(b'"cff": false', b'"cff": "no"').replace(b'"ascent": 0.928', b'"ascent": "x"'),
                good.replace(b'"size": 258', b'"size": 9'), b"", head + b"\n[" + body):
        assert _subsets.decode(bad, __file__, CHARS) is None
    assert _subsets.decode(good, __file__, CHARS | {"x"}) is None  # another subset's file
    assert _subsets.decode(good, "/other/font.ttf", CHARS) is None


@pytest.mark.skipif(os.name != "posix", reason="a dead holder is seen by its process id on POSIX")
def test_a_lock_left_by_a_dead_process_is_not_waited_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    monkeypatch.setenv("SUBSET_MARKS", str(marks))
    key = _subsets._key(__file__, CHARS)
    dead = multiprocessing.get_context("spawn").Process(target=time.sleep, args=(0,))
    dead.start()
    dead.join()
    (tmp_path / f"{key}.lock").write_text(str(dead.pid))
    monkeypatch.setattr(_subsets, "_folder", tmp_path)
    start = time.monotonic()
    assert _subsets.shared(__file__, CHARS, fake_build).ps_name == "SCDOCS+Test"
    assert time.monotonic() - start < 5 and len(list(marks.iterdir())) == 1


# -- kept between runs, in the signed disk cache ---------------------------------------------


def _counted(calls: list[str]):  # type: ignore[no-untyped-def]
    def build_subset(path: str, chars: frozenset[str]) -> EmbeddedFont:
        calls.append(path)
        return _font._subset(path, chars)
    return build_subset


@pytest.mark.skipif(FONT is None, reason="no system font to subset")
def test_a_later_run_reads_the_subset_an_earlier_run_built(tmp_path: Path) -> None:
    assert FONT is not None
    calls: list[str] = []
    build = _counted(calls)
    first = _subsets.shared(FONT, _font._BASE_CHARS | CHARS, build)
    again = _subsets.shared(FONT, _font._BASE_CHARS | CHARS, build)  # as a new process would ask
    assert calls == [FONT] and again == first
    other = _subsets.shared(FONT, _font._BASE_CHARS | frozenset("Ωμ"), build)
    assert calls == [FONT, FONT] and other.chars != first.chars


@pytest.mark.skipif(FONT is None, reason="no system font to subset")
def test_a_tampered_or_unsigned_entry_is_built_again(tmp_path: Path) -> None:
    assert FONT is not None
    calls: list[str] = []
    build = _counted(calls)
    first = _subsets.shared(FONT, _font._BASE_CHARS | CHARS, build)
    [entry] = [p for p in (tmp_path / "disk-cache").iterdir() if p.suffix == ".json"]
    entry.write_bytes(entry.read_bytes().replace(b'"subset":"', b'"subset":"AAAA', 1))
    assert _subsets.shared(FONT, _font._BASE_CHARS | CHARS, build) == first
    assert len(calls) == 2  # the signature failed: built again, with the same result
    (tmp_path / "disk-cache" / "key").write_bytes(b"k" * 32)  # a key that did not sign the entry
    assert _subsets.shared(FONT, _font._BASE_CHARS | CHARS, build) == first
    assert len(calls) == 3


@pytest.mark.skipif(FONT is None, reason="no system font to subset")
def test_no_cache_means_building_every_time_and_another_builder_never_shares(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert FONT is not None
    calls: list[str] = []
    _subsets.shared(FONT, _font._BASE_CHARS | CHARS, _counted(calls))
    marks = tmp_path / "marks"
    marks.mkdir()
    monkeypatch.setenv("SUBSET_MARKS", str(marks))
    fake = _subsets.shared(FONT, _font._BASE_CHARS | CHARS, fake_build)  # same font and characters
    assert fake.ps_name == "SCDOCS+Test" and len(list(marks.iterdir())) == 1
    monkeypatch.setenv("SC_DOCS_NO_CACHE", "1")
    _subsets.shared(FONT, _font._BASE_CHARS | CHARS, _counted(calls))
    assert len(calls) == 2


@pytest.mark.skipif(FONT is None, reason="no system font to subset")
def test_an_edited_font_file_is_subset_again(tmp_path: Path) -> None:
    assert FONT is not None
    font = tmp_path / Path(FONT).name
    font.write_bytes(Path(FONT).read_bytes())
    calls: list[str] = []
    _subsets.shared(str(font), _font._BASE_CHARS | CHARS, _counted(calls))
    os.utime(font, ns=(1_000_000_000, 1_000_000_000))  # the same bytes, touched: still the same font
    _subsets.shared(str(font), _font._BASE_CHARS | CHARS, _counted(calls))
    assert len(calls) == 1
    font.write_bytes(Path(FONT).read_bytes() + b"\0")  # another file: its subset is made anew
    _subsets.shared(str(font), _font._BASE_CHARS | CHARS, _counted(calls))
    assert len(calls) == 2
