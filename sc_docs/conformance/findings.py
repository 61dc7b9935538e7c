"""Deviations found beside the text alignment: what a reader sees that the words alone miss.

Pending tracked changes, text no one can see (hidden, white on white, tiny, off the page),
embedded documents verification cannot read, content controls whose data binding says something
else than they show, and (with `strict`) formatting. Each is placed by article / section and
paragraph like any other deviation.
"""

from __future__ import annotations

from typing import Any

from .diffing import snippet_after, snippet_before
from .docread import Paragraph, normalize
from .locate import Location
from .package import DocPackage
from .report import Deviation


def _located(run: Any) -> list[tuple[Paragraph, Location]]:
    """Every paragraph read (empty ones too) with the location of the text it belongs to."""
    out = []
    loc = Location()
    index_of = {id(p): j for j, p in enumerate(run.docs)}
    for p in run.all:
        j = index_of.get(id(p))
        if j is not None:
            loc = run.location_of.get(j, loc)
        out.append((p, loc if p.part == "document" else Location(p.part)))
    return out


def _around(p: Paragraph, start: int, end: int) -> dict[str, str]:
    before, after = normalize(p.text[:start]), normalize(p.text[end:])
    return {"before": snippet_before(before, len(before)), "after": snippet_after(after, 0)}


def _at(loc: Location, p: Paragraph) -> dict[str, Any]:
    return {"location": loc.label(), "article": loc.article, "section": loc.section, "part": p.part,
            "paragraph": p.index}


def tracked(run: Any) -> list[Deviation]:
    """Pending tracked insertions and deletions, each a deviation of its own."""
    out: list[Deviation] = []
    for p, loc in _located(run):
        for t in p.tracked:
            end = t.offset + (len(t.text) if t.kind == "deleted" else 0)
            out.append(Deviation(
                kind="inserted" if t.kind == "inserted" else "deleted", tracked=True, **_at(loc, p),
                expected=normalize(t.text) if t.kind == "deleted" else "",
                found=normalize(t.text) if t.kind == "inserted" else "",
                **_around(p, t.offset, end), author=t.author, date=t.date,
            ))
    return out


def hidden(run: Any) -> list[Deviation]:
    """Text kept in the file that no reader sees: read as deleted, reported with the reason."""
    out: list[Deviation] = []
    for p, loc in _located(run):
        for h in p.hidden:
            if h.text.strip():
                out.append(Deviation(kind="hidden", **_at(loc, p), found=normalize(h.text), reason=h.reason,
                                     **_around(p, h.offset, h.offset)))
    return out


def _place(run: Any, part: str, index: int) -> tuple[Location, Paragraph | None]:
    for p, loc in _located(run):
        if p.part == part and p.index == index and not p.marker:
            return loc, p
    return (Location() if part == "document" else Location(part)), None


def embedded(run: Any, package: DocPackage) -> list[Deviation]:
    """Embedded documents and objects: shown to a reader, not readable as the agreement's text."""
    out: list[Deviation] = []
    for e in package.embedded():
        loc, p = _place(run, e.part, max(e.paragraph, 1))
        where = {"location": loc.label(), "article": loc.article, "section": loc.section, "part": e.part,
                 "paragraph": p.index if p else None}
        out.append(Deviation(kind="embedded", **where, found=e.kind + (f" ({e.target})" if e.target else ""),
                             reason=f"an {e.kind} shows content that cannot be compared with the pro forma"))
    return out


def bindings(run: Any, package: DocPackage) -> list[Deviation]:
    """Content controls whose data binding holds other text than they show (Word shows the binding)."""
    out: list[Deviation] = []
    for b, value in package.bindings():
        if value is None or normalize(value) == normalize(b.shown):
            continue
        loc, p = _place(run, b.part, b.paragraph)
        where = {"location": loc.label(), "article": loc.article, "section": loc.section, "part": b.part,
                 "paragraph": p.index if p else None}
        out.append(Deviation(kind="bound", **where, expected=normalize(b.shown), found=normalize(value),
                             reason=f"a content control shows this text but its data binding ({b.xpath}) "
                                    "holds other text, which Word displays when it updates the control"))
    return out


def formatting(run: Any, template: DocPackage, document: DocPackage) -> list[Deviation]:
    """Formatting differences of matched paragraphs and of the styles they use (strict)."""
    out: list[Deviation] = []
    used: set[str] = set()
    t_default, d_default = template.default_paragraph_style(), document.default_paragraph_style()
    for step in run.alignment.steps:
        if step.op != "match" or step.doc is None or step.pid is None:
            continue
        para = run.docs[step.doc]
        spec = run.pattern.paras[step.pid]
        want = spec.formatting
        if para.marker or want is None:
            continue
        if para.style:
            used.add(para.style)
        got = para.formatting
        # no w:pStyle means the default paragraph style: the same thing written differently
        want = (want[0] or t_default, want[1], want[2])
        got = (got[0] or d_default, got[1], got[2])
        if want == got:
            continue
        what = []
        if want[0] != got[0]:
            what.append(f"paragraph style {want[0] or '(default)'} -> {got[0] or '(default)'}")
        if want[1] != got[1]:
            what.append(f"alignment {want[1] or '(default)'} -> {got[1] or '(default)'}")
        if want[2] != got[2]:
            what.append(f"character formatting [{' / '.join(x or 'plain' for x in want[2])}] -> "
                        f"[{' / '.join(x or 'plain' for x in got[2])}]")
        out.append(run._dev("formatting", step.doc, spec, found="; ".join(what),
                             expected=normalize(para.text)[:80]))
    tstyles, dstyles = template.styles(), document.styles()
    for sid in sorted(used):
        if sid in tstyles and dstyles.get(sid) != tstyles[sid]:
            out.append(Deviation(kind="formatting", location="styles", part="styles",
                                 found=f"style {sid}: {tstyles[sid] or '(plain)'} -> {dstyles.get(sid) or '(missing)'}"))
    return out
