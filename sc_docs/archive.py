"""Deterministic zip archives: fixed timestamps, fixed attributes, sorted entries."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_ALREADY_COMPRESSED = (".docx", ".xlsx", ".zip", ".png", ".jpg")


def deterministic_zip(files: Iterable[tuple[str, bytes]]) -> bytes:
    """Return zip bytes holding `files` (name, data), sorted by name, identical for equal input.

    Office files are stored as they are (they are zips already); everything else is deflated.
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in sorted(files):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.create_system = 3
            info.external_attr = 0o644 << 16
            stored = name.lower().endswith(_ALREADY_COMPRESSED)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            zf.writestr(info, data, compresslevel=None if stored else 6)
    return buf.getvalue()
