"""A small agreement template built in code, shaped like the pro forma ones (headings with
literal numbers, fill-ins, conditionals, a `{%tr for %}` schedule, a header and a PAGE field)."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

SAMPLE_RECORD = {
    "applicant": {
        "legal_name": "Acme Power & Light, LLC",
        "entity_type": "power_marketer",
        "organization_form": "limited liability company",
        "state_of_organization": "DE",
        "legal_address": {"street": ["1200 J Street", "Suite 400"], "city": "Sacramento", "state": "CA", "zip": "95814"},
        "primary_representative": {"name": "Dana Whitfield", "street": ["1 Main St", "Floor 2"], "fax": "(916) 555-0199"},
        "signatory": {"name": "Margaret A. Chen", "title": "Chief Executive Officer"},
        "scids": ["ACME", "ACM2"],
    },
    "documents": {"demo": {"effective_date": "2027-04-01"}},
}

DOCUMENT = {"key": "demo", "title": "Demo Agreement", "tariff_appendix": "B.99", "version": "1", "as_of": "2026-11-25"}


def _field(paragraph, instr: str) -> None:
    def fld(kind: str) -> None:
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(el)

    fld("begin")
    it = OxmlElement("w:instrText")
    it.text = f" {instr} "
    paragraph.add_run()._r.append(it)
    fld("separate")
    paragraph.add_run("1")
    fld("end")


def build_template() -> bytes:
    """Return the bytes of the demo template."""
    doc = Document()
    header = doc.sections[0].header.paragraphs[0]
    header.add_run("{{ document.title }}")
    header.add_run("\t")
    header.add_run("{{ applicant.legal_name }}")
    footer = doc.sections[0].footer.paragraphs[0]
    footer.add_run("Page ")
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")

    doc.add_paragraph("DEMO AGREEMENT", style="Title")
    p = doc.add_paragraph("THIS DEMO AGREEMENT is entered into by ")
    p.add_run("{{ applicant.legal_name }}").bold = True
    p.add_run(', {{ "an" if applicant.organization_form[:1] in "AEIOUaeiou" else "a" }} '
              "{{ applicant.organization_form }} organized under the laws of {{ applicant.state_of_organization }}, "
              'having its legal address at {{ applicant.legal_address.street | join(", ") }}, '
              "{{ applicant.legal_address.city }}, {{ applicant.legal_address.state }} {{ applicant.legal_address.zip }}, "
              'a {% if applicant.entity_type == "other" %}{{ applicant.entity_type_other }}'
              '{% else %}{{ applicant.entity_type | replace("_", " ") }}{% endif %}.')
    doc.add_paragraph("ARTICLE I - DEFINITIONS", style="Heading 1")
    doc.add_paragraph("1.1 Master Definitions. A capitalized term not defined here has the meaning given "
                      "in Appendix A of the CAISO Tariff.")
    doc.add_paragraph("1.2 Interpretation. Headings are for convenience only and do not affect meaning.")
    doc.add_paragraph("ARTICLE II - TERM", style="Heading 1")
    doc.add_paragraph("2.1 Effective Date. This Agreement takes effect on {{ agreement.effective_date | long_date }} "
                      "and remains in effect until terminated.")
    doc.add_paragraph("2.2 Termination. Either Party may terminate this Agreement on ninety days' written notice.")
    doc.add_paragraph("{%p if applicant.entity_type == \"federal_entity\" %}")
    doc.add_paragraph("2.3 Federal Entity. Nothing here waives the sovereign immunity of the United States.")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("ARTICLE III - MISCELLANEOUS", style="Heading 1")
    doc.add_paragraph("3.1 Notices. Notices shall be given in writing to the representatives in Schedule 1.")
    doc.add_paragraph("3.2 Governing Law. This Agreement is governed by the laws of the State of California.")

    table = doc.add_table(rows=0, cols=2)
    for label, cells in (
        ("By:", "______________________"),
        ("Name:", "{{ applicant.signatory.name }}"),
        ("Title:", "{{ applicant.signatory.title }}"),
    ):
        row = table.add_row()
        row.cells[0].paragraphs[0].add_run(label)
        row.cells[1].paragraphs[0].add_run(cells)
    doc.add_paragraph()
    doc.add_paragraph("SCHEDULE 1", style="Heading 1")
    doc.add_paragraph("Scheduling Coordinator Identification Codes and the primary representative.")
    table = doc.add_table(rows=0, cols=2)
    for cells in (["No.", "SCID"], ["{%tr for s in applicant.scids %}", ""], ["{{ loop.index }}", "{{ s }}"], ["{%tr endfor %}", ""]):
        row = table.add_row()
        for c, text in enumerate(cells):
            row.cells[c].paragraphs[0].add_run(text)
    doc.add_paragraph()
    table = doc.add_table(rows=0, cols=2)
    row = table.add_row()
    row.cells[0].paragraphs[0].add_run("Street")
    cell = row.cells[1]
    cell.paragraphs[0].add_run("{%p for line in applicant.primary_representative.street %}")
    cell.add_paragraph("{{ line }}")
    cell.add_paragraph("{%p endfor %}")
    row = table.add_row()
    row.cells[0].paragraphs[0].add_run("Fax")
    row.cells[1].paragraphs[0].add_run(
        "{% if applicant.primary_representative.fax is defined %}{{ applicant.primary_representative.fax }}"
        "{% else %}Not provided{% endif %}"
    )
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def write_catalog(folder: Path, template: bytes | None = None) -> Path:
    """Write a one-agreement pro forma folder (`demo`) under `folder`; return it."""
    root = folder / "pro_forma"
    (root / "demo").mkdir(parents=True, exist_ok=True)
    (root / "demo" / "template.docx").write_bytes(template or build_template())
    (root / "demo" / "meta.yaml").write_text(
        "key: demo\nkind: agreement\ntitle: Demo Agreement\ntariff_appendix: B.99\nversion: '1'\n"
        "as_of: 2026-11-25\nschema: demo.schema.json\ntemplate: template.docx\n",
        encoding="utf-8",
    )
    return root
