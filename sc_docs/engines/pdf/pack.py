"""Whole-PDF chores for packets: make converter output reproducible, merge with bookmarks."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Sequence

from sc_docs.errors import FormError


def _fixed_info(writer: object, title: str, date: dt.date) -> None:
    stamp = f"D:{date:%Y%m%d}000000Z"
    writer.add_metadata({"/Title": title, "/Producer": "sc-docs", "/Creator": "sc-docs", "/CreationDate": stamp, "/ModDate": stamp})  # type: ignore[attr-defined]


def _finish(writer: object, salt: bytes) -> bytes:
    from pypdf.generic import ArrayObject, ByteStringObject, NameObject

    root = writer._root_object  # type: ignore[attr-defined]
    if NameObject("/Metadata") in root:  # XMP carries the converter's clock
        del root[NameObject("/Metadata")]
    zero = ByteStringObject(bytes(16))
    writer._ID = ArrayObject([zero, zero])  # type: ignore[attr-defined]  # drop the converter's random /ID
    buf = io.BytesIO()
    writer.write(buf)  # type: ignore[attr-defined]
    ident = ByteStringObject(hashlib.md5(salt + buf.getvalue(), usedforsecurity=False).digest())
    writer._ID = ArrayObject([ident, ident])  # type: ignore[attr-defined]
    buf = io.BytesIO()
    writer.write(buf)  # type: ignore[attr-defined]
    return buf.getvalue()


def normalize_pdf(data: bytes, *, title: str, date: dt.date) -> bytes:
    """Return `data` rewritten with fixed dates, producer and /ID, so equal input gives equal bytes."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError

    try:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    except (PdfReadError, ValueError, KeyError) as exc:
        raise FormError(f"the converter produced an unreadable PDF: {exc}") from None
    _fixed_info(writer, title, date)
    return _finish(writer, data[:0])


def merge_pdfs(parts: Sequence[tuple[str, bytes]], *, title: str, date: dt.date) -> bytes:
    """Return one PDF of `parts` (bookmark title, PDF bytes) in order, one bookmark per part."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for name, data in parts:
        start = len(writer.pages)
        writer.append(PdfReader(io.BytesIO(data)), import_outline=False)
        writer.add_outline_item(title=name, page_number=start)
    _fixed_info(writer, title, date)
    return _finish(writer, title.encode("utf-8"))
