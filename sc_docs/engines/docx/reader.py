"""Read a DOCX without trusting it: the public reading API of the DOCX engine.

`conformance/` (and anything else that reads documents people send back) goes through here
rather than the engine's private modules. Everything is bounded before it is held:

- the archive is refused from its central directory alone (entry count, declared sizes,
  compression ratios), as the template reader does;
- small parts (`read`) are inflated only up to their declared size and a per-part ceiling;
- text parts are *streamed* (`iterparse`): inflated in chunks straight into lxml's incremental
  parser, with the element count capped, so a 500 MB `document.xml` inside a 5 MB zip is refused
  after a bounded amount of work instead of being expanded in memory first;
- XML that declares a DTD or entities is refused, in any encoding.

It also exposes what a reader of templates needs to see a template as the engine does: the
content-type classification of parts, docxtpl's preprocessing, the literal-brace escapes, and the
US state table behind the `state_name` filter.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import IO, Final

from lxml import etree

from sc_docs.errors import TemplateError

# The engine pieces reading needs; private ones are named only here, inside the engine package.
from .parts import classify
from ._ast import unescape_literal_braces
from ._compat import patch_xml
from ._filters import _US_STATES
from ._zip import check_bomb, check_no_dtd

__all__ = [
    "MAX_ELEMENTS",
    "MAX_FILE",
    "MAX_PART",
    "MAX_TEXT",
    "PARSER",
    "US_STATES",
    "DocxReader",
    "preprocess_template_xml",
    "unescape_braces",
]

#: Largest DOCX file a reader accepts (the pro forma agreements are about 60 kB).
MAX_FILE: Final = 64 * 1024 * 1024
#: Largest part `DocxReader.read` holds in memory by default (styles, comments, properties): a
#: parsed tree takes about ten times its XML, so this keeps a whole-part parse near 40 MB.
MAX_PART: Final = 4 * 1024 * 1024
#: Most XML elements one streamed part may hold (a 60-page agreement has about 40,000; one
#: paragraph of 200,000 runs about 600,000).
MAX_ELEMENTS: Final = 3_000_000
#: Most characters of text a reader keeps from one document (the agreements hold ~150,000).
MAX_TEXT: Final = 16 * 1024 * 1024
#: Bytes looked at for a DTD before a streamed part is handed to the parser.
_HEAD: Final = 64 * 1024
_CHUNK: Final = 256 * 1024

#: A safe parser for whole parts: no DTDs, no entities, no network, libxml2's size guards on.
PARSER: Final = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)

#: US postal code -> state or territory name, as the `state_name` filter displays it.
US_STATES: Final[Mapping[str, str]] = MappingProxyType(dict(_US_STATES))


def preprocess_template_xml(xml: str) -> str:
    """Return a template part's XML after docxtpl's preprocessing (`{%p %}`, `{%tr %}`, split runs).

    Reading a template the way rendering does needs exactly this step, so it is shared.
    """
    return patch_xml(xml)


def unescape_braces(tree: object) -> None:
    """Turn docxtpl's literal-brace escapes (`{_{`, `}_}`, `{_%`, `%_}`) back, in a parsed Jinja tree."""
    unescape_literal_braces(tree)  # type: ignore[arg-type]


class _Bounded(io.RawIOBase):
    """A read-only stream over an entry that stops at its declared size and a ceiling."""

    def __init__(self, stream: IO[bytes], limit: int, name: str, label: str) -> None:
        self._stream = stream
        self._left = limit
        self._name = name
        self._label = label

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        want = min(len(buffer), self._left + 1)
        try:
            data = self._stream.read(want)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
            raise TemplateError(f"damaged DOCX: cannot read {self._name}: {exc}", template=self._label) from None
        if len(data) > self._left:
            raise TemplateError(f"damaged DOCX: {self._name} holds more data than its header declares",
                                template=self._label)
        self._left -= len(data)
        buffer[: len(data)] = data
        return len(data)


class DocxReader:
    """A DOCX opened for reading: names, content types, bounded reads and streamed parses.

    `data` is the file's bytes; `label` names it in errors. Problems raise `TemplateError`
    (the engine's error); callers that read documents rather than templates translate it.
    """

    def __init__(self, data: bytes, label: str = "<docx>") -> None:
        self.label = label
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(bytes(data)))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise TemplateError(f"not a DOCX (zip) file: {exc}", template=label) from None
        check_bomb(infos, label)
        self._infos = {i.filename: i for i in infos if not i.is_dir()}

    def names(self) -> list[str]:
        """Return the part names, in archive order."""
        return list(self._infos)

    def __contains__(self, name: object) -> bool:
        return name in self._infos

    def open(self, name: str, limit: int | None = None) -> IO[bytes]:
        """Return a stream of part `name`, cut at its declared size (and `limit` if given)."""
        info = self._infos.get(name)
        if info is None:
            raise TemplateError(f"damaged DOCX: no part {name}", template=self.label)
        cap = info.file_size if limit is None else min(info.file_size, limit)
        if limit is not None and info.file_size > limit:
            raise TemplateError(f"refusing DOCX: part {name} is {info.file_size:,} bytes (limit {limit:,})",
                                template=self.label)
        try:
            raw = self._zip.open(info)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise TemplateError(f"damaged DOCX: cannot read {name}: {exc}", template=self.label) from None
        return io.BufferedReader(_Bounded(raw, cap, name, self.label), _CHUNK)

    def read(self, name: str, limit: int = MAX_PART) -> bytes:
        """Return the bytes of part `name` (at most `limit`), refusing XML with a DTD."""
        with self.open(name, limit) as stream:
            raw = stream.read()
        if name.endswith((".xml", ".rels")):
            check_no_dtd(name, raw, self.label)
        return raw

    def parse(self, name: str, limit: int = MAX_PART) -> etree._Element:
        """Return part `name` parsed whole (for small parts: styles, comments, properties)."""
        try:
            return etree.fromstring(self.read(name, limit), PARSER)
        except etree.XMLSyntaxError as exc:
            raise TemplateError(f"damaged DOCX: {name} is not well-formed XML: {exc}", template=self.label) from None

    def text_parts(self) -> list[tuple[str, str]]:
        """Return `(part, kind)` of the parts holding text, main document first, as the engine sees them."""
        types = {"[Content_Types].xml": self.read("[Content_Types].xml")} if "[Content_Types].xml" in self else {}
        names: dict[str, bytes] = dict.fromkeys(self._infos, b"")
        names.update(types)
        return classify(names, self.label)

    def iterparse(self, name: str, *, max_elements: int = MAX_ELEMENTS) -> Iterator[tuple[str, etree._Element]]:
        """Yield `("start" | "end", element)` for part `name`, streaming and bounded.

        The caller should clear elements it is done with (`clear_done`), so memory stays
        proportional to the depth of the XML, not its size. More than `max_elements` elements
        raises `TemplateError`.
        """
        stream = self.open(name)
        head = stream.peek(_HEAD)[:_HEAD]
        check_no_dtd(name, head, self.label)
        parser = etree.iterparse(stream, events=("start", "end"), resolve_entities=False, no_network=True,
                                 load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True)
        count = 0
        try:
            for event, el in parser:
                if event == "start":
                    count += 1
                    if count > max_elements:
                        raise TemplateError(f"refusing DOCX: {name} holds more than {max_elements:,} XML elements",
                                            template=self.label)
                yield event, el
        except etree.XMLSyntaxError as exc:
            raise TemplateError(f"damaged DOCX: {name} is not well-formed XML: {exc}", template=self.label) from None
        finally:
            stream.close()


def clear_done(el: etree._Element) -> None:
    """Free an element whose end event has been handled, and its earlier siblings."""
    el.clear()
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]


__all__.append("clear_done")
