"""Official-looking documents built in code: a Word agreement with blanks of every kind and a
fillable PDF form with tooltips, plus the record path each blank or field should get."""

from __future__ import annotations

import io
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = f'xmlns:w="{W}"'

# (blank kind, what the blank should read), in document order.
DOCX_EXPECTED: list[tuple[str, str | None]] = [
    ("bracket", "applicant.legal_name"),
    ("bracket", "applicant.legal_address"),
    ("underscores", "documents.sca.effective_date"),
    ("highlight", "applicant.scids"),
    ("form_field", "applicant.state_of_organization"),
    ("underscores", "applicant.primary_representative.name"),
    ("underscores", "applicant.primary_representative.title"),
    ("underscores", "applicant.primary_representative"),  # its whole address
    ("underscores", "applicant.primary_representative.phone"),
    ("content_control", "applicant.alternate_representative.name"),
    ("underscores", "applicant.alternate_representative.email"),
    ("underscores", None),  # By: a signature, kept for a hand
    ("bracket", "applicant.signatory.name"),
    ("underscores", "applicant.signatory.title"),
    ("underscores", "unmapped"),  # a wire reference nobody's record holds
]


def _append_xml(paragraph: object, xml: str) -> None:
    for el in etree.fromstring(f"<root {NS}>{xml}</root>"):
        paragraph._p.append(el)  # type: ignore[attr-defined]


def build_docx(path: Path) -> Path:
    """Write an agreement with bracket, underscore, highlight, form-field and content-control blanks."""
    import docx
    from docx.enum.text import WD_COLOR_INDEX

    d = docx.Document()
    d.add_heading("SCHEDULING COORDINATOR AGREEMENT", level=1)
    p = d.add_paragraph("THIS AGREEMENT is entered into by and between ")
    r = p.add_run("[Full Legal Name of Scheduling Coordinator]")
    r.bold = True
    p.add_run(' (the "Scheduling Coordinator"), having its principal place of business at [Legal Address], and the '
              "California Independent System Operator Corporation.")
    d.add_paragraph("Effective Date: ____________________")
    p = d.add_paragraph("Scheduling Coordinator ID (SCID): ")
    p.add_run("XXXX").font.highlight_color = WD_COLOR_INDEX.YELLOW
    p = d.add_paragraph("State of incorporation: ")
    _append_xml(p, (
        '<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="StateInc"/><w:enabled/>'
        '<w:calcOnExit w:val="0"/><w:textInput/></w:ffData></w:fldChar></w:r>'
        '<w:r><w:instrText xml:space="preserve"> FORMTEXT </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        '<w:r><w:rPr><w:i/></w:rPr><w:t xml:space="preserve">     </w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    ))
    d.add_paragraph("Notices. Notices under this Agreement go to the representatives below.")
    d.add_paragraph("Primary Representative:")
    for label in ("Name", "Title", "Address", "Telephone"):
        d.add_paragraph(f"{label}: ______________________")
    d.add_paragraph("Alternate Representative:")
    p = d.add_paragraph("Name: ")
    _append_xml(p, (
        '<w:sdt><w:sdtPr><w:alias w:val="Contact"/><w:tag w:val="c2"/><w:showingPlcHdr/></w:sdtPr>'
        '<w:sdtContent><w:r><w:rPr><w:color w:val="808080"/></w:rPr><w:t>Click here to enter text.</w:t></w:r>'
        "</w:sdtContent></w:sdt>"
    ))
    d.add_paragraph("E-mail: ______________________")
    d.add_paragraph("IN WITNESS WHEREOF, the Parties have executed this Agreement on the date set forth above.")
    d.add_paragraph("By: ______________________")
    d.add_paragraph("Name: [Name of Authorized Official]")
    d.add_paragraph("Title: ______________________")
    d.add_paragraph("Wire reference: ______________________")
    d.core_properties.modified = __import__("datetime").datetime(2025, 3, 1, 12, 0, 0)
    d.save(path)
    return path


# PDF field name -> (tooltip, the label printed left of it, expected record path or None).
PDF_FIELDS: list[tuple[str, str, str, str | None]] = [
    ("f1", "Legal name of the applicant", "Company:", "applicant.legal_name"),
    ("f2", "", "SCID 1:", "applicant.scids[0]"),
    ("f3", "", "SCID 2:", "applicant.scids[1]"),
    ("f4", "Street address of the applicant", "Street:", "applicant.legal_address.street"),
    ("f5", "", "City:", "applicant.legal_address.city"),
    ("rep_name", "", "Name:", "applicant.primary_representative.name"),
    ("rep_email", "", "Email:", "applicant.primary_representative.email"),
    ("alt_name", "Alternate representative name", "Name:", "applicant.alternate_representative.name"),
    ("signer_title", "", "Title of authorized official:", "applicant.signatory.title"),
    ("start", "Application date", "Date:", "documents.application.application_date"),
    ("misc", "Internal use only", "Office code:", None),
]


def build_pdf(path: Path) -> Path:
    """Write a fillable PDF whose fields have tooltips and printed labels, with block headings."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=letter, invariant=1)
    c.setFont("Helvetica-Bold", 14)
    c.drawString(50, 740, "Scheduling Coordinator Application (official)")
    y = 700
    headings = {"rep_name": "Primary Representative", "alt_name": "Alternate Representative", "signer_title": "Signature"}
    for name, tooltip, label, _ in PDF_FIELDS:
        if name in headings:
            c.setFont("Helvetica-Bold", 11)
            c.drawString(50, y, headings[name])
            y -= 24
        c.setFont("Helvetica", 10)
        c.drawString(50, y + 4, label)
        c.acroForm.textfield(name=name, tooltip=tooltip or None, x=230, y=y, width=250, height=16, borderWidth=1, maxlen=300)
        y -= 30
    c.save()
    path.write_bytes(buf.getvalue())
    return path
