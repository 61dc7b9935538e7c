"""Render docxtpl-style DOCX templates: strict, sandboxed, deterministic and fast.

The engine knows nothing of agreements or applicants: it fills any DOCX whose text holds Jinja
tags (with docxtpl's extensions `{%tr %}`, `{%p %}`, `{%tc %}`, `{%r %}`, `colspan`, `cellbg`,
`vm`, `hm`, and docxtpl's `RichText` / `Listing` / `InlineImage` values) from a plain mapping.
Tags in the core document properties (a title of `{{ name }}`) are rendered too.

Public API:

- `compile_template(source, name=None) -> CompiledTemplate`: read and check a template once per
  process (cached by the SHA-256 of its bytes). docxtpl's XML preprocessing runs here and each
  part with tags (document, headers, footers, footnotes, endnotes) is compiled to one Jinja
  template. `source` is a path or the DOCX bytes; `name` labels errors (default: file name).
  What compiling produced is also kept on disk, signed, for the next process (`diskcache`;
  `SC_DOCS_CACHE_DIR` moves it, `SC_DOCS_NO_CACHE=1` turns it off): output is the same either way.
- `CompiledTemplate.render(context, *, core_properties=None, custom_properties=None,
  replacements=None) -> bytes`: the rendered DOCX. Unchanged parts are copied still compressed;
  entries have a fixed date and a stable order, so equal inputs give identical bytes.
  `core_properties` sets `docProps/core.xml` fields (keys in `CORE_FIELDS`: title, subject,
  creator, created, modified, ...); `custom_properties` sets string properties in
  `docProps/custom.xml` (created if absent); `replacements` swaps media or embedded files, by
  entry name or picture name, for new bytes (docxtpl's `replace_pic` / `replace_media` /
  `replace_embedded` / `replace_zipname`, see `replace`).
- Values that bring more than text, carried into the package with their relationships,
  content types and renumbered ids: `Image(source, width=None, height=None)` (or docxtpl's
  `InlineImage`) for an inline picture; `Subdocument(source)` for another DOCX's body under a
  `{{p tag }}`, its pictures and links included; `url_id(url)` for a `RichText` hyperlink (in
  place of docxtpl's `build_url_id`). Markup that points at relationships of another document
  (docxtpl's `build_url_id` ids, a `Subdoc` with pictures) is refused naming the value.
- `CompiledTemplate.missing(context) -> list[str]`: every variable path a render with
  `context` would miss (a failed render names them all too).
- `CompiledTemplate.variables() -> set[str]`: every variable path the template reads, loop
  variables resolved: `agreement.scids[].scid`.
- `CompiledTemplate.text_with_tags() -> str`: the template's text with its tags, a paragraph per
  line, table cells separated by ` | `, each part labelled: for reviewing template changes.
- `render_docx(template, context, **kw) -> bytes`: compile (cached) and render.
- `docx_text(data) -> str`: the plain text of a DOCX, headers, footers and notes included.
- `leftover_tags(data) -> list[str]`: the parts of a DOCX whose XML still holds `{{ {% %} }}`.
- `make_environment()`: a fresh Jinja environment configured as the engine's (for comparisons).

Rules: undefined values (every missing variable is listed at once), `None` values, values with characters XML cannot hold, sandbox
violations, malformed templates and unsafe packages (DTDs in any encoding, zip bombs, entries
that inflate past their declared size) all raise `TemplateError` naming the template, the part,
the paragraph and the text around the tag. So does a template that asks for too much memory or
time (`'a' * 10**10`, `7**(7**9)`, `center(10**10)`, nested loops): sizes, loop steps, render
time and output are bounded, see `_limits`. Values are escaped
once and never evaluated; a newline in a value becomes a line break, a tab a tab, `\a` a new
paragraph and `\f` a page break, as in docxtpl. Filters:
`long_date`, `us_date`, `currency`, `join_list`, `upper_name` (see `_filters`).
"""

from __future__ import annotations

from ._props import CORE_FIELDS
from .cache import compile_template, render_docx
from .compile import CompiledTemplate
from .environment import make_environment
from .media import Image, url_id
from .parts import docx_text, leftover_tags
from .subdoc import Subdocument

__all__ = [
    "CORE_FIELDS",
    "CompiledTemplate",
    "Image",
    "Subdocument",
    "compile_template",
    "docx_text",
    "leftover_tags",
    "make_environment",
    "render_docx",
    "url_id",
]
