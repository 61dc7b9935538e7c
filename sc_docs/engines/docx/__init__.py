"""Render docxtpl-style DOCX templates: strict, sandboxed, deterministic and fast.

The engine knows nothing of agreements or applicants: it fills any DOCX whose text holds Jinja
tags (with docxtpl's extensions `{%tr %}`, `{%p %}`, `{%tc %}`, `{%r %}`, `colspan`, `cellbg`,
`vm`, `hm`, and docxtpl's `RichText` / `Listing` values) from a plain mapping.

Public API:

- `compile_template(source, name=None) -> CompiledTemplate`: read and check a template once per
  process (cached by the SHA-256 of its bytes). docxtpl's XML preprocessing runs here and each
  part with tags (document, headers, footers, footnotes, endnotes) is compiled to one Jinja
  template. `source` is a path or the DOCX bytes; `name` labels errors (default: file name).
- `CompiledTemplate.render(context, *, core_properties=None, custom_properties=None) -> bytes`:
  the rendered DOCX. Unchanged parts are copied still compressed; entries have a fixed date and
  a stable order, so equal inputs give identical bytes. `core_properties` sets `docProps/core.xml`
  fields (keys in `CORE_FIELDS`: title, subject, creator, created, modified, ...);
  `custom_properties` sets string properties in `docProps/custom.xml` (created if absent).
- `CompiledTemplate.variables() -> set[str]`: every variable path the template reads, loop
  variables resolved: `agreement.scids[].scid`.
- `CompiledTemplate.text_with_tags() -> str`: the template's text with its tags, a paragraph per
  line, table cells separated by ` | `, each part labelled: for reviewing template changes.
- `render_docx(template, context, **kw) -> bytes`: compile (cached) and render.
- `docx_text(data) -> str`: the plain text of a DOCX, headers, footers and notes included.
- `leftover_tags(data) -> list[str]`: the parts of a DOCX whose XML still holds `{{ {% %} }}`.
- `clear_cache()`: forget compiled templates (they are kept per process; compile in each
  worker of a process pool, a `CompiledTemplate` does not pickle).
- `make_environment()`: a fresh Jinja environment configured as the engine's (for comparisons).

Rules: undefined values, `None` values, values with characters XML cannot hold, sandbox
violations, malformed templates and unsafe packages (DTDs in any encoding, zip bombs, entries
that inflate past their declared size) all raise `TemplateError` naming the template, the part,
the paragraph and the text around the tag. So does a template that asks for too much memory or
time (`'a' * 10**10`, `7**(7**9)`, `center(10**10)`, nested loops): sizes, loop steps, render
time and output are bounded, see `_limits`. Values are escaped
once and never evaluated; a newline in a value becomes a line break, a tab a tab. Filters:
`long_date`, `us_date`, `currency`, `join_list`, `upper_name` (see `_filters`).
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import html
import re
import threading
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import jinja2
from jinja2 import StrictUndefined
from lxml import etree

from sc_docs.errors import TemplateError

from . import _compat as compat
from ._ast import (
    AstProblem,
    VariableCollector,
    check_allowed,
    check_balance,
    unescape_literal_braces,
)
from ._filters import FILTERS
from ._limits import (
    Budget,
    LimitedSandbox,
    limit_environment,
    limit_tree,
    render_limited,
)
from ._props import (
    CORE_FIELDS,
    CORE_REL,
    CORE_TYPE,
    CUSTOM_REL,
    CUSTOM_TYPE,
    add_override,
    add_package_rel,
    core_xml,
    custom_xml,
)
from ._text import PARSER, W, package_text
from ._zip import Entry, Package, entry_from_bytes, write_zip

__all__ = [
    "CORE_FIELDS",
    "CompiledTemplate",
    "clear_cache",
    "compile_template",
    "docx_text",
    "leftover_tags",
    "make_environment",
    "render_docx",
]

_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
_MAIN_TYPES: Final = {
    _WML + "document.main+xml",
    _WML + "template.main+xml",
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
}
_KINDS: Final = {
    _WML + "header+xml": "header",
    _WML + "footer+xml": "footer",
    _WML + "footnotes+xml": "footnotes",
    _WML + "endnotes+xml": "endnotes",
}
_KIND_ORDER: Final = {"document": 0, "header": 1, "footer": 2, "footnotes": 3, "endnotes": 4}
_DECL: Final = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
_TAG_START = re.compile(r"\{[{%#]")
_LEFTOVER = re.compile(r"\{\{|\{%|%\}|\}\}")
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Listing and RichText may carry \a (new paragraph) and \f (page break), which docxtpl expands.
_ILLEGAL_MARKUP = re.compile("[\x00-\x06\x08\x0b\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_TAG = re.compile(r"<[^>]*>")


# -- environment ----------------------------------------------------------------------------


class _ValueProblem(Exception):
    """Raised by `finalize` for a value that must not reach the document."""

    def __init__(self, reason: str, value: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.value = value


def _finalize(value: Any) -> Any:
    """Check every `{{ value }}` before it is escaped: no None, nothing XML cannot hold."""
    if type(value) is str:
        if _ILLEGAL.search(value):
            raise _ValueProblem("contains a character XML cannot hold", value)
        if "\r" in value:
            return value.replace("\r\n", "\n").replace("\r", "\n")
        return value
    if value is None:
        raise _ValueProblem("is empty (None)", value)
    if hasattr(value, "__html__"):
        if _ILLEGAL_MARKUP.search(value.__html__()):
            raise _ValueProblem("contains a character XML cannot hold", value)
        return value
    text = str(value)
    if _ILLEGAL.search(text):
        raise _ValueProblem("contains a character XML cannot hold", value)
    return value


def make_environment() -> LimitedSandbox:
    """Return a new environment configured as the engine's: sandboxed with resource limits,
    strict, autoescaping."""
    env = LimitedSandbox(
        undefined=StrictUndefined,
        autoescape=True,
        finalize=_finalize,
        loader=None,
        keep_trailing_newline=False,
    )
    env.filters.update(FILTERS)
    # `safe` would let data through unescaped, i.e. raw XML into the document.
    del env.filters["safe"]
    limit_environment(env)
    return env


_ENV: Final = make_environment()


# -- locating problems ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Line:
    """One line of a part's Jinja source: where it starts in the original document."""

    paragraph: int | None  # 1-based paragraph number in the part, if known
    own: str  # text of the paragraph that starts the line
    rest: str  # text of what follows it on the line (tags of removed paragraphs, rows)


def _norm(text: str) -> str:
    text = text.translate({0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"'})
    text = re.sub(r"([{%])(?:tr|tc|p|r)\s", r"\1 ", text)
    return re.sub(r"\s+", "", text)


def _line_map(source: str, original: list[str]) -> list[_Line]:
    """Map each line of the Jinja source to a paragraph of the original part, in order."""
    wanted = [_norm(t) for t in original]
    lines = [_Line(None, "", "")]
    j = 0
    for chunk in source.split("\n")[1:]:
        end = chunk.find("</w:p>")
        own_xml, rest_xml = (chunk, "") if end < 0 else (chunk[: end + 6], chunk[end + 6 :])
        own = html.unescape(_XML_TAG.sub("", own_xml))
        rest = html.unescape(_XML_TAG.sub("", rest_xml))
        key = _norm(own)
        found = next((k for k in range(j, len(wanted)) if wanted[k] == key), None)
        if found is None and key:
            # docxtpl joins paragraphs when a tag is left open: match on the first of them.
            found = next(
                (k for k in range(j, len(wanted)) if wanted[k] and key.startswith(wanted[k])), None
            )
        if found is not None:
            j = found + 1
            lines.append(_Line(found + 1, own, rest))
        else:
            lines.append(_Line(None, own, rest))
    return lines


def _snippet(text: str, needle: str | None, width: int = 60) -> str:
    text = " ".join(text.split())
    at = text.find(needle) if needle else -1
    if at < 0:
        return text if len(text) <= 2 * width else text[: 2 * width] + " ..."
    start = max(0, at - width)
    end = min(len(text), at + len(needle or "") + width)
    return ("... " if start else "") + text[start:end] + (" ..." if end < len(text) else "")


def _needle_pattern(needle: str) -> re.Pattern[str]:
    return re.compile(r"\{[{%][^{}]*?" + re.escape(needle) + r"[^{}]*?[}%]\}")


def _tag_containing(text: str, needle: str | None) -> str | None:
    """Return the tag in `text` mentioning `needle` (to centre the snippet on it)."""
    if not needle:
        return None
    found = _needle_pattern(needle).search(" ".join(text.split()))
    return found.group() if found else needle


# -- paths in a context ---------------------------------------------------------------------

_SEGMENT = re.compile(r"\[\]|[^.\[\]]+")


def _walk(context: Any, path: str, *, every: bool) -> list[Any] | None:
    """Return the values `path` reaches in `context` (`[]` expands lists and mappings).

    With `every`, each value on the way must have the next step, else None; without it, the
    values that lack a step are dropped and None means none reached the end.
    """
    values = [context]
    for seg in _SEGMENT.findall(path):
        nxt: list[Any] = []
        for v in values:
            if seg == "[]" and isinstance(v, Mapping):
                nxt.extend(v.values())
            elif seg == "[]" and isinstance(v, (list, tuple)):
                nxt.extend(v)
            elif seg != "[]" and isinstance(v, Mapping) and seg in v:
                nxt.append(v[seg])
            elif seg != "[]" and not isinstance(v, Mapping) and hasattr(v, seg) and not seg.startswith("_"):
                nxt.append(getattr(v, seg))
            elif every:
                return None
        if not nxt and not every:
            return None
        values = nxt
    return values


def _lookup(context: Any, path: str) -> list[Any]:
    """Return every value `path` reaches in `context` ([] expands lists); [] if it reaches none."""
    return _walk(context, path, every=False) or []


def _resolves(context: Any, path: str) -> bool:
    """True if `path` reaches a value in `context`, for every element of each list on the way."""
    return _walk(context, path, every=True) is not None


def _suggest(context: Any, path: str) -> str:
    parent, _, last = path.rpartition(".")
    keys: list[str] = []
    for v in _lookup(context, parent) if parent else [context]:
        if isinstance(v, Mapping):
            keys.extend(str(k) for k in v)
    close = difflib.get_close_matches(last.removesuffix("[]"), sorted(set(keys)), n=1)
    if not close:
        return ""
    return f" (did you mean {(parent + '.' if parent else '') + close[0]!r}?)"


_UNDEFINED_NAME = re.compile(
    r"^'(?P<a>[^']+)' is undefined|has no (?:attribute|element) '?(?P<b>[^']+)'?$"
)


# -- compiled parts -------------------------------------------------------------------------


@dataclass(slots=True)
class _Part:
    """One templated XML part: its compiled Jinja template and what rendering needs around it."""

    name: str
    kind: str
    template: jinja2.Template
    prefix: str
    suffix: str
    fix_tree: bool
    lines: list[_Line]
    paths_by_line: dict[int, list[str]] = field(default_factory=dict)

    def render(self, context: Mapping[str, Any], label: str, budget: Budget | None = None) -> bytes:
        try:
            out = render_limited(self.template, context, budget or Budget())
        except Exception as exc:  # any failure inside a template is the template's to report
            raise self._error(exc, context, label) from exc
        out = out.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
        if "\n" in out or "\t" in out or "\x07" in out or "\x0c" in out:
            out = compat.resolve_listing(out)
        if self.fix_tree:
            tree = compat.fix_tables(out)
            compat.fix_docpr_ids(tree)
            out = etree.tostring(tree, encoding="unicode")
        return (self.prefix + out + self.suffix).encode("utf-8")

    # Error reporting runs only on failure, so it may be slow and thorough.
    def _lineno(self, exc: BaseException) -> int | None:
        lineno = None
        tb = exc.__traceback__
        filename = f"<{self.name}>"
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == filename:
                lineno = tb.tb_lineno
            tb = tb.tb_next
        return lineno

    def _error(self, exc: Exception, context: Mapping[str, Any], label: str) -> TemplateError:
        lineno = self._lineno(exc)
        candidates = self.paths_by_line.get(lineno or -1, [])
        needle: str | None = None
        if isinstance(exc, jinja2.UndefinedError):
            m = _UNDEFINED_NAME.search(str(exc))
            name = (m.group("a") or m.group("b")) if m else None
            missing = [p for p in candidates if not _resolves(context, p)]
            named = [
                p for p in missing if name and re.split(r"[.\[\]]+", p.rstrip("[]"))[-1] == name
            ]
            path = (named or missing or [name or "?"])[0]
            needle = re.split(r"[.\[\]]+", path.rstrip("[]"))[-1] if path != "?" else name
            what = f"undefined variable {path!r}{_suggest(context, path)}"
        elif isinstance(exc, _ValueProblem):
            culprits = [
                p
                for p in candidates
                if any(
                    v is exc.value or (isinstance(v, str) and v == exc.value)
                    for v in _lookup(context, p)
                )
            ]
            culprit = culprits[0] if culprits else None
            needle = re.split(r"[.\[\]]+", culprit.rstrip("[]"))[-1] if culprit else None
            what = f"value of {culprit!r} {exc.reason}" if culprit else f"a value {exc.reason}"
            if exc.value is not None:
                what += f": {str(exc.value)[:60]!r}"
        elif isinstance(exc, jinja2.sandbox.SecurityError):
            what = f"refused by the sandbox: {exc}"
        elif isinstance(exc, jinja2.TemplateError):
            what = str(exc.message or exc)
        else:
            what = f"{type(exc).__name__}: {exc}"
        return TemplateError(self.where(lineno, needle) + what, template=label)

    def where(self, lineno: int | None, needle: str | None) -> str:
        """Return `part, paragraph N: "...text..."` for a source line, or just the part."""
        if lineno is None or not 1 <= lineno <= len(self.lines):
            return f"{self.name}: "
        line = self.lines[lineno - 1]
        text, number = line.own, line.paragraph
        if needle and needle not in line.own and needle in line.rest:
            # The tag came from a paragraph docxtpl folded away ({%p %}, {%tr %}): it follows.
            text = line.rest
            number = number + 1 if number is not None else None
        elif not needle and not line.own.strip():
            text = line.rest
        where = f"{self.name}, paragraph {number}" if number else f"{self.name}"
        snippet = _snippet(text, _tag_containing(text, needle))
        return f"{where}: " + (f"{snippet!r}: " if snippet else "")


# -- the compiled template ------------------------------------------------------------------


class CompiledTemplate:
    """A DOCX template parsed, checked and compiled once; render it many times."""

    def __init__(self, data: bytes, name: str) -> None:
        self.name = name
        self.sha256 = hashlib.sha256(data).hexdigest()
        package = Package(data, name)
        self._entries: dict[str, Entry] = package.entries
        self._raw: dict[str, bytes] = package.parts
        self._kinds = _classify(package.parts, name)
        self._parts: list[_Part] = []
        collector = VariableCollector(_ENV.globals)
        for part_name, kind in self._kinds:
            part = self._compile_part(part_name, kind, collector)
            if part is not None:
                self._parts.append(part)
        self._variables = frozenset(collector.lines)

    # -- compiling --
    def _compile_part(
        self, part_name: str, kind: str, collector: VariableCollector
    ) -> _Part | None:
        raw = self._raw[part_name]
        try:
            root = etree.fromstring(raw, PARSER)
        except etree.XMLSyntaxError as exc:
            raise TemplateError(
                f"{part_name}: not well-formed XML: {exc}", template=self.name
            ) from None
        if root.getroottree().docinfo.internalDTD is not None:  # the byte check missed it
            raise TemplateError(
                f"refusing DOCX part {part_name}: it declares a DTD", template=self.name
            )
        paragraphs = ["".join(p.itertext()) for p in root.iter(f"{{{W}}}p")]
        prefix, suffix, fix_tree = _DECL, "", False
        if kind == "document":
            body = root.find(f"{{{W}}}body")
            if body is None:
                raise TemplateError(f"{part_name}: the document has no body", template=self.name)
            xml = etree.tostring(body, encoding="unicode")
            whole = etree.tostring(root, encoding="unicode")
            start, end = whole.find("<w:body"), whole.rfind("</w:body>")
            if start < 0 or end < 0:
                if "{" in "".join(body.itertext()):
                    raise TemplateError(
                        f"{part_name}: the body is not written with the usual 'w:' prefix, "
                        "which docxtpl-style tags need; re-save the template in Word",
                        template=self.name,
                    )
                return None  # an empty body: nothing to fill
            prefix, suffix = _DECL + whole[:start], whole[end + len("</w:body>") :]
            paragraphs = ["".join(p.itertext()) for p in body.iter(f"{{{W}}}p")]
        else:
            xml = etree.tostring(root, encoding="unicode")
            if kind in ("footnotes", "endnotes"):
                # docxtpl renders notes from the stored text, not a re-serialisation.
                try:
                    xml, prefix = raw.decode("utf-8"), ""
                except UnicodeDecodeError:
                    pass
        if "{" not in xml:
            return None
        patched = compat.patch_xml(xml)
        if not _TAG_START.search(patched):
            return None
        if kind == "document":
            fix_tree = _needs_tree_fix(body)
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", patched)
        lines = _line_map(source, paragraphs)
        stub = _Part(part_name, kind, None, prefix, suffix, fix_tree, lines)  # type: ignore[arg-type]
        try:
            tree = _ENV.parse(source, name=part_name, filename=f"<{part_name}>")
            check_allowed(tree)
            check_balance(tree)
        except jinja2.TemplateSyntaxError as exc:
            lineno, needle = _syntax_location(exc, source)
            raise TemplateError(
                stub.where(lineno, needle) + f"template syntax error: {exc.message}",
                template=self.name,
            ) from None
        except AstProblem as exc:
            raise TemplateError(
                stub.where(exc.lineno, exc.needle) + exc.message, template=self.name
            ) from None
        part_collector = VariableCollector(_ENV.globals)
        part_collector.collect(tree)
        for path, ls in part_collector.lines.items():
            collector.lines.setdefault(path, set()).update(ls)
        by_line: dict[int, list[str]] = {}
        for path, ls in sorted(part_collector.lines.items()):
            for ln in ls:
                by_line.setdefault(ln, []).append(path)
        unescape_literal_braces(tree)
        limit_tree(tree, _ENV)
        try:
            code = _ENV.compile(tree, name=part_name, filename=f"<{part_name}>")
        except jinja2.TemplateError as exc:  # e.g. an unknown filter
            lineno = getattr(exc, "lineno", None)
            raise TemplateError(
                stub.where(lineno, None) + str(exc.message or exc), template=self.name
            ) from None
        template = _ENV.template_class.from_code(_ENV, code, _ENV.make_globals(None))
        return _Part(part_name, kind, template, prefix, suffix, fix_tree, lines, by_line)

    # -- public --
    def render(
        self,
        context: Mapping[str, Any],
        *,
        core_properties: Mapping[str, Any] | None = None,
        custom_properties: Mapping[str, str] | None = None,
    ) -> bytes:
        """Return the DOCX rendered from `context`, with properties set if given."""
        if not isinstance(context, Mapping):
            raise TemplateError(
                f"context must be a mapping, got {type(context).__name__}", template=self.name
            )
        entries = dict(self._entries)
        budget = Budget()  # one budget for the whole document, all its parts
        for part in self._parts:
            out = part.render(context, self.name, budget)
            entries[part.name] = entry_from_bytes(part.name, out)
        if core_properties:
            xml = core_xml(self._raw.get("docProps/core.xml"), core_properties)
            entries["docProps/core.xml"] = entry_from_bytes("docProps/core.xml", xml)
            if "docProps/core.xml" not in self._raw:
                self._link(entries, "docProps/core.xml", CORE_TYPE, CORE_REL)
        if custom_properties:
            xml = custom_xml(self._raw.get("docProps/custom.xml"), custom_properties)
            entries["docProps/custom.xml"] = entry_from_bytes("docProps/custom.xml", xml)
            if "docProps/custom.xml" not in self._raw:
                self._link(entries, "docProps/custom.xml", CUSTOM_TYPE, CUSTOM_REL)
        return write_zip(entries.values())

    def _link(self, entries: dict[str, Entry], part: str, content_type: str, reltype: str) -> None:
        """Declare a new part's content type and relate it from the package."""
        ct = add_override(_current(entries, "[Content_Types].xml") or b"", part, content_type)
        entries["[Content_Types].xml"] = entry_from_bytes("[Content_Types].xml", ct)
        rels = add_package_rel(_current(entries, "_rels/.rels"), part, reltype)
        entries["_rels/.rels"] = entry_from_bytes("_rels/.rels", rels)

    def variables(self) -> set[str]:
        """Return every variable path the template reads (`a.b`, `list[].field`)."""
        return set(self._variables)

    def text_with_tags(self) -> str:
        """Return the template's text with its tags, part by part, for review as a diff."""
        return package_text(((n, k, self._raw[n]) for n, k in self._kinds), labels=True)

    def __repr__(self) -> str:
        return f"<CompiledTemplate {self.name} sha256={self.sha256[:12]}>"


def _current(entries: dict[str, Entry], name: str) -> bytes | None:
    """Return the uncompressed bytes of entry `name`, as rendering has left it so far."""
    e = entries.get(name)
    if e is None:
        return None
    return zlib.decompress(e.data, -15) if e.method == zipfile.ZIP_DEFLATED else e.data


def _syntax_location(exc: jinja2.TemplateSyntaxError, source: str) -> tuple[int | None, str | None]:
    """Return the line and a word to look for; for a missing end tag, the unclosed block's."""
    if "Unexpected end of template" in (exc.message or ""):
        opened = _unclosed_block(source)
        if opened is not None:
            return opened
    m = re.search(r"'([^']+)'", exc.message or "")
    return exc.lineno, (m.group(1) if m else None)


_BLOCK_TAG = re.compile(r"\{%[-+]?\s*(\w+)([^%]*)")
_OPENERS = {"for", "if", "macro", "call", "filter", "with", "raw", "autoescape", "block", "set"}


def _unclosed_block(source: str) -> tuple[int, str] | None:
    """Return `(line, keyword)` of the innermost block tag that is never closed."""
    stack: list[tuple[int, str]] = []
    for m in _BLOCK_TAG.finditer(source):
        word = m.group(1)
        if word == "set" and "=" in m.group(2):
            continue
        if word in _OPENERS:
            stack.append((source.count("\n", 0, m.start()) + 1, word))
        elif word.startswith("end") and stack and stack[-1][1] == word[3:]:
            stack.pop()
    return stack[-1] if stack else None


_BLOCK_WORDS = re.compile(r"\{%-?\s*(\w+)(?:\s+(\w+))?([^%]*)")
_OPENING = {"for", "if", "macro", "call", "filter", "with", "raw", "autoescape", "block"}
_CELL_TAGS = {"tc", "colspan", "cellbg", "vm", "hm"}
_DRAWING = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"


def _depth_change(text: str, prefix: str | None) -> int | None:
    """Return how far `text`'s block tags (with docxtpl `prefix`, or plain) nest; None if a
    tag reshapes cells."""
    depth = 0
    for m in _BLOCK_WORDS.finditer(text):
        first, second, rest = m.group(1), m.group(2), m.group(3)
        if first in _CELL_TAGS or second in _CELL_TAGS:
            return None
        tag_prefix, word = (first, second) if first in ("p", "r", "tr") else (None, first)
        if tag_prefix != prefix and not (prefix is None and tag_prefix in ("p", "r")):
            continue
        if word == "set" and "=" in (rest or ""):
            continue
        if word in _OPENING or word == "set":
            depth += 1
        elif word and word.startswith("end"):
            depth -= 1
    return depth


def _grid_shape(rows: list[etree._Element]) -> tuple[int, int]:
    cells = spans = 0
    for tr in rows:
        tcs = tr.findall(f"{{{W}}}tc")
        cells = max(cells, len(tcs))
        total = 0
        for tc in tcs:
            span = tc.find(f"{{{W}}}tcPr/{{{W}}}gridSpan")
            total += int(span.get(f"{{{W}}}val", "1")) if span is not None else 1
        spans = max(spans, total)
    return cells, spans


def _table_needs_fix(tbl: etree._Element) -> bool:
    """True unless every rendering of `tbl` leaves docxtpl's grid fix nothing to do.

    Rows may be repeated or dropped by `{%tr %}` blocks and paragraphs inside a cell by any
    block that stays inside the cell; that cannot change the grid as long as the rows that are
    always rendered already have the widest shape and the grid fits it.
    """
    if tbl.find(f".//{{{W}}}tbl") is not None or "{#" in "".join(tbl.itertext()):
        return True
    kept: list[etree._Element] = []
    fixed: list[etree._Element] = []
    depth = 0
    for tr in tbl.findall(f"{{{W}}}tr"):
        text = "".join(tr.itertext())
        if re.search(r"\{%-?\s*tr\s", text):
            change = _depth_change(text, "tr")
            if change is None:
                return True
            depth += change
            continue
        for tc in tr.findall(f"{{{W}}}tc"):
            if _depth_change("".join(tc.itertext()), None) != 0:
                return True
        kept.append(tr)
        if depth == 0:
            fixed.append(tr)
    if depth != 0 or not fixed or _grid_shape(fixed) != _grid_shape(kept):
        return True
    copy = etree.fromstring(etree.tostring(tbl))
    for tr in copy.findall(f"{{{W}}}tr"):
        if re.search(r"\{%-?\s*tr\s", "".join(tr.itertext())):
            copy.remove(tr)
    wrapper = etree.Element(f"{{{W}}}body", nsmap={"w": W})
    wrapper.append(copy)
    before = etree.tostring(copy, method="c14n")
    try:
        fixed_tree = compat.fix_tables(etree.tostring(wrapper, encoding="unicode"))
    except (AttributeError, TypeError, ValueError, etree.XMLSyntaxError):
        return True  # a grid docxtpl cannot read: let it fail at render time as docxtpl would
    return etree.tostring(fixed_tree[0], method="c14n") != before


def _needs_tree_fix(body: etree._Element) -> bool:
    """True if docxtpl's table-grid fix or picture renumbering could change the output."""
    if body.find(f".//{_DRAWING}") is not None:
        return True
    return any(_table_needs_fix(tbl) for tbl in body.iter(f"{{{W}}}tbl"))


def _classify(parts: Mapping[str, bytes], label: str) -> list[tuple[str, str]]:
    """Return `(part, kind)` for the parts that may hold tags, the main document first."""
    types = parts.get("[Content_Types].xml")
    if types is None:
        raise TemplateError("not a DOCX: [Content_Types].xml is missing", template=label)
    try:
        root = etree.fromstring(types, PARSER)
    except etree.XMLSyntaxError as exc:
        raise TemplateError(
            f"[Content_Types].xml is not well-formed: {exc}", template=label
        ) from None
    defaults = {
        el.get("Extension", "").lower(): el.get("ContentType")
        for el in root.iter(f"{{{_CT_NS}}}Default")
    }
    overrides = {
        el.get("PartName", "").lstrip("/"): el.get("ContentType")
        for el in root.iter(f"{{{_CT_NS}}}Override")
    }
    found: list[tuple[str, str]] = []
    for name in parts:
        ctype = overrides.get(name) or defaults.get(name.rpartition(".")[2].lower())
        if ctype in _MAIN_TYPES:
            found.append((name, "document"))
        elif ctype in _KINDS:
            found.append((name, _KINDS[ctype]))
    if not any(kind == "document" for _, kind in found):
        raise TemplateError("not a Word document: no main document part", template=label)
    return sorted(found, key=lambda nk: (_KIND_ORDER[nk[1]], nk[0]))


# -- module API -----------------------------------------------------------------------------

_CACHE: dict[str, CompiledTemplate] = {}
_LOCK = threading.Lock()


def compile_template(source: str | Path | bytes, name: str | None = None) -> CompiledTemplate:
    """Return the compiled template for `source` (a path or DOCX bytes), cached by SHA-256.

    `name` labels error messages; it defaults to the path, or `<template>` for bytes. The same
    bytes under another label share the compiled parts.
    """
    label: str | None
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        label = name
    else:
        path = Path(source)
        label = name or str(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise TemplateError(
                f"cannot read template: {exc.strerror or exc}", template=label
            ) from None
    key = hashlib.sha256(data).hexdigest()
    with _LOCK:
        compiled = _CACHE.get(key)
    if compiled is None:
        compiled = CompiledTemplate(data, label or "<template>")
        with _LOCK:
            compiled = _CACHE.setdefault(key, compiled)
    if label is None or label == compiled.name:
        return compiled
    renamed = copy.copy(compiled)
    renamed.name = label
    return renamed


def clear_cache() -> None:
    """Forget every compiled template."""
    with _LOCK:
        _CACHE.clear()


def render_docx(
    template: str | Path | bytes | CompiledTemplate, context: Mapping[str, Any], **kw: Any
) -> bytes:
    """Compile `template` (cached) and return it rendered with `context`."""
    compiled = template if isinstance(template, CompiledTemplate) else compile_template(template)
    return compiled.render(context, **kw)


def docx_text(data: bytes) -> str:
    """Return the plain text of a DOCX: body, then headers, footers, footnotes, endnotes."""
    package = Package(data, "<docx>")
    kinds = _classify(package.parts, "<docx>")
    return package_text(((n, k, package.parts[n]) for n, k in kinds), labels=False)


def leftover_tags(data: bytes) -> list[str]:
    """Return the parts of a rendered DOCX whose XML still holds `{{`, `{%`, `%}` or `}}`."""
    package = Package(data, "<docx>")
    return sorted(
        n
        for n, raw in package.parts.items()
        if n.endswith(".xml") and _LEFTOVER.search(raw.decode("utf-8", "replace"))
    )
