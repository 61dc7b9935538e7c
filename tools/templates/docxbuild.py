"""Turn a list of simple blocks into a styled Word document (one-time bootstrap helper).

Every paragraph is written as whole runs, so a Jinja tag never straddles two runs; bold spans are
marked `**like this**` and must never cut through a tag.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor

FONT = "Times New Roman"
FIXED_TIME = datetime(2026, 11, 25, 0, 0, 0)
ZIP_TIME = (2026, 11, 25, 0, 0, 0)


@dataclass
class Table:
    """A Word table: `rows` of cells, each cell a list of paragraph strings."""

    rows: list[list[list[str]]]
    widths: Sequence[float]
    header: bool = True
    borders: bool = True


@dataclass
class Block:
    kind: str  # title, subtitle, h1, h2, p, center, table, signature_note
    text: str = ""
    table: Table | None = None
    page_break: bool = False
    extra: dict = field(default_factory=dict)


def _set_font(style, size: float, bold: bool | None = None) -> None:
    font = style.font
    font.name = FONT
    font.size = Pt(size)
    font.color.rgb = RGBColor(0, 0, 0)
    if bold is not None:
        font.bold = bold
    font.italic = False
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for theme_attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(theme_attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), FONT)


def _setup_styles(doc) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    _set_font(normal, 12)
    pf = normal.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(8)
    pf.line_spacing = 1.0
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    for name, size, align, before, after in (
        ("Heading 1", 12, WD_ALIGN_PARAGRAPH.CENTER, 18, 8),
        ("Heading 2", 12, WD_ALIGN_PARAGRAPH.LEFT, 10, 4),
    ):
        st = styles[name]
        _set_font(st, size, bold=True)
        st.paragraph_format.alignment = align
        st.paragraph_format.space_before = Pt(before)
        st.paragraph_format.space_after = Pt(after)
        st.paragraph_format.keep_with_next = True

    def para_style(name: str, size: float, bold: bool, align, after: float, base: str = "Normal"):
        st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = styles[base]
        st.quick_style = True
        _set_font(st, size, bold=bold)
        st.paragraph_format.alignment = align
        st.paragraph_format.space_after = Pt(after)
        return st

    para_style("Agreement Title", 16, True, WD_ALIGN_PARAGRAPH.CENTER, 6)
    para_style("Agreement Subtitle", 12, False, WD_ALIGN_PARAGRAPH.CENTER, 18)
    para_style("Centered", 12, False, WD_ALIGN_PARAGRAPH.CENTER, 8)
    cell = para_style("Table Text", 11, False, WD_ALIGN_PARAGRAPH.LEFT, 2)
    cell.paragraph_format.space_before = Pt(2)
    hf = para_style("Header Footer", 9, False, WD_ALIGN_PARAGRAPH.LEFT, 0)
    hf.paragraph_format.space_before = Pt(0)
    for name in ("Header", "Footer"):
        _set_font(styles[name], 9)


def _add_runs(paragraph, text: str) -> None:
    """Add `text` as runs, bold where wrapped in `**`; refuse a bold mark inside a tag."""
    parts = text.split("**")
    for i, part in enumerate(parts):
        if not part:
            continue
        if part.count("{{") != part.count("}}") or part.count("{%") != part.count("%}"):
            raise ValueError(f"a bold span cuts a Jinja tag: {text!r}")
        run = paragraph.add_run(part)
        if i % 2 == 1:
            run.bold = True


def _field(paragraph, instr: str) -> None:
    """Append a complex field (`PAGE`, `NUMPAGES`) showing `1` until Word updates it."""
    def fld_char(kind: str):
        run = paragraph.add_run()
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        run._r.append(el)

    fld_char("begin")
    run = paragraph.add_run()
    it = OxmlElement("w:instrText")
    it.set(qn("xml:space"), "preserve")
    it.text = f" {instr} "
    run._r.append(it)
    fld_char("separate")
    paragraph.add_run("1")
    fld_char("end")


def _border(paragraph, side: str) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    el = OxmlElement(f"w:{side}")
    for k, v in (("w:val", "single"), ("w:sz", "4"), ("w:space", "4"), ("w:color", "000000")):
        el.set(qn(k), v)
    bdr.append(el)
    # schema order: pBdr comes before shd, tabs and the spacing/indent/justification elements
    ppr.insert_element_before(
        bdr, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
        "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
        "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
        "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
        "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
        "w:pPrChange",
    )


def _header_footer(section) -> None:
    header = section.header
    hp = header.paragraphs[0]
    hp.style = "Header Footer"
    hp.paragraph_format.tab_stops.add_tab_stop(Inches(6.5), WD_TAB_ALIGNMENT.RIGHT)
    hp.add_run("{{ document.title }}")
    hp.add_run("\t")
    hp.add_run("{{ applicant.legal_name }}")
    _border(hp, "bottom")

    fp = section.footer.paragraphs[0]
    fp.style = "Header Footer"
    fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fp.add_run("Page ")
    _field(fp, "PAGE")
    fp.add_run(" of ")
    _field(fp, "NUMPAGES")


def _no_borders(table) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tblpr.insert_element_before(
        borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption",
        "w:tblDescription", "w:tblPrChange",
    )


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    trpr.append(el)


def _add_table(doc, spec: Table) -> None:
    ncols = len(spec.widths)
    table = doc.add_table(rows=0, cols=ncols)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    if spec.borders:
        table.style = doc.styles["Table Grid"]
    else:
        _no_borders(table)
    for r, row_spec in enumerate(spec.rows):
        row = table.add_row()
        if len(row_spec) != ncols:
            raise ValueError(f"row {r} has {len(row_spec)} cells, expected {ncols}")
        header_row = spec.header and r == 0
        if header_row:
            _repeat_header(row)
        for c, paras in enumerate(row_spec):
            cell = row.cells[c]
            cell.width = Inches(spec.widths[c])
            first = cell.paragraphs[0]
            for i, text in enumerate(paras):
                p = first if i == 0 else cell.add_paragraph()
                p.style = "Table Text"
                _add_runs(p, f"**{text}**" if header_row and text else text)
    for c, w in enumerate(spec.widths):
        table.columns[c].width = Inches(w)
    # a spacer paragraph so consecutive tables never merge
    doc.add_paragraph()


def build(blocks: list[Block], title: str, out: Path) -> None:
    """Write `blocks` to `out` as a letter-size DOCX with header, footer and styles."""
    doc = Document()
    _setup_styles(doc)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Inches(1))
    section.header_distance = section.footer_distance = Inches(0.5)
    _header_footer(section)

    body = doc.paragraphs[0] if doc.paragraphs else None
    if body is not None:  # the default template starts with no paragraph; be safe
        body._p.getparent().remove(body._p)

    styles = {
        "title": "Agreement Title",
        "subtitle": "Agreement Subtitle",
        "center": "Centered",
        "h1": "Heading 1",
        "h2": "Heading 2",
        "p": "Normal",
    }
    for block in blocks:
        if block.kind == "table":
            assert block.table is not None
            _add_table(doc, block.table)
            continue
        p = doc.add_paragraph(style=styles[block.kind])
        if block.page_break:
            p.paragraph_format.page_break_before = True
        if block.extra.get("keep_with_next"):
            p.paragraph_format.keep_with_next = True
        if block.extra.get("align") == "left":  # a label line: justified, a wrapped label spreads out
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT
        _add_runs(p, block.text)

    props = doc.core_properties
    props.title = title
    props.author = "sc-docs"
    props.last_modified_by = "sc-docs"
    props.comments = (f"{title}: CAISO pro forma text with fill-in fields for one applicant, made by sc-docs. "
                      "Only the fill-in fields may differ from the pro forma.")
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    props.keywords = ""
    props.subject = ""
    buf = io.BytesIO()
    doc.save(buf)
    _write_fixed_zip(buf.getvalue(), out)


# python-docx's default package claims Word 14 for the Mac wrote it and carries a stock thumbnail
# of a page that is not this one. The templates (and every draft made from them) say who made them.
APP_XML = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    b"<Application>sc-docs</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
    b"<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
    b"</Properties>"
)
THUMBNAIL = "docProps/thumbnail.jpeg"


def package_parts(data: bytes) -> list[tuple[str, bytes]]:
    """Return the parts of a python-docx package with sc-docs' own app.xml and no stock thumbnail."""
    out: list[tuple[str, bytes]] = []
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == THUMBNAIL:
                continue
            if info.filename == "docProps/app.xml":
                body = APP_XML
            elif info.filename == "_rels/.rels":
                body = re.sub(rb'<Relationship [^>]*Target="docProps/thumbnail\.jpeg"[^>]*/>', b"", body)
            elif info.filename == "[Content_Types].xml":
                body = re.sub(rb'<Default Extension="jpeg"[^>]*/>', b"", body)
            out.append((info.filename, body))
    return out


def _write_fixed_zip(data: bytes, out: Path) -> None:
    """Rewrite the package with fixed timestamps so rebuilding gives identical bytes."""
    dst_buf = io.BytesIO()
    with zipfile.ZipFile(dst_buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, body in package_parts(data):
            new = zipfile.ZipInfo(name, ZIP_TIME)
            new.compress_type = zipfile.ZIP_DEFLATED
            new.external_attr = 0o644 << 16
            new.create_system = 3  # as on Unix, whichever system rebuilds it
            dst.writestr(new, body)
    out.write_bytes(dst_buf.getvalue())


TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
