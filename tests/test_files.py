"""`sc_docs.files`: bounded reads, safe atomic writes, deterministic zips, the output-folder lock."""

from __future__ import annotations

import os
import stat
import sys
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sc_docs import files
from sc_docs.errors import BadOutputError, OutputError, OutputExistsError, UnreadableFileError

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX devices, FIFOs and modes")


def test_atomic_write_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    target = tmp_path / "a.bin"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    files.atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["a.bin"]  # no temporary left behind


def test_atomic_write_new_file_gets_the_umask_default(tmp_path: Path) -> None:
    target = tmp_path / "b.bin"
    files.atomic_write(target, b"x")
    assert stat.S_IMODE(target.stat().st_mode) == files.default_mode()


def test_atomic_write_replaces_a_link_never_writes_through_it(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "out.txt"
    link.symlink_to(victim)
    files.atomic_write(link, b"new")
    assert victim.read_text() == "precious"
    assert not link.is_symlink() and link.read_bytes() == b"new"


@posix_only
def test_atomic_write_refuses_a_device_and_a_folder(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="is a device; refusing to replace it"):
        files.atomic_write("/dev/null", b"x")
    with pytest.raises(OutputError, match="is a folder; refusing to replace it"):
        files.atomic_write(tmp_path, b"x")


def test_atomic_write_cleans_up_when_the_write_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(src: str, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", broken)
    with pytest.raises(OutputError, match="cannot write: No space left on device"):
        files.atomic_write(tmp_path / "c.bin", b"x")
    assert list(tmp_path.iterdir()) == []


def test_check_output_rules(tmp_path: Path) -> None:
    existing = tmp_path / "e.txt"
    existing.write_text("mine")
    files.check_output("-")
    files.check_output(tmp_path / "new.txt")
    files.check_output(existing, force=True)
    files.check_output(existing, replaceable=lambda p: True)
    with pytest.raises(OutputExistsError, match="already exists; pass --force to replace it"):
        files.check_output(existing)
    with pytest.raises(OutputExistsError, match="is an input of this command"):
        files.check_output(existing, force=True, inputs=[str(existing)])
    with pytest.raises(BadOutputError, match="does not exist; create it first"):
        files.check_output(tmp_path / "missing" / "x.txt")
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    files.check_output(dangling, force=True)  # replaced by the file, not followed


def test_write_output_leaves_identical_content_alone(tmp_path: Path) -> None:
    target = tmp_path / "same.txt"
    target.write_bytes(b"same")
    inode = target.stat().st_ino
    files.write_output(target, b"same")  # nothing would be lost: allowed without --force
    assert target.stat().st_ino == inode  # and not even rewritten: its hard links stay
    with pytest.raises(OutputExistsError):
        files.write_output(target, b"different")


@posix_only
def test_read_bounded_refuses_devices_and_oversize(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match="/dev/zero: is a device, not an evidence file"):
        files.read_bounded("/dev/zero", 10, what="an evidence file")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(UnreadableFileError, match="is a FIFO"):  # refused before open: never hangs
        files.read_bounded(fifo)
    big = tmp_path / "big"
    big.write_bytes(b"x" * 11)
    with pytest.raises(UnreadableFileError, match="is 11 bytes; the limit for a file is 10"):
        files.read_bounded(big, 10)
    with pytest.raises(UnreadableFileError, match="no such file"):
        files.read_bounded(tmp_path / "nope")
    assert files.read_bounded(big, 11) == b"x" * 11


@settings(max_examples=30, deadline=None)
@given(st.dictionaries(st.text(st.characters(min_codepoint=97, max_codepoint=122), min_size=1, max_size=8),
                       st.binary(max_size=200), max_size=6))
def test_deterministic_zip_depends_only_on_content(entries: dict[str, bytes]) -> None:
    items = list(entries.items())
    first = files.deterministic_zip(items)
    assert files.deterministic_zip(list(reversed(items))) == first
    with zipfile.ZipFile(BytesIO(first)) as zf:
        assert {i.filename: zf.read(i) for i in zf.infolist()} == entries
        assert all(i.date_time == files.FIXED_TIME for i in zf.infolist())


_NAMES = st.tuples(st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF, blacklist_categories=("Cs",),
                                         blacklist_characters="\\\x00"), min_size=1, max_size=10),
                   st.sampled_from(["", ".pdf", ".PDF", ".docx", ".xlsx", ".json", ".png", ".zip"])).map("".join)


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(_NAMES, st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)), max_size=6))
def test_deterministic_zip_writes_what_zipfile_writes(entries: dict[str, bytes]) -> None:
    """The headers packed by hand are byte for byte those of `zipfile` (the ZIP64 fallback's writer)."""
    items = list(entries.items())
    assert files.deterministic_zip(items) == files._zipfile_zip(sorted(items))


def test_carry_over_moves_only_the_users_files(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    for name in ("doc.docx", "manifest.json", "notes.txt", "clash.pdf"):
        (old / name).write_text(f"old {name}")
    (new / "doc.docx").write_text("new doc")
    (new / "clash.pdf").write_text("new clash")
    kept = files.carry_over(old, new, {"doc.docx", "manifest.json"})
    assert kept == ["clash.pdf.orig", "notes.txt"]
    assert (new / "notes.txt").read_text() == "old notes.txt"
    assert (new / "clash.pdf").read_text() == "new clash" and (new / "clash.pdf.orig").read_text() == "old clash.pdf"
    assert (new / "doc.docx").read_text() == "new doc"


def test_lock_refuses_a_second_run(tmp_path: Path) -> None:
    with files.locked(tmp_path):
        with pytest.raises(OutputError, match="another sc-docs run is writing to this folder"):
            with files.locked(tmp_path):
                pass
    with files.locked(tmp_path):  # released
        pass


@pytest.fixture()
def no_posix(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make this platform look like Windows without msvcrt: no fcntl, no O_NOFOLLOW."""
    monkeypatch.setitem(sys.modules, "fcntl", None)  # `import fcntl` raises ImportError
    monkeypatch.setitem(sys.modules, "msvcrt", None)
    monkeypatch.delattr(os, "O_NOFOLLOW", raising=False)


@pytest.mark.usefixtures("no_posix")
def test_soft_lock_without_fcntl_refuses_a_second_run_and_takes_over_a_stale_one(tmp_path: Path) -> None:
    assert files.nofollow() == 0
    with files.locked(tmp_path):
        assert (tmp_path / files.SOFT_LOCK).read_text().strip() == str(os.getpid())
        with pytest.raises(OutputError, match="another sc-docs run is writing to this folder"):
            with files.locked(tmp_path):
                pass
    assert not (tmp_path / files.SOFT_LOCK).exists()
    (tmp_path / files.SOFT_LOCK).write_text("999999999\n")  # left by a run that was killed
    with files.locked(tmp_path):
        pass


@pytest.mark.usefixtures("no_posix")
def test_without_o_nofollow_a_planted_link_is_still_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / files.MARKER).symlink_to(victim)
    with pytest.raises(OutputError, match="is a symbolic link; refusing to follow it"):
        files.claim_output_dir(out)
    assert victim.read_text() == "precious"


def test_msvcrt_lock_is_used_where_fcntl_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    calls: list[tuple[int, int]] = []
    fake = types.ModuleType("msvcrt")
    fake.LK_NBLCK = 2  # type: ignore[attr-defined]

    def locking(fd: int, mode: int, nbytes: int) -> None:
        calls.append((mode, nbytes))
        if len(calls) > 1:
            raise OSError(13, "Permission denied")

    fake.locking = locking  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fcntl", None)
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    with files.locked(tmp_path):
        with pytest.raises(OutputError, match="another sc-docs run"):
            with files.locked(tmp_path):
                pass
    assert calls == [(2, 1), (2, 1)]


def test_packet_rewrite_that_cannot_carry_a_users_file_keeps_it_in_plain_sight(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sc_docs
    from sc_docs import packet as packet_module
    from sc_docs.packet import build_packet, write_packet
    from tests.conftest import EXAMPLES

    record = sc_docs.load_applicant(EXAMPLES / "acme-power-and-light.yaml")
    folder = write_packet(build_packet(record, only=["sca"]), tmp_path)
    (folder / "signed.pdf").write_bytes(b"signed")

    def failing(old: Path, new: Path, ours: object) -> list[str]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(packet_module, "carry_over", failing)
    with pytest.raises(OutputError, match="the previous packet folder is kept as .*acme-power-and-light-llc.previous-"):
        write_packet(build_packet(record, only=["sca"]), tmp_path)
    (parked,) = tmp_path.glob("acme-power-and-light-llc.previous-*/acme-power-and-light-llc/signed.pdf")
    assert parked.read_bytes() == b"signed"
    assert not list(tmp_path.glob(".sc-docs-tmp-*"))


def test_atomic_write_keeps_hard_links(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_bytes(b"old old old")
    other = tmp_path / "other-name.txt"
    os.link(target, other)
    files.atomic_write(target, b"new")
    assert other.read_bytes() == b"new" and target.read_bytes() == b"new"
    assert target.stat().st_ino == other.stat().st_ino


@settings(max_examples=40, deadline=None)
@given(old=st.binary(max_size=64), new=st.binary(max_size=64), force=st.booleans(), ours=st.booleans())
def test_write_output_never_loses_a_file_unasked(tmp_path_factory: pytest.TempPathFactory, old: bytes, new: bytes,
                                                  force: bool, ours: bool) -> None:
    target = tmp_path_factory.mktemp("w") / "out.bin"
    target.write_bytes(old)
    try:
        files.write_output(target, new, force=force, replaceable=lambda p: ours)
    except OutputExistsError:
        assert not (force or ours or old == new)
        assert target.read_bytes() == old
    else:
        assert force or ours or old == new
        assert target.read_bytes() == new
