"""Verify a returned agreement against its pro forma; read its fill-ins back.

`verify_docx(data)` identifies the template (custom properties, else text similarity), aligns the
document's paragraphs with the template's pattern, reads each fill-in, rebuilds the context the
document implies, displays every fill-in again from it, and reports every difference that is not
a fill-in: changed, inserted or deleted text (with article, section, paragraph and snippets),
pending tracked changes, and with `strict=True` formatting. Comments are listed, never counted.
"""

from __future__ import annotations

from pathlib import Path

from sc_docs.catalog import document_sections
from sc_docs.catalog.contract import DOCUMENTS
from typing import Any

from . import fillins as fi
from . import findings, readback
from .align import Alignment, Step, align
from .diffing import fuzzy_read, instantiate, snippet_after, snippet_before, word_changes
from .docread import Paragraph, normalize
from .identify import document_context, identify, template_pattern
from .locate import Location
from .match import squash
from .package import open_package
from .pattern import InlineIf, ParaSpec, Pattern, Slot, path_text
from .report import Comment, Deviation, Report

__all__ = ["document_context", "extract_fill_ins", "identify", "template_pattern", "verify_docx"]


class _Run:
    """One verification: the alignment and everything derived from it."""

    def __init__(self, pattern: Pattern, paragraphs: list[Paragraph], document: dict[str, Any]) -> None:
        self.pattern = pattern
        self.all = paragraphs
        self.docs = [p for p in paragraphs if p.text.strip()]
        self.document = document
        self.alignment: Alignment = align(pattern, self.docs)
        self.evaluator = fi.Evaluator()
        self.occurrences: list[fi.Occurrence] = []
        self.fuzzy: dict[int, tuple[dict[int, str], list]] = {}  # step -> (values, pieces)
        self.inline_branches: list[tuple[InlineIf, int, dict[int, int]]] = []
        self.inline_at: dict[int, dict[int, int]] = {}  # step -> inline if id -> branch shown
        self._read()
        self.facts = self._facts()
        # Displayed-only values would be shown through their filter a second time: leave them out.
        tree = self.facts.tree(max_rank=fi.FUZZY)
        self.context = {"applicant": tree.get("applicant", {}), "agreement": tree.get("agreement", {}),
                        "document": document}
        self.location_of: dict[int, Location] = {}  # doc index -> location
        loc = Location()
        for step in self.alignment.steps:
            if step.pid is not None:
                loc = pattern.paras[step.pid].location
            if step.doc is not None and step.op != "del":
                self.location_of[step.doc] = loc

    # -- reading --
    def _read(self) -> None:
        for n, step in enumerate(self.alignment.steps):
            if step.op not in ("match", "sub") or step.pid is None or step.doc is None:
                continue
            spec = self.pattern.paras[step.pid]
            if step.op == "match" and step.match is not None:
                self._read_match(spec, step, n)
            else:
                reading = fuzzy_read(spec, self.docs[step.doc].text)
                self.fuzzy[n] = (reading.values, reading.pieces)
                for slot in spec.slots():
                    if slot.id in reading.values:
                        self.occurrences.append(fi.Occurrence(
                            slot, step.loops, reading.values[slot.id], n, slot.id in reading.exact))
                self._note_inline(spec.items, reading.choice, step.loops)

    def _read_match(self, spec: ParaSpec, step: Step, n: int) -> None:
        m = step.match
        assert m is not None
        groups = m.groupdict()

        def visit(items: list) -> None:
            for item in items:
                if isinstance(item, Slot):
                    if groups.get(item.group) is not None:
                        self.occurrences.append(fi.Occurrence(item, step.loops, normalize(groups[item.group]), n, True))
                elif isinstance(item, InlineIf):
                    for k, branch in enumerate(item.branches):
                        if groups.get(f"b{item.id}_{k}") is not None:
                            self.inline_branches.append((item, k, step.loops))
                            self.inline_at.setdefault(n, {})[item.id] = k
                            visit(branch)
                            break

        visit(spec.items)

    def _note_inline(self, items: list, choice: dict[int, int], loops: dict[int, int]) -> None:
        for item in items:
            if isinstance(item, InlineIf) and item.id in choice:
                self.inline_branches.append((item, choice[item.id], loops))
                self._note_inline(item.branches[choice[item.id]], choice, loops)

    def counts(self, loops: dict[int, int]) -> dict[int, int]:
        """Iteration counts of the loops enclosing an occurrence.

        Loop ids grow in template order, so the loops enclosing loop `lid` are those of the
        occurrence with a smaller id.
        """
        out: dict[int, int] = {}
        for lid in loops:
            outer = tuple(sorted((k, v) for k, v in loops.items() if k < lid))
            count = self.alignment.iterations.get((lid, outer))
            if count is not None:
                out[lid] = count
        return out

    def _facts(self) -> fi.Facts:
        facts = fi.Facts()
        facts.seed("document", self.document)
        for occ in self.occurrences:
            slot = occ.slot
            if slot.path is None:
                continue
            path = fi.concrete(slot.path, occ.loops)
            if path is None or path[0] == "document":
                continue
            value, rank = fi.invert(occ.display, slot.filters)
            facts.offer(path, value, rank if occ.exact else max(rank, fi.FUZZY))
        known: dict[tuple[str | int, ...], list[Any]] = {}  # path -> [excluded values, defined]
        for if_id, k, loops, _ in self.alignment.branches:
            spec = self.pattern.ifs[if_id]
            self._infer(spec.tests, k, spec.scope, loops, facts, known)
        for item, k, loops in self.inline_branches:
            self._infer(item.tests, k, item.scope, loops, facts, known)
        if known:
            from .hints import SchemaHints

            hints = SchemaHints(str(self.document.get("key", "")))
            for path, (excluded, defined) in known.items():
                if path in facts.values or not (defined or hints.required(path)):
                    continue
                left = [v for v in hints.enum(path) or [] if v not in excluded]
                if len(left) == 1 and excluded:
                    facts.offer(path, left[0], fi.INFERRED)
        for (lid, outer), count in self.alignment.iterations.items():
            loop = self.pattern.loops.get(lid)
            if loop is None or loop.path is None:
                continue
            path = fi.concrete(loop.path, dict(outer))
            if path is not None and path[0] != "document":
                facts.lengths[path] = max(facts.lengths.get(path, 0), count)
        return facts

    def _infer(self, tests: list, k: int, scope: tuple, loops: dict[int, int], facts: fi.Facts,
               known: dict[tuple[str | int, ...], list[Any]]) -> None:
        """Learn from the alternative shown: `x == "c"` held (x is "c") or failed (x is not "c"),
        `x is defined` held; with the schema's enum a value excluded down to one is named."""
        from jinja2 import nodes as jn

        from .pattern import resolve

        def where(expr: Any) -> tuple[str | int, ...] | None:
            symbolic, filters, _ = resolve(expr, scope)
            path = fi.concrete(symbolic, loops) if symbolic is not None and not filters else None
            return path if path is not None and path[0] != "document" else None

        for i, test in enumerate(tests[: k + 1]):
            held = i == k
            eq = fi.equality(test)
            if eq is not None:
                path = where(eq[0])
                if path is None:
                    continue
                if held:
                    facts.offer(path, eq[1], fi.INFERRED)
                else:
                    known.setdefault(path, [set(), False])[0].add(eq[1])
            elif isinstance(test, jn.Test) and test.name == "defined" and held:
                path = where(test.node)
                if path is not None:
                    known.setdefault(path, [set(), False])[1] = True

    # -- checking --
    def expected_display(self, occ: fi.Occurrence, context: dict[str, Any]) -> str | None:
        ctx = fi.loop_context(occ.slot.scope, occ.loops, self.counts(occ.loops), context)
        return self.evaluator.display(occ.slot.node, ctx)

    def deviations(self) -> list[Deviation]:
        out: list[Deviation] = []
        by_step: dict[int, list[fi.Occurrence]] = {}
        for occ in self.occurrences:
            by_step.setdefault(occ.step, []).append(occ)
        pending: list[tuple[str, Step]] = []
        for n, step in enumerate(self.alignment.steps):
            if step.op in ("ins", "del"):
                if pending and pending[-1][0] != step.op:
                    out.extend(self._whole(pending))
                    pending = []
                pending.append((step.op, step))
                continue
            if pending:
                out.extend(self._whole(pending))
                pending = []
            if step.op == "match":
                out.extend(self._conflicts(step, by_step.get(n, [])) or self._inline_alternatives(n, step, by_step.get(n, [])))
            else:
                out.extend(self._changed(n, step, by_step.get(n, [])))
        if pending:
            out.extend(self._whole(pending))
        return out + self._block_alternatives()

    def expected_branch(self, tests: list, scope: tuple, loops: dict[int, int]) -> int | None:
        """The alternative the fill-ins call for (None when a test cannot be evaluated)."""
        ctx = fi.loop_context(scope, loops, self.counts(loops), self.context)
        for k, test in enumerate(tests):
            if test is None:
                return k
            if not self._known(test, scope, loops):
                return None  # e.g. `x is defined` where the document never shows x
            held = self.evaluator.test(test, ctx)
            if held is None:
                return None
            if held:
                return k
        return None

    def _known(self, node: Any, scope: tuple, loops: dict[int, int]) -> bool:
        """True if every variable `node` reads was read back from the document."""
        from jinja2 import nodes as jn

        from .expressions import var_path

        if isinstance(node, (jn.Name, jn.Getattr, jn.Getitem)):
            if isinstance(node, jn.Name) and node.name == "loop":
                return True
            if isinstance(node, jn.Getattr) and isinstance(node.node, jn.Name) and node.node.name == "loop":
                return True
            symbolic = var_path(node, scope)
            path = fi.concrete(symbolic, loops) if symbolic is not None else None
            if path is None:
                return False
            return fi.lookup(self.context, path, {}) is not None
        return all(self._known(child, scope, loops) for child in node.iter_child_nodes())

    def _block_alternatives(self) -> list[Deviation]:
        """Optional or alternative paragraphs that disagree with the fill-ins (an `{%p if %}`
        clause kept, dropped or swapped although the facts it depends on say otherwise)."""
        out: list[Deviation] = []
        steps = self.alignment.steps
        for if_id, k, loops, first in self.alignment.branches:
            spec = self.pattern.ifs[if_id]
            want = self.expected_branch(spec.tests, spec.scope, loops)
            if want is None or want == k or not spec.pids:
                continue
            shown = set(spec.pids[k])
            mine = []
            for step in steps[first:]:
                if step.pid in shown:
                    mine.append(step)
                elif step.op != "ins":
                    break
            found = "\n".join(normalize(self.docs[s.doc].text) for s in mine if s.doc is not None and s.op != "del")
            expected = "\n".join(self._template_text(Step("del", pid, None, loops)) for pid in spec.pids[want])
            at = mine[0] if mine else (steps[first] if first < len(steps) else None)
            doc_index = at.doc if at is not None else None
            pid = at.pid if at is not None else None
            kind = "changed" if found and expected else ("inserted" if found else "deleted")
            test = spec.tests[want] if spec.tests[want] is not None else spec.tests[k]
            from .pattern import expr_text

            out.append(self._dev(kind, doc_index if doc_index is not None and doc_index < len(self.docs) else None,
                                 self.pattern.paras[pid] if pid else None, expected=expected, found=found,
                                 fill_in=f"if {expr_text(test)}" if test is not None else None))
        return out

    def _inline_alternatives(self, n: int, step: Step, occs: list[fi.Occurrence]) -> list[Deviation]:
        """Alternative wording inside a paragraph that disagrees with the fill-ins."""
        shown = self.inline_at.get(n)
        if not shown or step.pid is None or step.doc is None:
            return []
        spec = self.pattern.paras[step.pid]
        wanted: dict[int, int] = {}
        differs = []
        for item, _, loops in self.inline_branches:
            if item.id in shown and loops == step.loops:
                want = self.expected_branch(item.tests, item.scope, loops)
                if want is not None:
                    wanted[item.id] = want
                    if want != shown[item.id]:
                        differs.append(item)
        if not differs:
            return []
        values = {o.slot.id: (self.expected_display(o, self.context) or o.display) for o in occs}
        pieces: list = []

        def flatten(items: list) -> None:
            for item in items:
                if isinstance(item, InlineIf):
                    flatten(item.branches[wanted.get(item.id, shown.get(item.id, len(item.branches) - 1))])
                else:
                    pieces.append(item)
                    if isinstance(item, Slot) and item.id not in values:
                        occ = fi.Occurrence(item, step.loops, "", -1, False)
                        want = self.expected_display(occ, self.context)
                        if want is not None:
                            values[item.id] = want

        flatten(spec.items)
        found = normalize(self.docs[step.doc].text)
        from .pattern import expr_text

        tests = ", ".join(f"if {expr_text(i.tests[0])}" for i in differs if i.tests and i.tests[0] is not None)
        return [
            self._dev(c.kind, step.doc, spec, expected=c.expected, found=c.found, fill_in=tests or None,
                      before=snippet_before(found, c.start), after=snippet_after(found, c.end))
            for c in word_changes(instantiate(pieces, values), found)
        ]

    def _dev(self, kind: Any, doc_index: int | None, spec: ParaSpec | None, **kw: Any) -> Deviation:
        if spec is not None:
            loc = spec.location
        elif doc_index is not None:
            loc = self.location_of.get(doc_index, Location())
        else:
            loc = Location()
        para = self.docs[doc_index] if doc_index is not None and doc_index < len(self.docs) else None
        return Deviation(kind=kind, location=loc.label(), article=loc.article, section=loc.section,
                         part=para.part if para else loc.part, paragraph=para.index if para else None, **kw)

    def _conflicts(self, step: Step, occs: list[fi.Occurrence]) -> list[Deviation]:
        assert step.doc is not None and step.match is not None
        text = squash(self.docs[step.doc].text)
        edits: list[tuple[int, int, str, Slot]] = []
        for occ in occs:
            want = self.expected_display(occ, self.context)
            if want is not None and want != occ.display:
                start, end = step.match.span(occ.slot.group)
                edits.append((start, end, want, occ.slot))
        if not edits:
            return []
        expected = text
        for start, end, want, _ in sorted(edits, key=lambda e: -e[0]):
            expected = expected[:start] + want + expected[end:]
        found = normalize(text)
        names = ", ".join(sorted({path_text(s.path, step.loops) if s.path else s.text for *_, s in edits}))
        spec = self.pattern.paras[step.pid] if step.pid else None
        return [
            self._dev("changed" if c.kind == "changed" else c.kind, step.doc, spec, expected=c.expected, found=c.found,
                      before=snippet_before(found, c.start), after=snippet_after(found, c.end), fill_in=names)
            for c in word_changes(normalize(expected), found)
        ]

    def _changed(self, n: int, step: Step, occs: list[fi.Occurrence]) -> list[Deviation]:
        assert step.doc is not None and step.pid is not None
        values, pieces = self.fuzzy.get(n, ({}, []))
        values = dict(values)
        for occ in occs:
            want = self.expected_display(occ, self.context)
            if want is not None:
                values[occ.slot.id] = want
        expected = instantiate(pieces, values)
        found = normalize(self.docs[step.doc].text)
        spec = self.pattern.paras[step.pid]
        return [
            self._dev(c.kind, step.doc, spec, expected=c.expected, found=c.found,
                      before=snippet_before(found, c.start), after=snippet_after(found, c.end))
            for c in word_changes(expected, found)
        ]

    def _whole(self, run: list[tuple[str, Step]]) -> list[Deviation]:
        op = run[0][0]
        first = run[0][1]
        if op == "ins":
            texts = [normalize(self.docs[s.doc].text) for _, s in run if s.doc is not None]
            j0, j1 = run[0][1].doc, run[-1][1].doc
            prev = normalize(self.docs[j0 - 1].text) if j0 and j0 > 0 else ""
            nxt = normalize(self.docs[j1 + 1].text) if j1 is not None and j1 + 1 < len(self.docs) else ""
            return [self._dev("inserted", j0, None, found="\n".join(texts),
                              before=snippet_before(prev, len(prev)), after=snippet_after(nxt, 0))]
        texts = [self._template_text(s) for _, s in run]
        j = first.doc
        prev = normalize(self.docs[j - 1].text) if j and j > 0 else ""
        nxt = normalize(self.docs[j].text) if j is not None and j < len(self.docs) else ""
        spec = self.pattern.paras[first.pid] if first.pid else None
        dev = self._dev("deleted", j if j is not None and j < len(self.docs) else None, spec,
                        expected="\n".join(texts), before=snippet_before(prev, len(prev)), after=snippet_after(nxt, 0))
        return [dev]

    def _template_text(self, step: Step) -> str:
        """The text a missing template paragraph would have had, fill-ins shown where known."""
        assert step.pid is not None
        spec = self.pattern.paras[step.pid]
        values: dict[int, str] = {}
        pieces: list = []

        def flatten(items: list) -> None:
            for item in items:
                if isinstance(item, InlineIf):
                    k = self._branch_for(item, step.loops)
                    flatten(item.branches[k])
                else:
                    pieces.append(item)
                    if isinstance(item, Slot):
                        occ = fi.Occurrence(item, step.loops, "", -1, False)
                        want = self.expected_display(occ, self.context)
                        if want is not None:
                            values[item.id] = want

        flatten(spec.items)
        return instantiate(pieces, values)

    def _branch_for(self, item: InlineIf, loops: dict[int, int]) -> int:
        for k, test in enumerate(item.tests):
            if test is None:
                return k
            ctx = fi.loop_context(item.scope, loops, self.counts(loops), self.context)
            if self.evaluator.test(test, ctx):
                return k
        return len(item.tests) - 1


def verify_docx(
    data: bytes,
    *,
    template_key: str | None = None,
    sheet: Any = None,
    strict: bool = False,
    catalog: Any = None,
    label: str | None = None,
) -> Report:
    """Return the `Report` of a returned agreement `data` (DOCX bytes).

    `template_key` skips identification; `sheet` (a path, an applicant record or a mapping)
    adds the differences between the document's fill-ins and the sheet's values; `strict` also
    reports formatting; `catalog` defaults to the bundled pro forma catalog. A file that is not
    a readable DOCX raises `UnreadableFileError` (exit code 2).
    """
    from sc_docs.catalog import load_catalog

    package = open_package(data, label or "<docx>")
    catalog = catalog or load_catalog()
    entry, ident, notes = identify(package, template_key, catalog)
    pattern, template = template_pattern(entry.source_path, entry.key)
    run = _Run(pattern, package.paragraphs(), document_context(entry))
    deviations = (run.deviations() + findings.tracked(run) + findings.hidden(run)
                  + findings.embedded(run, package) + findings.bindings(run, package))
    if strict:
        deviations += findings.formatting(run, template, package)
    comments = []
    for info, at, anchor in package.comments():
        loc = None
        if at is not None:
            part, index, _ = at
            for j, p in enumerate(run.docs):
                if p.part == part and p.index == index:
                    loc = run.location_of.get(j)
                    break
        comments.append(Comment(id=info.id, author=info.author, date=info.date, text=info.text,
                                anchor=normalize(anchor), location=loc.label() if loc else None,
                                part=at[0] if at else None, paragraph=at[1] if at else None))
    tree = run.facts.tree(max_rank=fi.FUZZY)
    record = {"applicant": tree.get("applicant", {}), DOCUMENTS: {entry.key: tree.get("agreement", {})}}
    report = Report(
        file=label, template=ident, strict=strict, conforming=not deviations,
        deviations=deviations, comments=comments, notes=notes, fill_ins=readback.fill_ins(run), record=readback.jsonable(record),
    )
    if sheet is not None:
        report.sheet = str(sheet) if isinstance(sheet, (str, Path)) else "<record>"
        sheet_record = readback.load_sheet(sheet)
        if entry.key not in document_sections(sheet_record):
            report.notes.append(f"the sheet has no '{entry.key}' section: only the applicant's facts were compared")
        report.sheet_differences = readback.sheet_differences(run, sheet_record, entry.key)
    return report


def extract_fill_ins(data: bytes, template_key: str | None = None, *, catalog: Any = None) -> dict[str, Any]:
    """Return the fill-ins of `data` as an applicant record: `{"applicant": ..., "documents": {key: ...}}`.

    Values displayed through a filter that cannot be inverted (`upper_name`) are left out unless
    shown plainly elsewhere; `verify_docx(...).fill_ins` lists them with their displayed text.
    """
    return verify_docx(data, template_key=template_key, catalog=catalog).record
