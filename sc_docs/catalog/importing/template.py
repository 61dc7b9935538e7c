"""Import an official Word document as a catalog template (`sc-docs templates import`).

Each blank the document has (`blanks`) gets a proposal (`propose`); a mapped blank becomes a tag
that reads the record through the template contract (`applicant.*`, the section under its kind's
name), a blank filled by hand (a signature) stays as it is, and one nothing explains becomes a
visible `[UNMAPPED: ...]` marker that the list names for a person to decide.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from sc_docs import fieldpath
from sc_docs.catalog.contract import DOCUMENTS, SECTION_NAMES
from sc_docs.catalog.importing.blanks import DocxBlanks, escape_braces
from sc_docs.catalog.importing.entry import (
    ImportResult, Mapped, assigned, claim_folder, lint, meta_text, output_folder, proposer_for, section_schema, write_files,
)
from sc_docs.catalog.importing.propose import SECTION, Target, is_address, is_date
from sc_docs.errors import CatalogError, UsageError
from sc_docs.files import read_bounded


def tag_for(target: Target, section: str) -> str:
    """Return the template text that prints `target`: filters for dates, lists and addresses."""
    root = "applicant" if target.root == "applicant" else section
    path = fieldpath.format([root, *target.path])
    schema = target.schema
    if target.part == "city_state_zip":
        return f"{{{{ {path}.city }}}}, {{{{ {path}.state }}}} {{{{ {path}.zip }}}}"
    if is_address(schema):
        expr = f'{{{{ {path}.street | join(", ") }}}}, {{{{ {path}.city }}}}, {{{{ {path}.state }}}} {{{{ {path}.zip }}}}'
        return expr
    if schema.get("type") == "array":
        last = target.path[-1]
        inner = f'{path} | join(", ")' if last == "street" else f"{path} | join_list"
    elif is_date(schema):
        inner = f"{path} | us_date"
    else:
        inner = path
    if target.required:
        return f"{{{{ {inner} }}}}"
    return f"{{% if {path} is defined and {path} %}}{{{{ {inner} }}}}{{% endif %}}"


def record_path(target: Target, key: str) -> str:
    return fieldpath.format([DOCUMENTS, key, *target.path] if target.root == SECTION else ["applicant", *target.path])


def marker(text: str) -> str:
    words = " ".join(text.split())[:60].rstrip(" :.") or "blank"
    return escape_braces(f"[UNMAPPED: {words}]")


def core_date(data: bytes) -> dt.date | None:
    """The modified (else created) date in a DOCX's core properties: the official version's date."""
    import io
    import zipfile

    try:
        xml = zipfile.ZipFile(io.BytesIO(data)).read("docProps/core.xml").decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError):
        return None
    for name in ("modified", "created"):
        m = re.search(rf"<dcterms:{name}[^>]*>(\d{{4}}-\d{{2}}-\d{{2}})", xml)
        if m:
            try:
                return dt.date.fromisoformat(m.group(1))
            except ValueError:
                return None
    return None


def _covered(field: str, used: list[str]) -> bool:
    """Whether the template reads `field`: itself, a part of it, or the object holding it."""
    return any(u == field or u.startswith(field + ".") or field.startswith(u + ".") for u in used)


def first_words(blanks: DocxBlanks) -> str:
    """A title for a new entry: the document's first line of text."""
    from sc_docs.catalog.importing.blanks import paragraph_text, w

    for p in blanks.trees["word/document.xml"].iter(w("p")):
        text = " ".join(paragraph_text(p).split())
        if text and not set(text) <= set("_[] "):
            return text[:80]
    return "Imported document"


def import_docx(
    source: Path, key: str, *, kind: str | None = None, out: Path | None = None, force: bool = False,
    version: str = "official", as_of: dt.date | None = None, title: str | None = None,
    assign: dict[int, str] | None = None, strict: bool = False, write: bool = True,
) -> ImportResult:
    """Find the blanks of `source`, propose a record path for each and write the entry `key`.

    `assign` maps a blank's number to a record path a person chose (`applicant.legal_name`, or
    `documents.<key>.<field>`), overriding the proposal. `strict` refuses to write while a blank
    is unmapped. `write=False` only proposes. Returns what was found, written and linted.
    """
    proposer, known = proposer_for(key)
    if known is not None and known.kind not in ("agreement", "letter"):
        raise UsageError(f"{key} is {'an' if known.kind[0] in 'aeiou' else 'a'} {known.kind}, not a Word document; a fillable PDF is brought in with `sc-docs forms map`")
    kind = kind or (known.kind if known is not None else "agreement")
    if kind not in ("agreement", "letter"):
        raise UsageError(f"--kind must be agreement or letter, not {kind!r}")
    data = read_bounded(source, what="the official document")
    blanks = DocxBlanks(data, str(source))
    section = SECTION_NAMES[kind]
    items: list[Mapped] = []
    values: dict[int, str] = {}
    for blank in blanks.blanks:
        proposal = proposer.propose(blank.hint)
        if assign and blank.number in assign:
            proposal = assigned(proposer, key, assign[blank.number])
        context = " ".join((blank.hint.own or blank.hint.label[-50:] or blank.hint.caption[:50]).split())
        item = Mapped(blank.number, blank.kind, blank.text, context, proposal)
        if proposal.target is not None:
            values[blank.number] = item.written = tag_for(proposal.target, section)
            item.record_path = record_path(proposal.target, key)
        elif proposal.action == "unmapped":
            values[blank.number] = item.written = marker(blank.hint.own or blank.hint.label.split(".")[-1] or blank.text)
        else:
            item.written = blank.text
        items.append(item)
    folder = output_folder(key, out)
    result = ImportResult(key, folder, items, [])
    if strict and result.unmapped:
        raise CatalogError(f"{len(result.unmapped)} blank(s) could not be mapped; nothing written (map them with --assign N=PATH)")
    if known is not None:
        used = [
            fieldpath.format([section, *m.proposal.target.path])
            for m in items if m.proposal.target is not None and m.proposal.target.root == SECTION
        ]
        result.unused_fields = [
            path for path in (f"{section}.{f.path}" for f in proposer.schemas.leaf_fields(known.schema_name) if f.required)
            if not _covered(path.replace("[]", ""), used)
        ]
    if not write:
        return result
    claim_folder(folder, force)
    files = {"template.docx": blanks.replace(values)}
    if known is None:
        files[f"{key}.schema.json"] = section_schema(key, title or first_words(blanks), proposer.section_fields)
    meta = meta_text(
        key, kind, known, title=title or first_words(blanks), version=version,
        as_of=as_of or core_date(data) or dt.date.today(), files={"template": "template.docx"},
        unused=result.unused_fields, source_name=source.name,
    )
    files["meta.yaml"] = meta.encode()
    write_files(folder, files, source)
    result.files = sorted(files)
    result.problems = lint(folder)
    return result

