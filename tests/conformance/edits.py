"""Edit a DOCX in code, the way a word processor or a reviewer would (no binary fixtures)."""

from __future__ import annotations

import io
import random
import re
import zipfile
from pathlib import Path
from typing import Callable

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
DOC = "word/document.xml"


def w(name: str) -> str:
    return f"{{{W}}}{name}"


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def pack(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, raw in files.items():
            z.writestr(name, raw)
    return buf.getvalue()


def edit(data: bytes, fn: Callable[[etree._Element], None], part: str = DOC) -> bytes:
    files = parts(data)
    root = etree.fromstring(files[part])
    fn(root)
    files[part] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return pack(files)


def text_of(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(w("t")))


def paragraph(root: etree._Element, contains: str) -> etree._Element:
    for p in root.iter(w("p")):
        if contains in text_of(p):
            return p
    raise AssertionError(f"no paragraph contains {contains!r}")


def replace_text(old: str, new: str) -> Callable[[etree._Element], None]:
    """Replace `old` by `new` in the first paragraph containing it (runs merged first)."""
    def fn(root: etree._Element) -> None:
        p = paragraph(root, old)
        merge_runs(p)
        for t in p.iter(w("t")):
            if old in (t.text or ""):
                t.text = t.text.replace(old, new, 1)
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                return
        raise AssertionError(f"{old!r} spans runs of different formatting")
    return fn


def cut_after(marker: str, tail: str) -> Callable[[etree._Element], None]:
    """Cut the paragraph holding `marker` right after it and put `tail` there instead."""

    def fn(root: etree._Element) -> None:
        for t in root.iter(w("t")):
            if t.text and marker in t.text:
                t.text = t.text[: t.text.index(marker) + len(marker)] + tail
                after = False
                for u in t.getparent().getparent().iter(w("t")):
                    if after:
                        u.text = ""
                    after = after or u is t
                return

    return fn


def merge_runs(p: etree._Element) -> None:
    """Merge adjacent runs with identical formatting, as Word does when saving."""
    runs = [r for r in p if r.tag == w("r") and r.find(w("t")) is not None and len(r) <= 2]
    prev = None
    for r in runs:
        if prev is not None and prev.getnext() is r and _fmt(prev) == _fmt(r):
            pt, rt = prev.find(w("t")), r.find(w("t"))
            pt.text = (pt.text or "") + (rt.text or "")
            pt.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            p.remove(r)
            continue
        prev = r


def _fmt(r: etree._Element) -> bytes:
    rpr = r.find(w("rPr"))
    return b"" if rpr is None else etree.tostring(rpr)


def append_run(contains: str, text: str, *, tracked: bool = False) -> Callable[[etree._Element], None]:
    """Add `text` at the end of the paragraph containing `contains` (as a tracked insertion)."""
    def fn(root: etree._Element) -> None:
        p = paragraph(root, contains)
        r = etree.SubElement(p, w("r")) if not tracked else None
        if tracked:
            ins = etree.SubElement(p, w("ins"), {w("id"): "901", w("author"): "Reviewer", w("date"): "2027-01-05T10:00:00Z"})
            r = etree.SubElement(ins, w("r"))
        t = etree.SubElement(r, w("t"))
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return fn


def track_delete(contains: str, word: str) -> Callable[[etree._Element], None]:
    """Mark `word` of the paragraph containing `contains` as a tracked deletion."""
    def fn(root: etree._Element) -> None:
        p = paragraph(root, contains)
        merge_runs(p)
        for r in p.findall(w("r")):
            t = r.find(w("t"))
            if t is None or word not in (t.text or ""):
                continue
            head, _, tail = t.text.partition(word)
            t.text = head
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            d = etree.Element(w("del"), {w("id"): "902", w("author"): "Reviewer", w("date"): "2027-01-05T10:00:00Z"})
            dr = etree.SubElement(d, w("r"))
            if r.find(w("rPr")) is not None:
                dr.append(etree.fromstring(etree.tostring(r.find(w("rPr")))))
            dt = etree.SubElement(dr, w("delText"))
            dt.text = word
            dt.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            after = etree.fromstring(etree.tostring(r))
            after.find(w("t")).text = tail
            r.addnext(d)
            d.addnext(after)
            return
        raise AssertionError(f"{word!r} not found in one run")
    return fn


def delete_section(start: str, stop: str) -> Callable[[etree._Element], None]:
    """Remove body paragraphs from the one starting with `start` up to (not including) `stop`."""
    def fn(root: etree._Element) -> None:
        body = root.find(w("body"))
        doomed, on = [], False
        for el in body:
            txt = text_of(el)
            if el.tag == w("p") and txt.startswith(start):
                on = True
            elif on and el.tag == w("p") and txt.startswith(stop):
                break
            if on:
                doomed.append(el)
        assert doomed, f"no paragraph starts with {start!r}"
        for el in doomed:
            body.remove(el)
    return fn


def scramble_runs(root: etree._Element) -> None:
    """Split every run in two and add rsid and proofing marks, as Word's editing leaves them."""
    for i, r in enumerate(list(root.iter(w("r")))):
        t = r.find(w("t"))
        r.set(w("rsidR"), f"00{i:06X}")
        if t is None or not t.text or len(t.text) < 4:
            continue
        half = len(t.text) // 2
        twin = etree.fromstring(etree.tostring(r))
        t.text, twin.find(w("t")).text = t.text[:half], t.text[half:]
        for x in (t, twin.find(w("t"))):
            x.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        r.addnext(twin)
        if i % 3 == 0:
            r.addprevious(etree.Element(w("proofErr"), {w("type"): "spellStart"}))
            twin.addnext(etree.Element(w("proofErr"), {w("type"): "spellEnd"}))


def change_fonts(root: etree._Element) -> None:
    """Give every run an explicit font and size (formatting only)."""
    for r in root.iter(w("r")):
        rpr = r.find(w("rPr"))
        if rpr is None:
            rpr = etree.Element(w("rPr"))
            r.insert(0, rpr)
        etree.SubElement(rpr, w("rFonts"), {w("ascii"): "Arial", w("hAnsi"): "Arial"})
        etree.SubElement(rpr, w("sz"), {w("val"): "22"})


def add_comment(data: bytes, contains: str, text: str = "Please confirm this date.") -> bytes:
    """Attach a comment to the paragraph containing `contains`."""
    files = parts(data)
    root = etree.fromstring(files[DOC])
    p = paragraph(root, contains)
    ppr = p.find(w("pPr"))
    at = 1 if ppr is not None else 0
    p.insert(at, etree.Element(w("commentRangeStart"), {w("id"): "7"}))
    p.append(etree.Element(w("commentRangeEnd"), {w("id"): "7"}))
    ref = etree.SubElement(p, w("r"))
    etree.SubElement(ref, w("commentReference"), {w("id"): "7"})
    files[DOC] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    files["word/comments.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:comments xmlns:w="{W}">'
        f'<w:comment w:id="7" w:author="Counsel" w:date="2027-01-06T09:00:00Z"><w:p><w:r><w:t>{text}</w:t></w:r></w:p>'
        "</w:comment></w:comments>"
    ).encode()
    ct = files["[Content_Types].xml"].decode()
    ct = ct.replace("</Types>", '<Override PartName="/word/comments.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"/></Types>')
    files["[Content_Types].xml"] = ct.encode()
    rels = files["word/_rels/document.xml.rels"].decode()
    rels = rels.replace("</Relationships>", '<Relationship Id="rIdC7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" Target="comments.xml"/></Relationships>')
    files["word/_rels/document.xml.rels"] = rels.encode()
    return pack(files)


def strip_custom_properties(data: bytes) -> bytes:
    files = parts(data)
    files.pop("docProps/custom.xml", None)
    files["[Content_Types].xml"] = re.sub(rb'<Override PartName="/docProps/custom.xml"[^>]*/>', b"", files["[Content_Types].xml"])
    files["_rels/.rels"] = re.sub(rb'<Relationship [^>]*Target="/?docProps/custom.xml"[^>]*/>', b"", files["_rels/.rels"])
    return pack(files)


def write_big_docx(path: Path, data: bytes, size: int) -> None:
    """Write `data` (a DOCX) to `path` with a `document.xml` of at least `size` bytes that
    compresses about 100x, streamed so that writing it never holds it in memory."""
    files = parts(data)
    rng = random.Random(7)
    sentence = b"The Scheduling Coordinator shall pay every amount the CAISO invoices under the CAISO Tariff"
    block = b"".join(b"<w:p><w:r><w:t>%s %d</w:t></w:r></w:p>" % (sentence, rng.randrange(2)) for _ in range(4000))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, raw in files.items():
            if name != DOC:
                z.writestr(name, raw)
        with z.open(DOC, "w", force_zip64=True) as out:
            out.write(f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>'.encode())
            written = 0
            while written < size:
                out.write(block)
                written += len(block)
            out.write(b"</w:body></w:document>")
