"""What the fill's caches and short cuts must not change: the bytes, and seeing a changed file.

A form's parsed state carries cached bytes between fills (appearance heads, patched entries,
font objects, a choice's drawn options, one CBC context per object key); each test here fills
through them and compares with a form parsed afresh, or with what pypdf itself would write.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import io
import os
from pathlib import Path

import pytest

import sc_docs.engines.pdf as pdf
from sc_docs.engines.pdf import Form, open_form
from sc_docs.engines.pdf import _write as write
from sc_docs.engines.pdf._objects import text_string
from sc_docs.engines.pdf._parse import parse_form
from tests.engines import pdf_builders as build
from tests.engines.pdf import corpus


@functools.lru_cache(maxsize=1)
def rl_form() -> bytes:
    return build.reportlab_form(pages=2)


def _fresh(data: bytes) -> Form:
    """A form parsed now, with empty caches (`open_form` would return the cached one)."""
    return Form(parse_form(data, "fresh"), "fresh")


FORMS = {
    "plain": rl_form,
    "aes-128": lambda: build.encrypted(rl_form()),
    "rc4": lambda: build.encrypted(rl_form(), algorithm="RC4-128"),
    "aes-256": lambda: build.encrypted(rl_form(), algorithm="AES-256"),
    "dd293": lambda: build.DD0293.read_bytes(),
    "comb and quadding": lambda: corpus.comb_quadding()[0],
    "rotated": lambda: build.with_rotation(rl_form(), "name", 90),
}
TEXTS = ["Plain ASCII 12", "Zoë Ångström-Łukasz", "東京都千代田区 Tokyo", "A much longer value " * 12, "tab\there"]


@pytest.mark.parametrize("kind", list(FORMS), ids=list(FORMS))
def test_a_warmed_form_writes_what_a_fresh_one_writes(kind: str) -> None:
    data = FORMS[kind]()
    warmed = _fresh(data)
    for text in TEXTS + TEXTS[::-1]:  # every cache filled by other values first, then reused
        values = build.sample_values(warmed, text=text)
        fresh = _fresh(data)
        for options in ({}, {"need_appearances": True}, {"flatten": True}):
            assert warmed.fill(values, **options) == fresh.fill(values, **options), (text, options)


def test_deterministic_aes_is_plain_cbc_with_a_derived_iv() -> None:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = bytes(range(16))
    aes = write._DeterministicAES(algorithms.AES(key))
    for size in [0, 1, 15, 16, 17, 33, 250, 4096, 5, 16, 0]:  # one context across every message
        data = os.urandom(size)
        iv = hashlib.sha256(key + data).digest()[:16]
        pad = 16 - size % 16
        encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
        expected = iv + encryptor.update(data + bytes([pad]) * pad) + encryptor.finalize()
        assert aes.encrypt(data) == expected, size


@pytest.mark.parametrize("value", ["", "plain", "tab\tnew\nline\r", "Zoë", "東京", "\x7f", "a\x00b", "(x) \\ y"])
def test_field_values_are_written_as_pypdf_writes_their_text(value: str) -> None:
    from pypdf.generic import TextStringObject

    text = TextStringObject(value)
    if not all(" " <= ch <= "~" or ch in "\t\n\r" for ch in value):
        text.autodetect_utf16, text.autodetect_pdfdocencoding = True, False
        text.utf16_bom = codecs.BOM_UTF16_BE
    assert write.serialize(text_string(value)) == write.serialize(text)


def test_the_encryptor_changes_strings_and_streams_only() -> None:
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, NumberObject

    reader = PdfReader(io.BytesIO(build.encrypted(rl_form())))
    reader.decrypt("")
    encrypt = write.make_encryptor(reader._encryption)
    assert encrypt is not None
    plain = DictionaryObject({NameObject("/N"): IndirectObject(7, 0, None),
                              NameObject("/Rect"): ArrayObject([NumberObject(1), NumberObject(2)])})
    assert encrypt(plain, 12, 0) is plain
    secret = DictionaryObject({**plain, NameObject("/V"): text_string("Zoë")})
    out = encrypt(secret, 12, 0)
    assert out["/Rect"] == plain["/Rect"] and out["/V"] != secret["/V"]
    assert bytes(out["/V"]) == encrypt(text_string("Zoë"), 12, 0)  # the same key and IV either way


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "form.pdf"
    path.write_bytes(rl_form())
    first = open_form(path)
    assert open_form(path)._parsed is first._parsed  # unchanged: neither read nor hashed again
    other = build.hierarchical_form()
    path.write_bytes(other)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    assert [f.name for f in open_form(path).fields()] == [f.name for f in open_form(other).fields()]


def test_the_same_bytes_are_not_hashed_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    data = build.reportlab_form(pages=3)
    form = open_form(data)
    calls: list[int] = []

    class Counting:
        @staticmethod
        def sha256(payload: bytes) -> object:
            calls.append(len(payload))
            return hashlib.sha256(payload)

    monkeypatch.setattr(pdf, "hashlib", Counting)
    assert open_form(data)._parsed is form._parsed and calls == []
    assert open_form(bytes(bytearray(data)))._parsed is form._parsed and calls == [len(data)]  # equal, not same


@pytest.mark.parametrize("kind", ["plain", "dd293"])
def test_a_warm_fill_imports_nothing(kind: str) -> None:
    """No `from package import name` inside the fill's functions: each costs a Python-level call."""
    import cProfile
    import pstats

    data = FORMS[kind]()
    form = open_form(data)
    values = build.sample_values(form, text="Zoë Ångström-Łukasz")
    form.fill(values)  # the first fill may import what it needs once
    profile = cProfile.Profile()
    profile.runcall(form.fill, values)
    calls = {func[2]: stats[1] for func, stats in pstats.Stats(profile).stats.items()}  # type: ignore[attr-defined]
    assert "_handle_fromlist" not in calls and "_find_and_load" not in calls
