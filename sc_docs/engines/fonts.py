"""Which fonts a DOCX asks for, and whether this machine would print it with the same widths.

A PDF made by LibreOffice uses the fonts installed here. When a document's font (Times New Roman)
is missing, fontconfig picks another; only a metric-compatible one (Liberation Serif, same glyph
widths) keeps the pages, line breaks and justified labels of the original. Any other substitute
(DejaVu Serif is wider) makes pages grow and lines wrap. `font_warnings` says so before it happens.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from functools import cache
from typing import Final

#: Fonts that print with the same advance widths as the font named on the left.
METRIC_COMPATIBLE: Final[dict[str, tuple[str, ...]]] = {
    "times new roman": ("times new roman", "liberation serif", "tinos"),
    "times": ("times", "times new roman", "liberation serif", "tinos", "nimbus roman", "tex gyre termes"),
    "arial": ("arial", "liberation sans", "arimo"),
    "helvetica": ("helvetica", "arial", "liberation sans", "arimo", "nimbus sans", "tex gyre heros"),
    "courier new": ("courier new", "liberation mono", "cousine"),
    "courier": ("courier", "courier new", "liberation mono", "cousine", "nimbus mono ps", "tex gyre cursor"),
    "calibri": ("calibri", "carlito"),
    "cambria": ("cambria", "caladea"),
}
#: The Debian packages that bring those substitutes (named in the README too).
FONT_PACKAGES: Final = "fonts-liberation2 fonts-crosextra-caladea fonts-crosextra-carlito"

_PARTS = re.compile(r"^word/(document|styles|header\d*|footer\d*)\.xml$")
_FONT = re.compile(rb'<w:rFonts\b[^>]*?\bw:(?:ascii|hAnsi)="([^"]+)"')


def docx_fonts(docx: bytes) -> list[str]:
    """Return the font names the text of `docx` asks for (styles, body, headers, footers), sorted."""
    names: set[str] = set()
    try:
        with zipfile.ZipFile(io.BytesIO(docx)) as zf:
            for info in zf.infolist():
                if _PARTS.match(info.filename) and info.file_size < 64 * 1024 * 1024:
                    names.update(m.decode("utf-8", "replace") for m in _FONT.findall(zf.read(info)))
    except (zipfile.BadZipFile, OSError, ValueError):
        return []
    return sorted(names)


@cache
def installed_match(font: str) -> str | None:
    """Return the family fontconfig prints `font` with, or None when fontconfig is not here."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None  # Windows and macOS: fonts are found otherwise, and carry Times New Roman
    try:
        out = subprocess.run([fc_match, "-f", "%{family}", font], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    family = out.stdout.decode("utf-8", "replace").split(",")[0].strip()
    return family or None


def font_warnings(*docx: bytes) -> list[str]:
    """Return one line per font of the `docx` documents this machine would replace by one of other widths."""
    out: list[str] = []
    for font in sorted({f for d in docx for f in docx_fonts(d)}):
        compatible = METRIC_COMPATIBLE.get(font.casefold())
        if compatible is None:
            continue  # a font without a known metric twin (a symbol font): nothing to judge
        used = installed_match(font)
        if used is None or used.casefold() in compatible:
            continue
        out.append(
            f"font '{font}' is not installed and '{used}' has other widths: pages may grow and lines "
            f"wrap differently in the PDF; install a metric-compatible font "
            f"(apt-get install {FONT_PACKAGES})"
        )
    return out
