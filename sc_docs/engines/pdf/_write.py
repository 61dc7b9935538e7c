"""Serialize pypdf objects and write a PDF either as an incremental update or as a full rewrite.

An incremental update appends only the changed and new objects plus one cross-reference section
after the original bytes, so filling a form costs time in proportion to the fields filled rather
than to the size of the document. The full rewrite keeps only what is reachable from the catalog;
it serves flattening (no trace of the old widgets may remain) and files whose cross-reference
data is broken. Both are deterministic: no clock, and an `/ID` derived from the content.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterable
from typing import Any

from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ByteStringObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)

class Raw(bytes):
    """Bytes already in PDF syntax, written as they are: a value a fill builds the same way every
    time (`<</N 12 0 R\n>>`), holding no string (encryption passes it by)."""


_PLAIN = frozenset({NameObject, NumberObject, FloatObject, IndirectObject, BooleanObject, NullObject, Raw})


class Encryptor:
    """Encrypt the strings and streams of objects written into one encrypted form.

    pypdf derives a key and builds a crypt filter for every call; a fill encrypts a hundred
    objects, most of which hold no string at all. Here an object without strings or streams
    passes through untouched and each object number's filter is built once per form (the
    numbers a fill uses are the same in every fill, so the cache stays as small as the file).

    pypdf's AES draws a random IV per string; a content-derived IV keeps the output byte-identical
    across runs without weakening what an owner-password-only file protects (nothing secret).
    """

    _LIMIT = 65536  # filters kept per form: far above any form's object count

    def __init__(self, encryption: Any) -> None:
        self._encryption = encryption
        self._filters: dict[tuple[int, int], Any] = {}

    def _filter(self, idnum: int, generation: int) -> Any:
        key = (idnum, generation)
        crypt_filter = self._filters.get(key)
        if crypt_filter is None:
            crypt_filter = self._encryption._make_crypt_filter(idnum, generation)
            for attr in ("stm_crypt", "str_crypt"):
                crypt = getattr(crypt_filter, attr)
                if hasattr(crypt, "alg") and type(crypt).__name__ == "CryptAES":
                    setattr(crypt_filter, attr, _DeterministicAES(crypt.alg))
            if len(self._filters) >= self._LIMIT:
                self._filters.clear()
            self._filters[key] = crypt_filter
        return crypt_filter

    def __call__(self, obj: PdfObject, idnum: int, generation: int) -> PdfObject:
        """Return `obj` encrypted for object (`idnum`, `generation`); `obj` itself when it has no secret."""
        if not _has_strings(obj):
            return obj
        kind = type(obj)
        if kind is TextStringObject:
            return ByteStringObject(self._filter(idnum, generation).str_crypt.encrypt(obj.get_encoded_bytes()))  # type: ignore[attr-defined]
        if kind is ByteStringObject:
            return ByteStringObject(self._filter(idnum, generation).str_crypt.encrypt(obj.original_bytes))  # type: ignore[attr-defined]
        return self._filter(idnum, generation).encrypt_object(obj)  # type: ignore[no-any-return]

    def stream_data(self, data: bytes, idnum: int, generation: int) -> bytes:
        """Return a stream's `data` encrypted for object (`idnum`, `generation`)."""
        return self._filter(idnum, generation).stm_crypt.encrypt(data)  # type: ignore[no-any-return]


def _has_strings(obj: Any) -> bool:
    """Whether `obj` holds a string or a stream, the only things PDF encryption changes."""
    kind = type(obj)
    if kind in _PLAIN:
        return False
    if kind is DictionaryObject:
        return any(_has_strings(v) for v in obj.values())
    if kind is ArrayObject:
        return any(_has_strings(v) for v in obj)
    return isinstance(obj, (str, bytes, StreamObject, DictionaryObject, ArrayObject))


def make_encryptor(encryption: Any) -> Encryptor | None:
    """Return the encryptor of a form decrypted with `encryption`, or None for plain files."""
    return None if encryption is None else Encryptor(encryption)


_AES: tuple[Any, Any] | None = None  # (Cipher, CBC), imported on the first encrypted string


class _DeterministicAES:
    """AES-CBC with an IV derived from key and plaintext (see `Encryptor`).

    One CBC context per key serves every string: CBC chains each block on the previous
    ciphertext block, so folding the previous message's last block into the first block
    (with the new IV) gives exactly what a fresh context started at that IV would, without
    building a cipher per string.
    """

    def __init__(self, alg: Any) -> None:
        self.alg = alg
        self.key = bytes(alg.key)
        self._context: Any = None
        self._chain = 0  # the last ciphertext block the context chained on, as an integer

    def encrypt(self, data: bytes) -> bytes:
        global _AES
        iv = hashlib.sha256(self.key + data).digest()[:16]
        pad = 16 - len(data) % 16  # PKCS#7
        padded = data + bytes((pad,)) * pad
        if self._context is None:
            if _AES is None:
                from cryptography.hazmat.primitives.ciphers.base import Cipher
                from cryptography.hazmat.primitives.ciphers.modes import CBC

                _AES = (Cipher, CBC)
            cipher, cbc = _AES
            self._context = cipher(self.alg, cbc(bytes(16))).encryptor()
            self._chain = 0
        first = int.from_bytes(padded[:16], "big") ^ int.from_bytes(iv, "big") ^ self._chain
        out: bytes = self._context.update(first.to_bytes(16, "big") + padded[16:])
        self._chain = int.from_bytes(out[-16:], "big")
        return iv + out


def serialize(obj: PdfObject) -> bytes:
    """Return the PDF syntax of `obj` (a direct object; references stay references).

    The common types are written here directly, which is several times faster than pypdf's
    byte-at-a-time writers; anything else goes through pypdf.
    """
    kind = type(obj)
    if kind is NameObject:
        data = _NAMES.get(obj)
        if data is None:
            data = _pypdf_bytes(obj)
            if len(_NAMES) < 65536:  # names repeat across fills; bound the cache all the same
                _NAMES[obj] = data
        return data
    if kind is IndirectObject:
        return b"%d %d R" % (obj.idnum, obj.generation)  # type: ignore[attr-defined]
    if kind is Raw:
        return obj  # type: ignore[return-value]
    if kind is NumberObject:
        return b"%d" % int(obj)  # type: ignore[call-overload]
    if kind is ArrayObject:
        return b"[" + b" ".join(serialize(item) for item in obj) + b"]"  # type: ignore[attr-defined]
    if kind is DictionaryObject:
        return b"<<" + b"".join(serialize(k) + b" " + serialize(v) + b"\n" for k, v in obj.items()) + b">>"  # type: ignore[attr-defined]
    if isinstance(obj, StreamObject):
        return _stream(obj)
    if kind is TextStringObject or kind is ByteStringObject:
        raw: bytes = obj.get_encoded_bytes() if kind is TextStringObject else bytes(obj)  # type: ignore[attr-defined, call-overload]
        if all(32 <= b < 127 for b in raw):
            return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"
        return b"<" + raw.hex().encode() + b">"
    return _pypdf_bytes(obj)


def name_bytes(name: str) -> bytes:
    """Return the PDF syntax of the name `name` (e.g. "/V"), cached like every name written."""
    data = _NAMES.get(name)
    return data if data is not None else serialize(NameObject(name))


_NAMES: dict[PdfObject, bytes] = {}
_FLOATS: dict[float, bytes] = {}


def _stream(obj: StreamObject) -> bytes:
    """Return a stream exactly as pypdf writes it (its dictionary layout, /Length in place or
    last), without pypdf's per-byte writers: a fill writes one appearance stream per widget."""
    data: bytes = obj._data
    parts = [b"<<\n"]
    has_length = False
    for key, value in obj.items():
        if len(key) > 2 and key[1] == "%" and key[-1] == "%":
            continue
        if key == "/Length":
            has_length, value = True, NumberObject(len(data))
        parts.append(serialize(key) + b" " + _pypdf_style(value) + b"\n")
    if not has_length:
        parts.append(b"/Length %d\n" % len(data))
    parts.append(b">>\nstream\n")
    return b"".join(parts) + data + b"\nendstream"


def _pypdf_style(obj: PdfObject) -> bytes:
    """Serialize `obj` in pypdf's own layout (`<<\n ... >>`, `[ a b ]`), caching float text."""
    kind = type(obj)
    if kind is NameObject or kind is IndirectObject or kind is NumberObject:
        return serialize(obj)
    if kind is FloatObject:
        data = _FLOATS.get(obj)  # type: ignore[call-overload]
        if data is None:
            data = _pypdf_bytes(obj)
            if len(_FLOATS) < 65536:
                _FLOATS[obj] = data  # type: ignore[index]
        return data
    if kind is ArrayObject:
        return b"[" + b"".join(b" " + _pypdf_style(item) for item in obj) + b" ]"  # type: ignore[attr-defined]
    if kind is DictionaryObject:
        return b"<<\n" + b"".join(
            serialize(k) + b" " + _pypdf_style(v) + b"\n"
            for k, v in obj.items()  # type: ignore[attr-defined]
            if not (len(k) > 2 and k[1] == "%" and k[-1] == "%")
        ) + b">>"
    if isinstance(obj, StreamObject):
        return _stream(obj)
    return _pypdf_bytes(obj)


def _pypdf_bytes(obj: PdfObject) -> bytes:
    buf = io.BytesIO()
    obj.write_to_stream(buf)
    return buf.getvalue()


def object_body(idnum: int, generation: int, obj: PdfObject, encrypt: Encryptor | None) -> bytes:
    """Return the serialized object, encrypted for (idnum, generation) when `encrypt` is given."""
    if encrypt is not None:
        obj = encrypt(obj, idnum, generation)
    return serialize(obj)


def entries_bytes(
    items: list[tuple[PdfObject, PdfObject]], idnum: int, generation: int, encrypt: Encryptor | None
) -> bytes:
    """Return `/Key value` lines for dictionary entries of object `idnum`, encrypted if needed."""
    out = []
    for key, value in items:
        if encrypt is not None:
            value = encrypt(value, idnum, generation)
        out.append(serialize(key) + b" " + serialize(value) + b"\n")
    return b"".join(out)


def _object_bytes(idnum: int, generation: int, obj: PdfObject, encrypt: Encryptor | None) -> bytes:
    return _wrap(idnum, generation, object_body(idnum, generation, obj, encrypt))


def _wrap(idnum: int, generation: int, body: bytes) -> bytes:
    return b"%d %d obj\n%s\nendobj\n" % (idnum, generation, body)


def _file_id(trailer: DictionaryObject, seed: bytes, body: bytes) -> ArrayObject:
    """Keep the first /ID (encryption keys depend on it); derive the second from the content."""
    first: bytes
    old = trailer.get("/ID")
    try:
        first = bytes(old[0].original_bytes)  # type: ignore[index, union-attr]
    except (TypeError, IndexError, AttributeError, KeyError):
        first = hashlib.md5(seed).digest()
    digest = hashlib.md5(seed)
    digest.update(body)
    second = digest.digest()
    return ArrayObject([ByteStringObject(first), ByteStringObject(second)])


def _trailer_entries(trailer: DictionaryObject) -> DictionaryObject:
    out = DictionaryObject()
    for key in ("/Root", "/Info", "/Encrypt"):
        if key in trailer:
            out[NameObject(key)] = trailer.raw_get(key)
    return out


def _subsections(numbers: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and runs[-1][0] + runs[-1][1] == n:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((n, 1))
    return runs


def stream_head(stream: StreamObject) -> bytes:
    """Return the serialized dictionary of `stream` up to its /Length value, which comes last.

    `stream_bytes(head, data)` completes it: the bytes are those `serialize` gives for the
    stream with `data`, so a head built once per widget serves every later fill.
    """
    if "/Length" in stream:
        raise ValueError("a stream head is built from a dictionary without /Length")
    data = stream._data
    stream._data = b""
    try:
        whole = _stream(stream)
    finally:
        stream._data = data
    tail = b"0\n>>\nstream\n\nendstream"
    if not whole.endswith(b"/Length " + tail):  # pragma: no cover - _stream puts /Length last
        raise ValueError("unexpected stream layout")
    return whole[: -len(tail)]


def stream_bytes(head: bytes, data: bytes) -> bytes:
    """Return a stream from its `stream_head` and its (already encrypted) `data`."""
    return b"%s%d\n>>\nstream\n%s\nendstream" % (head, len(data), data)


def incremental_update(
    original: bytes,
    objects: dict[int, tuple[int, PdfObject]],
    *,
    raw: dict[int, tuple[int, bytes]] | None = None,
    trailer: DictionaryObject,
    prev_xref: int,
    size: int,
    xref_stream: bool,
    encrypt: Encryptor | None,
    seed: bytes | None = None,
) -> bytes:
    """Return `original` followed by `objects` ({idnum: (generation, object)}) and a new xref.

    `raw` holds objects already serialized (and encrypted): {idnum: (generation, body)}.
    `seed` is the SHA-256 of `original` (a caller filling one form many times computes it once).
    """
    raw = raw or {}
    parts: list[bytes] = []
    gap = b"" if original.endswith((b"\n", b"\r")) else b"\n"
    position = len(original) + len(gap)
    offsets: dict[int, tuple[int, int]] = {}
    for idnum in sorted(set(objects) | set(raw)) if objects else sorted(raw):
        if idnum in raw:
            generation, body = raw[idnum]
            piece = _wrap(idnum, generation, body)
        else:
            generation, obj = objects[idnum]
            piece = _object_bytes(idnum, generation, obj, encrypt)
        offsets[idnum] = (position, generation)
        parts.append(piece)
        position += len(piece)
    body = b"".join(parts)
    if seed is None:
        seed = hashlib.sha256(original).digest()
    entries = _trailer_entries(trailer)
    entries[NameObject("/ID")] = _file_id(trailer, seed, body)
    entries[NameObject("/Prev")] = NumberObject(prev_xref)
    tail: list[bytes] = []
    xref_offset = position
    if xref_stream:
        xref_num = max(size, max(offsets, default=0) + 1)
        offsets[xref_num] = (xref_offset, 0)
        numbers = sorted(offsets)
        width = max(4, (xref_offset.bit_length() + 7) // 8)
        data = b"".join(
            b"\x01" + offsets[n][0].to_bytes(width, "big") + offsets[n][1].to_bytes(2, "big")
            for n in numbers
        )
        stream = StreamObject()
        stream[NameObject("/Type")] = NameObject("/XRef")
        stream[NameObject("/Size")] = NumberObject(xref_num + 1)
        stream[NameObject("/W")] = ArrayObject([NumberObject(1), NumberObject(width), NumberObject(2)])
        index: list[PdfObject] = []
        for start, count in _subsections(numbers):
            index += [NumberObject(start), NumberObject(count)]
        stream[NameObject("/Index")] = ArrayObject(index)
        stream.update(entries)
        stream.set_data(data)
        # the xref stream itself is never encrypted
        tail.append(_object_bytes(xref_num, 0, stream, None))
    else:
        # entry 0 (the head of the free list) first, as Acrobat writes updates: readers such as
        # pypdf take a section that starts elsewhere for a mis-numbered table
        tail.append(b"xref\n0 1\n0000000000 65535 f\r\n")
        for start, count in _subsections(sorted(offsets)):
            tail.append(b"%d %d\n" % (start, count))
            tail.extend(b"%010d %05d n\r\n" % offsets[n] for n in range(start, start + count))
        entries[NameObject("/Size")] = NumberObject(max(size, max(offsets, default=0) + 1))
        tail.append(b"trailer\n" + serialize(entries) + b"\n")
    tail.append(b"startxref\n%d\n%%%%EOF\n" % xref_offset)
    return b"".join([original, gap, body, *tail])


def _references(obj: PdfObject) -> Iterable[IndirectObject]:
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            yield item
        elif isinstance(item, DictionaryObject):  # includes streams
            stack.extend(item.raw_get(k) for k in item)
        elif isinstance(item, ArrayObject):
            stack.extend(item)


def full_rewrite(
    resolve: Callable[[int, int], PdfObject | None],
    *,
    trailer: DictionaryObject,
    header: bytes,
    encrypt: Encryptor | None,
) -> bytes:
    """Return a new file holding only the objects reachable from the trailer's /Root and /Info.

    `resolve(idnum, generation)` returns the current version of an object (changed or original).
    Object numbers are kept, so references need no rewriting; unused numbers become free entries.
    """
    entries = _trailer_entries(trailer)
    encrypt_ref = entries.get("/Encrypt")
    reachable: dict[int, tuple[int, PdfObject]] = {}
    pending = [ref for ref in entries.values() if isinstance(ref, IndirectObject)]
    while pending:
        ref = pending.pop()
        if ref.idnum in reachable:
            continue
        obj = resolve(ref.idnum, ref.generation)
        if obj is None:
            continue
        reachable[ref.idnum] = (ref.generation, obj)
        pending.extend(_references(obj))
    out = bytearray(header.rstrip(b"\r\n") + b"\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, tuple[int, int]] = {}
    for idnum in sorted(reachable):
        generation, obj = reachable[idnum]
        offsets[idnum] = (len(out), generation)
        plain = isinstance(encrypt_ref, IndirectObject) and encrypt_ref.idnum == idnum
        out += _object_bytes(idnum, generation, obj, None if plain else encrypt)
    size = max(offsets, default=0) + 1
    xref_offset = len(out)
    body = bytes(out)
    out += b"xref\n0 %d\n" % size
    free = [n for n in range(1, size) if n not in offsets]
    next_free = dict(zip(free, free[1:] + [0]))
    out += b"%010d 65535 f\r\n" % (free[0] if free else 0)
    for n in range(1, size):
        if n in offsets:
            out += b"%010d %05d n\r\n" % offsets[n]
        else:
            out += b"%010d 00001 f\r\n" % next_free[n]
    entries[NameObject("/Size")] = NumberObject(size)
    entries[NameObject("/ID")] = _file_id(trailer, hashlib.sha256(body).digest(), b"")
    out += b"trailer\n" + serialize(entries) + b"\nstartxref\n%d\n%%%%EOF\n" % xref_offset
    return bytes(out)
