"""Uploaded files: read with a size cap, accepted by type (name suffix and content agree), never a path.

The name a browser sends is only used to pick the kind of file; where an upload is stored is made
from fixed names, ids and the content's hash.
"""

from __future__ import annotations

from typing import Any

from sc_docs.errors import ScDocsError

MAX_UPLOAD = 8 * 1024 * 1024

SHEETS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".xlsx": "xlsx", ".csv": "csv"}
EVIDENCE = {".pdf": ".pdf", ".png": ".png", ".jpg": ".jpg", ".jpeg": ".jpg", ".txt": ".txt", ".csv": ".csv",
            ".docx": ".docx", ".xlsx": ".xlsx", ".eml": ".eml"}


class UploadError(ScDocsError):
    """An upload that is missing, too large, or not of an accepted type."""


def suffix_of(filename: str) -> str:
    """Return the lower-case suffix of the last part of `filename` (browsers may send a full path)."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    _, dot, ext = base.rpartition(".")
    return f".{ext.lower()}" if dot and ext else ""


def _looks_like(suffix: str, data: bytes) -> bool:
    if suffix in (".xlsx", ".docx"):
        return data[:4] == b"PK\x03\x04"
    if suffix == ".pdf":
        return data[:5] == b"%PDF-"
    if suffix == ".png":
        return data[:8] == b"\x89PNG\r\n\x1a\n"
    if suffix in (".jpg", ".jpeg"):
        return data[:3] == b"\xff\xd8\xff"
    if suffix == ".csv":  # rosters may be Windows-1252; the roster reader says so
        return b"\x00" not in data
    try:  # other text kinds: UTF-8 without NULs
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return "\x00" not in text


async def read_upload(upload: Any, accepted: dict[str, str]) -> tuple[str, bytes]:
    """Return `(suffix, bytes)` of a form's file field, or raise `UploadError` saying why not."""
    if upload is None or not hasattr(upload, "read") or not getattr(upload, "filename", ""):
        raise UploadError("choose a file to upload")
    suffix = suffix_of(upload.filename)
    if suffix not in accepted:
        raise UploadError(f"files of type '{suffix or '(none)'}' are not accepted here; use {', '.join(sorted(accepted))}")
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise UploadError(f"the file is larger than {MAX_UPLOAD // (1024 * 1024)} MB, the limit")
    if not data:
        raise UploadError("the file is empty")
    if not _looks_like(suffix, data):
        raise UploadError(f"the file's content is not a {suffix} file")
    return suffix, data
