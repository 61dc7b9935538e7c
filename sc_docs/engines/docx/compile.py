"""Compile a DOCX template once (parse, check, compile each tagged part) and render it fast.

A `CompiledTemplate` holds the package's entries (copied into every output still compressed)
and one compiled Jinja template per part that has tags; rendering runs those, applies docxtpl's
post-processing where it can change something, and writes a deterministic zip.
"""

from __future__ import annotations

import base64
import hashlib
import marshal
import re
import types
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import jinja2
from lxml import etree

from sc_docs.errors import TemplateError

from . import _compat as compat
from . import media
from ._ast import AstProblem, VariableCollector, check_balance, check_node
from ._limits import Budget, limit_tree, render_limited
from ._props import (
    CoreWriter,
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
from .environment import ENV
from .grid import needs_tree_fix
from .locate import Line, explain, line_map, syntax_location, where
from .media import LINK_MARK
from .missing import missing_paths
from .replace import picture_names, resolve
from .parts import classify

_CORE: Final = "docProps/core.xml"
_DECL: Final = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
_TAG_START: Final = re.compile(r"\{[{%#]")


@dataclass(slots=True)
class _Part:
    """One templated XML part: its compiled Jinja template and what rendering needs around it."""

    name: str
    kind: str
    template: jinja2.Template
    prefix: str
    suffix: str
    fix_tree: bool
    source: str  # the Jinja source, one line per paragraph: kept to locate problems
    xml: bytes  # the part as the template has it, for the text of its paragraphs
    paths_by_line: dict[int, list[str]] = field(default_factory=dict)
    code: bytes = b""  # the compiled Python Jinja generated, marshalled for the disk cache
    _lines: list[Line] | None = None

    @property
    def lines(self) -> list[Line]:
        """The paragraph of each source line, mapped on first use (failures only)."""
        if self._lines is None:
            root = etree.fromstring(self.xml, PARSER)
            body = root.find(f"{{{W}}}body") if self.kind == "document" else None
            scope = root if body is None else body
            paragraphs = ["".join(p.itertext()) for p in scope.iter(f"{{{W}}}p")]
            self._lines = line_map(self.source, paragraphs)
        return self._lines

    def render(
        self,
        context: Mapping[str, Any],
        label: str,
        budget: Budget,
        additions: media.PackageAdditions,
    ) -> bytes:
        additions.part = self.name
        pictures = additions.pictures
        try:
            out = render_limited(self.template, context, budget)
        except Exception as exc:  # any failure inside a template is the template's to report
            raise self._error(exc, context, label) from exc
        if "\n" in out:  # newlines of the source were stripped at compile time if it could be
            out = out.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
        if "\n" in out or "\t" in out or "\x07" in out or "\x0c" in out:
            out = compat.resolve_listing(out)
            if "\x07" in out or "\x0c" in out:
                raise TemplateError(
                    f"{self.name}: a value with \\a (new paragraph) or \\f (page break) was "
                    "printed outside document text (in an attribute?), where XML cannot hold it",
                    template=label,
                )
        if LINK_MARK in out:
            out = additions.resolve_links(out)
        if additions.markup:
            rid = additions.dangling(self.name, out)
            if rid is not None:
                raise TemplateError(
                    f"{self.name}: a value's markup uses relationship {rid!r}, which this "
                    "document does not have; use Image values for pictures and url_id() for "
                    "links",
                    template=label,
                )
        if self.fix_tree or (self.kind == "document" and additions.pictures > pictures):
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
        needle, what = explain(exc, context, self.paths_by_line.get(lineno or -1, []))
        return TemplateError(self.where(lineno, needle) + what, template=label)

    def where(self, lineno: int | None, needle: str | None) -> str:
        """Return `part, paragraph N: "...text...": ` for a source line, or just the part."""
        return where(self.name, self.lines, lineno, needle)


class CompiledTemplate:
    """A DOCX template parsed, checked and compiled once; render it many times."""

    def __init__(self, data: bytes, name: str, compiled: Mapping[str, Any] | None = None) -> None:
        """Read and check `data`; `compiled` is what `export()` gave for the same bytes by this
        engine version (from the disk cache), used instead of compiling if it fits."""
        self.name = name
        self.sha256 = hashlib.sha256(data).hexdigest()
        package = Package(data, name)
        self._entries: dict[str, Entry] = package.entries
        self._raw: dict[str, bytes] = package.parts
        self._kinds = classify(package.parts, name)
        self._pictures: dict[str, str] | None = None
        self._core = CoreWriter(package.parts.get(_CORE))
        # The entries the same custom properties (and missing-part links) always give.
        self._fixed: dict[tuple[Any, ...], dict[str, Entry]] = {}
        self.restored = compiled is not None and self._restore(compiled)
        if not self.restored:
            self._compile(package.parts)

    def _compile(self, parts: Mapping[str, bytes]) -> None:
        self._parts: list[_Part] = []
        collector = VariableCollector(ENV.globals)
        for part_name, kind in self._kinds:
            part = self._compile_part(part_name, kind, collector)
            if part is not None:
                self._parts.append(part)
        core = parts.get(_CORE)
        if core is not None and (b"{{" in core or b"{%" in core):
            # docxtpl renders tags in the document properties (a title of `{{ name }}`).
            part = self._compile_part(_CORE, "properties", collector)
            if part is not None:
                self._parts.append(part)
        self._variables = frozenset(collector.lines)

    def export(self) -> dict[str, Any]:
        """Return what compiling produced, as JSON-ready data for `diskcache`."""
        return {
            "kinds": [list(k) for k in self._kinds],
            "variables": sorted(self._variables),
            "parts": [
                {
                    "name": p.name,
                    "kind": p.kind,
                    "prefix": p.prefix,
                    "suffix": p.suffix,
                    "fix_tree": p.fix_tree,
                    "source": p.source,
                    "code": base64.b64encode(p.code).decode("ascii"),
                    "by_line": sorted([ln, paths] for ln, paths in p.paths_by_line.items()),
                }
                for p in self._parts
            ],
        }

    def _restore(self, data: Mapping[str, Any]) -> bool:
        """Take the parts from an `export()`; False (and nothing kept) if anything is off."""
        try:
            if data["kinds"] != [list(k) for k in self._kinds]:
                return False
            variables = frozenset(str(v) for v in data["variables"])
            parts = []
            for item in data["parts"]:
                name, kind, code = item["name"], item["kind"], base64.b64decode(item["code"])
                texts = (name, kind, item["prefix"], item["suffix"], item["source"])
                if not all(isinstance(t, str) for t in texts) or name not in self._raw:
                    return False
                by_line = {int(ln): [str(p) for p in paths] for ln, paths in item["by_line"]}
                # Only ever reached for an entry whose HMAC verified (see diskcache).
                python = marshal.loads(code)
                if not isinstance(python, types.CodeType) or python.co_filename != f"<{name}>":
                    return False
                template = ENV.template_class.from_code(ENV, python, ENV.make_globals(None))
                parts.append(
                    _Part(name, kind, template, item["prefix"], item["suffix"],
                          bool(item["fix_tree"]), item["source"], self._raw[name], by_line, code)
                )
        except Exception:  # noqa: BLE001 - any doubt about a cache entry means compiling
            return False
        self._parts, self._variables = parts, variables
        return True

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
        else:
            xml = etree.tostring(root, encoding="unicode")
            if kind in ("footnotes", "endnotes", "properties"):
                # docxtpl renders notes from the stored text, not a re-serialisation.
                try:
                    xml, prefix = raw.decode("utf-8"), ""
                except UnicodeDecodeError:
                    pass
        patched = compat.patch_xml(xml) if "{" in xml else xml
        if kind == "document":
            fix_tree = needs_tree_fix(body)
        if not _TAG_START.search(patched) and not fix_tree:
            # Nothing to fill. A body with pictures or a grid to fix still goes through, so
            # its picture ids are renumbered and grids fixed as docxtpl does on every render.
            return None
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", patched)
        stub = _Part(part_name, kind, None, prefix, suffix, fix_tree, source, raw)  # type: ignore[arg-type]
        try:
            tree = ENV.parse(source, name=part_name, filename=f"<{part_name}>")
            limit_tree(tree, ENV, check_node)  # checks, escapes and bounds in one walk
            check_balance(tree)
        except jinja2.TemplateSyntaxError as exc:
            lineno, needle = syntax_location(exc, source)
            raise TemplateError(
                stub.where(lineno, needle) + f"template syntax error: {exc.message}",
                template=self.name,
            ) from None
        except AstProblem as exc:
            raise TemplateError(
                stub.where(exc.lineno, exc.needle) + exc.message, template=self.name
            ) from None
        part_collector = VariableCollector(ENV.globals)
        part_collector.collect(tree)
        for path, ls in part_collector.lines.items():
            collector.lines.setdefault(path, set()).update(ls)
        by_line: dict[int, list[str]] = {}
        for path, ls in sorted(part_collector.lines.items()):
            for ln in ls:
                by_line.setdefault(ln, []).append(path)
        if "\n" not in patched:
            # Every newline is one `re.sub` above put before a paragraph for line numbers:
            # take them out of the template's text now rather than out of every output.
            for data in tree.find_all(jinja2.nodes.TemplateData):
                data.data = data.data.replace("\n<w:p", "<w:p")
        try:
            python = ENV.compile(tree, name=part_name, filename=f"<{part_name}>", raw=True)
            code = compile(python, f"<{part_name}>", "exec")
        except jinja2.TemplateError as exc:  # e.g. an unknown filter
            lineno = getattr(exc, "lineno", None)
            raise TemplateError(
                stub.where(lineno, None) + str(exc.message or exc), template=self.name
            ) from None
        template = ENV.template_class.from_code(ENV, code, ENV.make_globals(None))
        return _Part(
            part_name, kind, template, prefix, suffix, fix_tree, source, raw, by_line,
            marshal.dumps(code),
        )

    # -- public --
    def render(
        self,
        context: Mapping[str, Any],
        *,
        core_properties: Mapping[str, Any] | None = None,
        custom_properties: Mapping[str, str] | None = None,
        replacements: Mapping[str, bytes | str | Path] | None = None,
    ) -> bytes:
        """Return the DOCX rendered from `context`, with properties set if given and the
        package entries or pictures named in `replacements` swapped (see `replace`)."""
        if not isinstance(context, Mapping):
            raise TemplateError(
                f"context must be a mapping, got {type(context).__name__}", template=self.name
            )
        entries = dict(self._entries)
        budget = Budget()  # one budget for the whole document, all its parts
        additions = media.PackageAdditions(self._raw)
        token = media.begin(additions)
        try:
            for part in self._parts:
                out = part.render(context, self.name, budget, additions)
                entries[part.name] = entry_from_bytes(part.name, out)
        except TemplateError as err:
            raise self._with_every_missing(err, context) from err.__cause__
        finally:
            media.end(token)
        for name, data in additions.changed_parts(lambda n: _current(entries, n)):
            entries[name] = entry_from_bytes(name, data)
        if replacements:
            for name, data in self._replaced(replacements).items():
                entries[name] = entry_from_bytes(name, data)
        if core_properties:
            if entries.get(_CORE) is self._entries.get(_CORE):  # core.xml has no tags
                xml = self._core.xml(core_properties)
            else:
                xml = core_xml(_current(entries, _CORE), core_properties)
            entries[_CORE] = entry_from_bytes(_CORE, xml)
        if (core_properties and _CORE not in self._raw) or custom_properties:
            self._set_properties(entries, bool(core_properties), custom_properties)
        return write_zip(entries.values())

    def _set_properties(
        self,
        entries: dict[str, Entry],
        link_core: bool,
        custom_properties: Mapping[str, str] | None,
    ) -> None:
        """Write custom.xml and relate new property parts, once per distinct set of values.

        They depend only on the template and the values (a packet passes the same identity
        every time), unless a render changed the content types or relationships itself.
        """
        key: tuple[Any, ...] | None = None
        names = ("[Content_Types].xml", "_rels/.rels")
        if all(entries.get(n) is self._entries.get(n) for n in names):
            key = (link_core, tuple(custom_properties.items()) if custom_properties else ())
            try:
                hash(key)
            except TypeError:
                key = None
        cached = self._fixed.get(key) if key is not None else None
        if cached is not None:
            entries.update(cached)
            return
        before = dict(entries)
        if link_core and _CORE not in self._raw:
            self._link(entries, _CORE, CORE_TYPE, CORE_REL)
        if custom_properties:
            xml = custom_xml(self._raw.get("docProps/custom.xml"), custom_properties)
            entries["docProps/custom.xml"] = entry_from_bytes("docProps/custom.xml", xml)
            if "docProps/custom.xml" not in self._raw:
                self._link(entries, "docProps/custom.xml", CUSTOM_TYPE, CUSTOM_REL)
        if key is not None and len(self._fixed) < 64:
            self._fixed[key] = {n: e for n, e in entries.items() if before.get(n) is not e}

    def _with_every_missing(self, err: TemplateError, context: Mapping[str, Any]) -> TemplateError:
        """Return `err`, naming every other missing variable too if it is about one."""
        if not isinstance(err.__cause__, jinja2.UndefinedError):
            return err
        missing = self.missing(context)
        first = re.search(r"undefined variable '([^']+)'", err.message)
        others = [p for p in missing if first is None or p != first.group(1)]
        if not others:
            return err
        shown = ", ".join(repr(p) for p in others[:20])
        more = f" and {len(others) - 20} more" if len(others) > 20 else ""
        return TemplateError(f"{err.message}; also undefined: {shown}{more}", template=err.template)

    def _replaced(self, replacements: Mapping[str, bytes | str | Path]) -> dict[str, bytes]:
        if self._pictures is None:
            self._pictures = picture_names(self._raw, [n for n, _ in self._kinds])
        return resolve(replacements, self._entries, self._pictures, self.name)

    def _link(self, entries: dict[str, Entry], part: str, content_type: str, reltype: str) -> None:
        """Declare a new part's content type and relate it from the package."""
        ct = add_override(_current(entries, "[Content_Types].xml") or b"", part, content_type)
        entries["[Content_Types].xml"] = entry_from_bytes("[Content_Types].xml", ct)
        rels = add_package_rel(_current(entries, "_rels/.rels"), part, reltype)
        entries["_rels/.rels"] = entry_from_bytes("_rels/.rels", rels)

    def missing(self, context: Mapping[str, Any]) -> list[str]:
        """Return every variable path a render with `context` would miss, sorted (for a lint
        that reports them all at once); empty if it has all it needs."""
        return missing_paths(((p.name, p.source) for p in self._parts), self._variables, context)

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
