"""Reading a DOCX package safely and writing one deterministically, fast.

Reading refuses zip bombs from the central directory alone (entry count, declared sizes,
compression ratios) before anything is expanded, then inflates each entry through a bounded
stream, so an entry whose headers understate its size is cut off at the declared size (and fails
its CRC) instead of being expanded in full. XML parts that carry a DTD or entity declarations
(XXE, billion laughs) are refused before any parser sees them, whatever encoding they are in:
the encoding is detected as the XML specification's appendix F says (byte order mark, the
first four bytes, the declaration), and parts in encodings other than the UTF and
ASCII-compatible families are refused.

Writing bypasses `zipfile`'s writer so that parts copied from the template keep their
already-deflated bytes: only the parts a render changed are compressed again. Every entry gets
the same timestamp (1980-01-01 00:00) and the entries come in a stable order, so the same inputs
always give the same bytes.
"""

from __future__ import annotations

import codecs
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable
from typing import Final

from sc_docs.errors import TemplateError
from sc_docs.zipwrite import Entry, TooLarge, deflated, pack

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

_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def entry_from_bytes(name: str, raw: bytes, level: int = DEFLATE_LEVEL) -> Entry:
    """Return an `Entry` holding `raw` deflated at `level`."""
    return deflated(name, raw, level)


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
                    raw = _read_bounded(archive, info)
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


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Return an entry's bytes, inflating no more than its declared size (plus one byte).

    `ZipFile.read` inflates all the compressed data in one call before checking the size, so
    an entry whose headers lie expands in full; a bounded read stops at the declared size,
    where `zipfile` checks the CRC (and a lying entry fails it).
    """
    with archive.open(info) as stream:
        raw = stream.read(info.file_size + 1)
    if len(raw) != info.file_size:
        raise zipfile.BadZipFile(
            f"it holds {'more' if len(raw) > info.file_size else 'less'} data than its "
            f"header declares ({info.file_size} bytes)"
        )
    return raw


#: Byte order marks and, without one, the first four bytes of `<?xml` (XML 1.0, appendix F).
_SIGNATURES: Final = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
)
_DECLARED = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
#: Codecs (by `codecs.lookup(...).name`) in which every ASCII character is its own byte, so
#: `<!DOCTYPE` cannot hide from a byte search. UTF-7 and EBCDIC are not among them.
_ASCII_SAFE: Final = frozenset(
    {"utf-8", "ascii", "latin-1"}
    | {f"cp{n}" for n in range(1250, 1259)}
    | {f"iso8859-{n}" for n in range(1, 17)}
)


def xml_encoding(raw: bytes) -> str | None:
    """Return the codec an XML parser would read `raw` with, or None if it is not one we allow.

    The byte order mark or the first four bytes pick the family (appendix F of XML 1.0); for
    ASCII-compatible bytes the declaration names the encoding, UTF-8 if it names none.
    """
    for signature, codec in _SIGNATURES:
        if raw.startswith(signature):
            return codec
    if b"\x00" in raw[:4]:
        return None  # UCS-4 in an unusual byte order, or something stranger
    declared = _DECLARED.match(raw.lstrip(b" \t\r\n")[:512])
    if declared is None:
        return "utf-8"
    try:
        name = codecs.lookup(declared.group(1).decode("ascii")).name
    except LookupError:
        return None
    if name in _ASCII_SAFE:
        return name
    if name.startswith(("utf-16", "utf-32")):
        return "utf-8"  # labelled UTF-16/32 but written in ASCII bytes: parsers read it so
    return None


def check_no_dtd(name: str, raw: bytes, label: str) -> None:
    """Refuse an XML part with a DTD or entity declaration, whatever its encoding."""
    codec = xml_encoding(raw)
    if codec is None:
        raise TemplateError(
            f"refusing DOCX part {name}: its XML is in an encoding other than UTF-8, UTF-16 or "
            "UTF-32 (Word writes UTF-8), which could hide a DTD or entity declarations",
            template=label,
        )
    found = _DTD.search(raw)  # bytes first: cheap, and catches a mislabelled ASCII part
    if found is None and codec not in _ASCII_SAFE:
        found = _DTD.search(raw.decode(codec, errors="replace").encode("utf-8"))
    if found is not None:
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
    try:
        return pack(sorted(entries, key=lambda e: (e.name != "[Content_Types].xml", e.name)))
    except TooLarge as exc:
        raise TemplateError(f"rendered part {exc.name} is too large for a DOCX") from None
