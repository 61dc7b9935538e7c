"""Zip archives written by hand, deterministically: one writer for DOCX renders and packet zips.

`zipfile` re-packs every header and keeps per-entry bookkeeping; a render copies most of a
template's entries unchanged, and a batch makes a packet zip per applicant. An `Entry` packs its
headers once (a template's unchanged entries are written by every render) and `pack` only adds
offsets. Every entry is dated 1980-01-01 00:00, so the same entries always give the same bytes.
Archives past the classic format's 4 GiB limits are not written here (`TooLarge`).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

DOS_DATE: Final = (0 << 9) | (1 << 5) | 1  # 1980-01-01
DOS_TIME: Final = 0
VERSION: Final = 20  # version needed to extract: plain deflate
UNIX: Final = 0x0300  # "made by" on Unix, as zipfile writes it outside Windows
#: What an archive of plain files says of each (as zipfile writes it on Unix, whatever the system):
#: made on Unix, mode rw-r--r--.
UNIX_MADE_BY: Final = UNIX | VERSION
FILE_MODE: Final = 0o644 << 16
LIMIT: Final = 0xFFFFFFFF  # sizes and offsets from here on need ZIP64

_LOCAL: Final = struct.Struct("<4s5H3L2H")
_CENTRAL_HEAD: Final = struct.Struct("<4s6H3L5HL")  # a central record without its offset
_OFFSET: Final = struct.Struct("<L")
_END: Final = struct.Struct("<4s4H2LH")
_UTF8_FLAG: Final = 0x800


class TooLarge(ValueError):
    """An entry, or the archive so far, is past what a zip without ZIP64 records can hold."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


@dataclass(frozen=True, slots=True)
class Entry:
    """One stored zip entry: its compressed bytes and what is needed to write it again."""

    name: str
    method: int  # zipfile.ZIP_STORED or ZIP_DEFLATED
    crc: int
    size: int
    data: bytes  # compressed as `method` says
    made_by: int = VERSION  # the central record's "version made by" (host system in the high byte)
    external_attr: int = 0  # the central record's file attributes (Unix mode in the high 16 bits)
    # The entry's local header with its name, and its central-directory record up to (not
    # including) the offset, packed once: a template's unchanged entries are written by every
    # render, and packing their headers again each time was a third of a render's zip time.
    local: bytes = field(init=False, repr=False, compare=False)
    central: bytes = field(init=False, repr=False, compare=False)
    encoded_name: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        name = self.name.encode("utf-8")
        flags = 0 if name.isascii() else _UTF8_FLAG
        size, csize = min(self.size, LIMIT), min(len(self.data), LIMIT)  # refused by `pack`
        # the fields the local header and its central-directory record share, in the same order
        common = (flags, self.method, DOS_TIME, DOS_DATE, self.crc, csize, size, len(name))
        local = _LOCAL.pack(b"PK\x03\x04", VERSION, *common, 0) + name
        # central record: made-by, version needed, the shared fields; no extra, comment or disk
        central = _CENTRAL_HEAD.pack(b"PK\x01\x02", self.made_by, VERSION, *common, 0, 0, 0, 0, self.external_attr)
        object.__setattr__(self, "local", local)
        object.__setattr__(self, "central", central)
        object.__setattr__(self, "encoded_name", name)


def deflated(name: str, raw: bytes, level: int, *, made_by: int = VERSION, external_attr: int = 0) -> Entry:
    """Return an `Entry` holding `raw` deflated at `level`."""
    comp = zlib.compressobj(level, zlib.DEFLATED, -15)
    data = comp.compress(raw) + comp.flush()
    return Entry(name, zipfile.ZIP_DEFLATED, zlib.crc32(raw), len(raw), data, made_by, external_attr)


def pack(entries: Iterable[Entry]) -> bytes:
    """Return the zip archive of `entries`, in the order given; `TooLarge` past 4 GiB."""
    chunks: list[bytes] = []
    central: list[bytes] = []
    offset = count = 0
    for e in entries:
        if e.size >= LIMIT or len(e.data) >= LIMIT or offset >= LIMIT:
            raise TooLarge(e.name)
        central += (e.central, _OFFSET.pack(offset), e.encoded_name)
        chunks += (e.local, e.data)
        offset += len(e.local) + len(e.data)
        count += 1
    if count >= 0xFFFF:
        raise TooLarge(f"{count} entries")
    directory = b"".join(central)
    end = _END.pack(b"PK\x05\x06", 0, 0, count, count, len(directory), offset, 0)
    return b"".join(chunks) + directory + end
