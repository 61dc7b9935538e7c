"""Tampered agreements, built in code from the Acme SCA draft: each hides, fakes or smuggles text.

Every case edits Section 3.4 ("Settlement and Payment") of a conforming draft the way a hostile
counterparty could, so that what a person reading the agreement sees is not what its words in
the XML say. `CASES` pairs each document with what verification must report and with what a
reader (LibreOffice's text export) must or must not show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from tests.conformance import edits as ed

W = ed.W
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
#: The real payment obligation of Section 3.4.
PAYMENT = "The Scheduling Coordinator shall pay, by the dates"
#: A clause the counterparty slips in.
FAKE = "The CAISO waives every amount invoiced to the Scheduling Coordinator."


@dataclass(frozen=True)
class Case:
    """A tampered document: its bytes, what `verify` must find, what a reader sees."""

    name: str
    data: bytes
    kind: str  # a deviation of this kind ...
    section: str | None  # ... placed in this section ...
    text: str  # ... whose expected or found text holds this
    shown: tuple[str, ...] = field(default=())  # a reader sees these
    unseen: tuple[str, ...] = field(default=())  # a reader does not see these (not in the text export)


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def _payment(root: etree._Element) -> etree._Element:
    p = ed.paragraph(root, PAYMENT)
    ed.merge_runs(p)
    return p


def _set_run_property(name: str, **attrs: str) -> Callable[[etree._Element], None]:
    def fn(root: etree._Element) -> None:
        for r in _payment(root).iter(_w("r")):
            rpr = r.find(_w("rPr"))
            if rpr is None:
                rpr = etree.Element(_w("rPr"))
                r.insert(0, rpr)
            etree.SubElement(rpr, _w(name), {_w(k): v for k, v in attrs.items()})
    return fn


def _run(text: str) -> etree._Element:
    r = etree.Element(_w("r"))
    t = etree.SubElement(r, _w("t"))
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return r


def _simple_field(text: str) -> etree._Element:
    fld = etree.Element(_w("fldSimple"), {_w("instr"): f' QUOTE "{text}" '})
    fld.append(_run(" " + text))
    return fld


def _complex_field(p: etree._Element, text: str) -> None:
    def char(kind: str) -> None:
        r = etree.SubElement(p, _w("r"))
        etree.SubElement(r, _w("fldChar"), {_w("fldCharType"): kind})

    char("begin")
    r = etree.SubElement(p, _w("r"))
    instr = etree.SubElement(r, _w("instrText"))
    instr.text = f' QUOTE "{text}" '
    char("separate")
    p.append(_run(" " + text))
    char("end")


def _field_result(root: etree._Element) -> None:
    _payment(root).append(_simple_field(FAKE))


def _complex_result(root: etree._Element) -> None:
    _complex_field(_payment(root), FAKE)


def _hidden_and_replaced(root: etree._Element) -> None:
    _set_run_property("vanish")(root)
    _payment(root).append(_simple_field(FAKE))


def _tracked_delete(root: etree._Element) -> None:
    p = _payment(root)
    for r in list(p.iter(_w("r"))):
        for t in r.iter(_w("t")):
            t.tag = _w("delText")
        d = etree.Element(_w("del"), {_w("id"): "91", _w("author"): "Counterparty", _w("date"): "2027-01-05T10:00:00Z"})
        r.addprevious(d)
        d.append(r)


def _off_page_box(root: etree._Element) -> None:
    """Move the payment sentence into a text box anchored far to the left of the page."""
    p = _payment(root)
    runs = [r for r in p if r.tag == _w("r")]
    sentence = "".join(ed.text_of(r) for r in runs)
    for r in runs:
        p.remove(r)
    box = etree.fromstring(f"""
<w:r xmlns:w="{W}" xmlns:wp="{WP}" xmlns:a="{A}" xmlns:wps="{WPS}"><w:drawing>
 <wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="1" behindDoc="0" locked="0"
   layoutInCell="1" allowOverlap="1">
  <wp:simplePos x="0" y="0"/>
  <wp:positionH relativeFrom="page"><wp:posOffset>-9144000</wp:posOffset></wp:positionH>
  <wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>
  <wp:extent cx="2743200" cy="914400"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>
  <wp:docPr id="901" name="Box"/><wp:cNvGraphicFramePr/>
  <a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">
   <wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="2743200" cy="914400"/></a:xfrm>
     <a:prstGeom prst="rect"><a:avLst/></a:prstGeom></wps:spPr>
    <wps:txbx><w:txbxContent><w:p><w:r><w:t xml:space="preserve">{sentence}</w:t></w:r></w:p></w:txbxContent></wps:txbx>
    <wps:bodyPr/></wps:wsp></a:graphicData></a:graphic>
 </wp:anchor></w:drawing></w:r>""")
    p.append(box)


def _files_edit(data: bytes, fn: Callable[[dict[str, bytes], etree._Element], None]) -> bytes:
    files = ed.parts(data)
    root = etree.fromstring(files[ed.DOC])
    fn(files, root)
    files[ed.DOC] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return ed.pack(files)


def _add_part(files: dict[str, bytes], name: str, content_type: str | None, rel_type: str, rid: str, body: bytes) -> None:
    files[name] = body
    if content_type is not None:
        files["[Content_Types].xml"] = files["[Content_Types].xml"].replace(
            b"</Types>", f'<Override PartName="/{name}" ContentType="{content_type}"/></Types>'.encode())
    files["word/_rels/document.xml.rels"] = files["word/_rels/document.xml.rels"].replace(
        b"</Relationships>",
        f'<Relationship Id="{rid}" Type="{rel_type}" Target="{name.removeprefix("word/")}"/></Relationships>'.encode())


def _alt_chunk(files: dict[str, bytes], root: etree._Element) -> None:
    html = f"<html><body><p>{FAKE}</p></body></html>".encode()
    _add_part(files, "word/chunk1.html", "text/html",
              "http://schemas.openxmlformats.org/officeDocument/2006/relationships/aFChunk", "rIdChunk1", html)
    _payment(root).addnext(etree.Element(_w("altChunk"), {f"{{{R_NS}}}id": "rIdChunk1"}))


def _bound_control(files: dict[str, bytes], root: etree._Element) -> None:
    """Wrap the payment sentence in a content control bound to custom XML that says otherwise."""
    store = "{6C3C8BC8-F283-45AE-878A-BAB7291924A1}"
    files["customXml/item1.xml"] = f'<terms xmlns="urn:acme:terms"><payment>{FAKE}</payment></terms>'.encode()
    files["customXml/itemProps1.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
        '<ds:datastoreItem ds:itemID="' + store + '" '
        'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml">'
        '<ds:schemaRefs><ds:schemaRef ds:uri="urn:acme:terms"/></ds:schemaRefs></ds:datastoreItem>').encode()
    files["customXml/_rels/item1.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXmlProps" '
        'Target="itemProps1.xml"/></Relationships>').encode()
    files["[Content_Types].xml"] = files["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/customXml/itemProps1.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.customXmlProperties+xml"/></Types>')
    files["word/_rels/document.xml.rels"] = files["word/_rels/document.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdX1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/customXml" Target="../customXml/item1.xml"/></Relationships>')
    p = _payment(root)
    runs = [r for r in p if r.tag == _w("r")]
    sdt = etree.Element(_w("sdt"))
    pr = etree.SubElement(sdt, _w("sdtPr"))
    etree.SubElement(pr, _w("dataBinding"), {_w("prefixMappings"): "xmlns:t='urn:acme:terms'",
                                             _w("xpath"): "/t:terms[1]/t:payment[1]", _w("storeItemID"): store})
    etree.SubElement(pr, _w("text"))
    content = etree.SubElement(sdt, _w("sdtContent"))
    runs[0].addprevious(sdt)
    for r in runs:
        content.append(r)


def cases(draft: bytes) -> list[Case]:
    """Return the tampered corpus built from `draft` (a conforming Acme SCA)."""
    start = PAYMENT[:40]
    return [
        Case("vanish", ed.edit(draft, _set_run_property("vanish")), "hidden", "3.4", start, unseen=(start,)),
        # Word hides w:specVanish text; LibreOffice prints it, so no reader check here.
        Case("spec-vanish", ed.edit(draft, _set_run_property("specVanish")), "hidden", "3.4", start),
        Case("white-on-white", ed.edit(draft, _set_run_property("color", val="FFFFFF")), "hidden", "3.4", start),
        Case("one-point", ed.edit(draft, _set_run_property("sz", val="2")), "hidden", "3.4", start),
        Case("off-page-box", ed.edit(draft, _off_page_box), "hidden", "3.4", start, unseen=(start,)),
        Case("tracked-delete", ed.edit(draft, _tracked_delete), "deleted", "3.4", start),
        Case("field-simple", ed.edit(draft, _field_result), "inserted", "3.4", "CAISO waives", shown=(FAKE,)),
        Case("field-complex", ed.edit(draft, _complex_result), "inserted", "3.4", "CAISO waives", shown=(FAKE,)),
        Case("hidden-and-field", ed.edit(draft, _hidden_and_replaced), "hidden", "3.4", start,
             shown=(FAKE,), unseen=(start,)),
        # Word shows an HTML altChunk; LibreOffice ignores it, so no reader check here.
        Case("alt-chunk", _files_edit(draft, _alt_chunk), "embedded", "3.4", "altChunk"),
        Case("bound-control", _files_edit(draft, _bound_control), "bound", "3.4", "CAISO waives"),
    ]

