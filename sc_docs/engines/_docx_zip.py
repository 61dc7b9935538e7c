"""Reading a DOCX package safely and writing one deterministically, fast.

Reading refuses zip bombs from the central directory alone (entry count, declared sizes,
compression ratios) before anything is expanded, and refuses XML parts that carry a DTD or
entity declarations (XXE, billion laughs) before any parser sees them.

Writing bypasses `zipfile`'s writer so that parts copied from the template keep their
already-deflated bytes: only the parts a render changed are compressed again. Every entry gets
the same timestamp (1980-01-01 00:00) and the entries come in a stable order, so the same inputs
always give the same bytes.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from sc_docs.errors import TemplateError

#: Most entries a template package may have; Word documents have a few dozen.
MAX_ENTRIES: Final = 2000
#: Most bytes all entries may expand to, by their declared sizes.
MAX_UNCOMPRESSED: Final = 512 * 1024 * 1024
#: Highest expansion ratio of one entry, checked for entries larger than `RATIO_FLOOR`.
MAX_RATIO: Final = 200
RATIO_FLOOR: Final = 1024 * 1024

#: Deflate level of changed parts. Measured on the pro forma agreements' document.xml (41 kB):
#: level 1 takes 0.35 ms and gives 9.2 kB, level 3 0.48 ms / 8.5 kB, level 6 (zlib's default)
#: 0.96 ms / 7.7 kB. Compression is most of a render's time, the size difference is ~1.5 kB a
#: document, so speed wins.
DEFLATE_LEVEL: Final = 1

_DOS_DATE: Final = (0 << 9) | (1 << 5) | 1  # 1980-01-01
_DOS_TIME: Final = 0
_LOCAL: Final = struct.Struct("<4s5H3L2H")
_CENTRAL: Final = struct.Struct("<4s6H3L5H2L")
_END: Final = struct.Struct("<4s4H2LH")
_UTF8_FLAG: Final = 0x800

_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Entry:
    """One stored zip entry: its compressed bytes and what is needed to write it again."""

    name: str
    method: int  # zipfile.ZIP_STORED or ZIP_DEFLATED
    crc: int
    size: int
    data: bytes  # compressed as `method` says


def entry_from_bytes(name: str, raw: bytes, level: int = DEFLATE_LEVEL) -> Entry:
    """Return an `Entry` holding `raw` deflated at `level`."""
    comp = zlib.compressobj(level, zlib.DEFLATED, -15)
    data = comp.compress(raw) + comp.flush()
    return Entry(name, zipfile.ZIP_DEFLATED, zlib.crc32(raw), len(raw), data)


class Package:
    """The parts of a DOCX read from bytes, with their compressed forms kept for copying."""

    def __init__(self, blob: bytes, label: str) -> None:
        self.label = label
        try:
            archive = zipfile.ZipFile(io.BytesIO(blob))
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise TemplateError(f"not a DOCX (zip) file: {exc}", template=label) from None
        with archive:
            infos = archive.infolist()
            check_bomb(infos, label)
            self.entries: dict[str, Entry] = {}
            self.parts: dict[str, bytes] = {}
            for info in infos:
                if info.is_dir():
                    continue
                try:
                    raw = archive.read(info)
                except (
                    zipfile.BadZipFile,
                    OSError,
                    ValueError,
                    EOFError,
                    zlib.error,
                    NotImplementedError,
                ) as exc:
                    raise TemplateError(
                        f"damaged DOCX: cannot read {info.filename}: {exc}", template=label
                    ) from None
                if info.filename.endswith((".xml", ".rels")):
                    check_no_dtd(info.filename, raw, label)
                self.parts[info.filename] = raw
                self.entries[info.filename] = _stored_entry(blob, info, raw)

    def names(self) -> list[str]:
        return list(self.parts)


def check_bomb(infos: Iterable[zipfile.ZipInfo], label: str) -> None:
    """Refuse an archive whose central directory promises too much, before expanding it."""
    infos = list(infos)
    if len(infos) > MAX_ENTRIES:
        raise TemplateError(
            f"refusing DOCX with {len(infos)} zip entries (limit {MAX_ENTRIES})", template=label
        )
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > RATIO_FLOOR:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_RATIO:
                raise TemplateError(
                    f"refusing DOCX: entry {info.filename} expands {ratio:.0f}x "
                    f"(limit {MAX_RATIO}x), a possible zip bomb",
                    template=label,
                )
    if total > MAX_UNCOMPRESSED:
        raise TemplateError(
            f"refusing DOCX: entries declare {total} bytes uncompressed "
            f"(limit {MAX_UNCOMPRESSED}), a possible zip bomb",
            template=label,
        )


def check_no_dtd(name: str, raw: bytes, label: str) -> None:
    """Refuse an XML part with a DTD or entity declaration, whatever its encoding."""
    head = raw
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        head = raw.decode("utf-16", errors="replace").encode("utf-8")
    if _DTD.search(head):
        raise TemplateError(
            f"refusing DOCX part {name}: it declares a DTD or entities (<!DOCTYPE / <!ENTITY), "
            "which Word never writes and XML attacks use",
            template=label,
        )


def _stored_entry(blob: bytes, info: zipfile.ZipInfo, raw: bytes) -> Entry:
    """Return the entry's compressed bytes straight from `blob`, or recompress if unusual."""
    if info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) and not info.flag_bits & 1:
        start = info.header_offset
        header = blob[start : start + 30]
        if len(header) == 30 and header[:4] == b"PK\x03\x04":
            name_len, extra_len = struct.unpack("<HH", header[26:30])
            begin = start + 30 + name_len + extra_len
            data = blob[begin : begin + info.compress_size]
            if len(data) == info.compress_size:
                return Entry(info.filename, info.compress_type, info.CRC, info.file_size, data)
    return entry_from_bytes(info.filename, raw)


def write_zip(entries: Iterable[Entry]) -> bytes:
    """Return a zip archive of `entries`, `[Content_Types].xml` first and the rest sorted."""
    ordered = sorted(entries, key=lambda e: (e.name != "[Content_Types].xml", e.name))
    chunks: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for e in ordered:
        name = e.name.encode("utf-8")
        flags = 0 if name.isascii() else _UTF8_FLAG
        if e.size >= 0xFFFFFFFF or len(e.data) >= 0xFFFFFFFF or offset >= 0xFFFFFFFF:
            raise TemplateError(f"rendered part {e.name} is too large for a DOCX")
        version = 20
        local = _LOCAL.pack(
            b"PK\x03\x04",
            version,
            flags,
            e.method,
            _DOS_TIME,
            _DOS_DATE,
            e.crc,
            len(e.data),
            e.size,
            len(name),
            0,
        )
        central.append(
            _CENTRAL.pack(
                b"PK\x01\x02",
                version,
                version,
                flags,
                e.method,
                _DOS_TIME,
                _DOS_DATE,
                e.crc,
                len(e.data),
                e.size,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + name
        )
        chunks += (local, name, e.data)
        offset += len(local) + len(name) + len(e.data)
    directory = b"".join(central)
    end = _END.pack(b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), offset, 0)
    return b"".join(chunks) + directory + end
