"""Write the templates of the catalog's `letter` documents: CAISO's other forms and letters.

    python tools/templates/make_letters.py [KEY ...]

Like `make_templates.py`, a one-time bootstrap: the committed `pro_forma/<key>/template.docx`
files are the source of truth afterwards. The wording is sc-docs' own draft in the shape of
CAISO's forms (their exact fields are not published in a form sc-docs can copy); every fact
comes from the record. Templates read `applicant`, `letter` (their section) and `document`.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path

from docxbuild import Block, Table, build

ROOT = Path(__file__).resolve().parent.parent.parent / "pro_forma"
L = "letter"
ADDRESS = (
    "{{ applicant.legal_address.street | join(\", \") }}, {{ applicant.legal_address.city }}, "
    "{{ applicant.legal_address.state }} {{ applicant.legal_address.zip }}"
)
CAISO = [
    Block("p", "California Independent System Operator Corporation"),
    Block("p", "250 Outcropping Way, Folsom, California 95630"),
]
YES_NO = '{{ "Yes" if %s else "No" }}'


def header(title: str, subtitle: str, date_expr: str) -> list[Block]:
    return [
        Block("title", title),
        Block("subtitle", subtitle),
        Block("p", f"**Date:** {{{{ {date_expr} | long_date }}}}"),
        Block("p", "**Applicant:** {{ applicant.legal_name }}"),
        Block("p", f"**Address:** {ADDRESS}"),
        Block("p", "**SCIDs:** {{ applicant.scids | join_list }}"),
    ]


def signature(who: str = "applicant.signatory", date_expr: str | None = None) -> list[Block]:
    rows = [
        [["**For {{ applicant.legal_name }}**"]],
        [["Signature: ______________________________"]],
        [[f"Name: {{{{ {who}.name }}}}"]],
        [[f"Title: {{{{ {who}.title }}}}"]],
        [[f"Date: {{{{ {date_expr} | us_date }}}}" if date_expr else "Date: ____________________"]],
    ]
    return [Block("p", "", extra={"keep_with_next": True}),
            Block("table", table=Table(rows=rows, widths=[6.5], header=False, borders=False))]


def affiliate_disclosure() -> list[Block]:
    rows = [
        [["Affiliate"], ["Relationship"], ["Role in the CAISO market"], ["SCIDs"]],
        [[f"{{%tr for a in {L}.affiliates %}}"], [""], [""], [""]],
        [["{{ a.name }}"], ['{{ a.relationship | replace("_", " ") }}'], ['{{ a.role | replace("_", " ") }}'],
         ['{% if a.scids is defined and a.scids %}{{ a.scids | join_list }}{% else %}None{% endif %}']],
        [["{%tr endfor %}"], [""], [""], [""]],
    ]
    return [
        *header("ISO AFFILIATE DISCLOSURE FORM", "Disclosure of affiliates participating in the CAISO markets",
                f"{L}.as_of_date"),
        Block("h2", "DISCLOSURE"),
        Block("p", "{{ applicant.legal_name }} discloses below each of its affiliates that is a CAISO market "
                   "participant or owns or controls transmission facilities, as of the date above."),
        Block("p", f"{{%p if {L}.no_affiliates %}}"),
        Block("p", "**Certification of no affiliates.** {{ applicant.legal_name }} certifies that it has no affiliate "
                   "that is a CAISO market participant or owns or controls transmission facilities."),
        Block("p", "{%p else %}"),
        Block("table", table=Table(rows=rows, widths=[2.2, 1.3, 1.8, 1.2])),
        Block("p", "{%p endif %}"),
        Block("p", "{{ applicant.legal_name }} will notify CAISO of any change to this disclosure."),
        *signature(date_expr=f"{L}.as_of_date"),
    ]


def officer_certification() -> list[Block]:
    def item(field: str, text: str) -> Block:
        return Block("p", f"{{{{ \"[X]\" if {L}.{field} else \"[  ]\" }}}} {text}")

    return [
        *header("OFFICER CERTIFICATION",
                "Minimum participation requirements and risk-management policies", f"{L}.signed_date"),
        Block("p", "**Certification:** {{ letter.certification_type | capitalize }} certification for "
                   "{{ letter.certification_year }}"),
        Block("p", "I, {{ letter.officer.name }}, {{ letter.officer.title }} of {{ applicant.legal_name }}, an officer "
                   "with authority to bind it, certify to the California Independent System Operator Corporation that:"),
        item("meets_minimum_participation_requirements",
             "{{ applicant.legal_name }} meets the minimum participation requirements of the CAISO tariff;"),
        item("has_risk_management_policies",
             "{{ applicant.legal_name }} has written risk-management policies, procedures and controls, approved by its "
             "management, that apply to its participation in the CAISO markets; and"),
        item("capitalization_requirements_met",
             "{{ applicant.legal_name }} meets the capitalization requirements of the CAISO tariff, or has posted "
             "Financial Security in their place."),
        Block("p", "A box left unmarked is a requirement the officer does not certify; CAISO will ask why. "
                   "This certification is given at certification and again each year by April 30."),
        *signature(f"{L}.officer", f"{L}.signed_date"),
    ]


def emergency_plan() -> list[Block]:
    contacts = Table(
        rows=[
            [["Order"], ["Name and title"], ["Telephone"], ["Email"]],
            [[f"{{%tr for c in {L}.contacts_24x7 %}}"], [""], [""], [""]],
            [["{{ loop.index }}"], ["{{ c.name }}, {{ c.title }}"], ["{{ c.phone }}"], ["{{ c.email }}"]],
            [["{%tr endfor %}"], [""], [""], [""]],
        ],
        widths=[0.6, 2.6, 1.5, 1.8],
    )
    return [
        *header("SCHEDULING COORDINATOR EMERGENCY PLAN", "Emergency procedures and contacts", f"{L}.plan_date"),
        Block("h2", "1. CONTACTS REACHABLE 24 HOURS A DAY"),
        Block("p", "CAISO should call these contacts, in order, at any hour:"),
        Block("table", table=contacts),
        Block("h2", "2. EMERGENCY PROCEDURES"),
        Block("p", f"{{{{ {L}.emergency_procedures }}}}"),
        Block("h2", "3. BACKUP SCHEDULING ARRANGEMENTS"),
        Block("p", f"{{{{ {L}.backup_scheduling.arrangement }}}}"),
        Block("p", f"{{%p if {L}.backup_scheduling.backup_site is defined %}}"),
        Block("p", f"Backup site: {{{{ {L}.backup_scheduling.backup_site }}}}"),
        Block("p", "{%p endif %}"),
        Block("p", f"{{%p if {L}.backup_scheduling.scheduling_agent is defined %}}"),
        Block("p", f"Scheduling Agent in a failure: {{{{ {L}.backup_scheduling.scheduling_agent }}}}"),
        Block("p", "{%p endif %}"),
        Block("h2", "4. COMMUNICATION FAILURE PROCEDURES"),
        Block("p", f"{{{{ {L}.communication_failure_procedures }}}}"),
        *signature(date_expr=f"{L}.plan_date"),
    ]


def payment_info() -> list[Block]:
    rows = [
        [["**Preferred method**"], ['{{ "Fedwire" if letter.payment_method == "fedwire" else "ACH" }}']],
        [["**Bank**"], ["{{ letter.bank_name }}, {{ letter.bank_city_state }}"]],
        [["**ABA routing number**"], ["{{ letter.aba_routing_number }}"]],
        [["**Account name**"], ["{{ letter.account_name }}"]],
        [["**Account number**"], ["{{ letter.account_number }}"]],
        [["**Payment contact**"], ["{{ letter.remittance_contact.name }}, {{ letter.remittance_contact.title }}; "
                                   "{{ letter.remittance_contact.phone }}; {{ letter.remittance_contact.email }}"]],
        [["**EFT test date**"], ['{% if letter.eft_test_date is defined %}{{ letter.eft_test_date | long_date }}'
                                 '{% else %}To be arranged with CAISO{% endif %}']],
    ]
    return [
        Block("title", "PAYMENT AND ELECTRONIC FUNDS TRANSFER INFORMATION"),
        Block("subtitle", "Method of receiving and remitting payments to and from CAISO"),
        Block("p", "**Applicant:** {{ applicant.legal_name }}"),
        Block("p", f"**Address:** {ADDRESS}"),
        Block("p", "CONFIDENTIAL: this form holds bank account details. Send it to CAISO only through the "
                   "channel CAISO names for payment information."),
        Block("table", table=Table(rows=rows, widths=[2.0, 4.5], header=False)),
        Block("p", "{{ applicant.legal_name }} asks CAISO to make and receive payments under the CAISO tariff by the "
                   "method above, and will complete the Electronic Funds Transfer test before certification."),
        *signature(),
    ]


def unsecured_credit() -> list[Block]:
    ratings = Table(
        rows=[
            [["Agency"], ["Issuer rating"]],
            [[f"{{%tr for r in {L}.credit_ratings %}}"], [""]],
            [["{{ r.agency }}"], ["{{ r.rating }}"]],
            [["{%tr endfor %}"], [""]],
        ],
        widths=[2.5, 2.5],
    )
    return [
        *header("APPLICATION FOR UNSECURED CREDIT", "Under the Business Practice Manual for Credit Management",
                f"{L}.signed_date"),
        Block("p", f"**Unsecured Credit Limit requested:** {{{{ {L}.requested_limit | currency }}}}"),
        Block("p", f"**Tangible net worth:** {{{{ {L}.tangible_net_worth | currency }}}} (fiscal year ending "
                   f"{{{{ {L}.fiscal_year_end | long_date }}}})"),
        Block("p", f"**Audited financial statements attached:** {YES_NO % f'{L}.audited_statements'}"),
        Block("p", f"{{%p if {L}.credit_ratings is defined and {L}.credit_ratings %}}"),
        Block("p", "**Issuer credit ratings:**"),
        Block("table", table=ratings),
        Block("p", "{%p else %}"),
        Block("p", "**Issuer credit ratings:** not rated."),
        Block("p", "{%p endif %}"),
        Block("p", "The applicant understands that CAISO sets any Unsecured Credit Limit under the CAISO tariff "
                   "and the BPM for Credit Management, and that Financial Security covers any exposure above it."),
        *signature(date_expr=f"{L}.signed_date"),
    ]


def financial_security() -> list[Block]:
    rows = [
        [["Form of security"], ["Amount"], ["Issuer"], ["Effective"], ["Expires"]],
        [[f"{{%tr for i in {L}.instruments %}}"], [""], [""], [""], [""]],
        [['{{ i.form | replace("_", " ") | capitalize }}'], ["{{ i.amount | currency }}"], ["{{ i.issuer }}"],
         ["{{ i.effective_date | us_date }}"],
         ['{% if i.expiry_date is defined %}{{ i.expiry_date | us_date }}{% else %}None{% endif %}']],
        [["{%tr endfor %}"], [""], [""], [""], [""]],
    ]
    return [
        *header("FINANCIAL SECURITY POSTING SUMMARY", "Under the Business Practice Manual for Credit Management",
                f"{L}.submitted_date"),
        Block("p", "{{ applicant.legal_name }} posts the following Financial Security with CAISO:"),
        Block("table", table=Table(rows=rows, widths=[1.6, 1.2, 1.9, 0.9, 0.9])),
        Block("p", f"**Total posted:** {{{{ {L}.instruments | sum(attribute=\"amount\") | currency }}}}"),
        *signature(date_expr=f"{L}.submitted_date"),
    ]


def master_checklist() -> list[Block]:
    rows = [
        [["Requirement"], ["Party"], ["Status"], ["Date"], ["Due"]],
        [["{%tr for r in checklist.requirements %}"], [""], [""], [""], [""]],
        [["{{ r.title }}{% if r.documents %} ({{ r.documents }}){% endif %}"], ["{{ r.party }}"], ["{{ r.status }}"],
         ['{% if r.date %}{{ r.date | us_date }}{% endif %}'],
         ['{% if r.due %}{{ r.due | us_date }}{% elif r.waiting_on %}{{ r.waiting_on }}{% endif %}']],
        [["{%tr endfor %}"], [""], [""], [""], [""]],
    ]
    return [
        Block("title", "MASTER CHECKLIST FOR CERTIFICATION"),
        Block("subtitle", "Scheduling Coordinator certification requirements"),
        Block("p", f"**Prepared:** {{{{ {L}.prepared_date | long_date }}}}"
                   f"{{% if {L}.prepared_by is defined %}} by {{{{ {L}.prepared_by }}}}{{% endif %}}"),
        Block("p", "**Applicant:** {{ applicant.legal_name }}"),
        Block("p", "**Statuses:** {% if checklist.tracked %}from the certification tracker{% else %}not tracked: "
                   "every requirement is shown as pending{% endif %}; requirements version {{ checklist.version }}."),
        Block("table", table=Table(rows=rows, widths=[3.0, 0.8, 0.8, 0.95, 0.95])),
    ]


def scid_request() -> list[Block]:
    return [
        Block("p", f"{{{{ {L}.letter_date | long_date }}}}"),
        *CAISO,
        Block("p", "Attention: Scheduling Coordinator Certification"),
        Block("p", "**Re: Request for an additional SCID for {{ applicant.legal_name }}**"),
        Block("p", "{{ applicant.legal_name }}, a certified Scheduling Coordinator holding SCIDs "
                   "{{ applicant.scids | join_list }}, requests an additional Scheduling Coordinator ID, effective "
                   f"{{{{ {L}.effective_date | long_date }}}}. In order of preference: "
                   f"{{{{ {L}.requested_scids | join_list }}}}."),
        Block("p", f"Reason: {{{{ {L}.reason }}}}"),
        Block("p", f"{{%p if {L}.acknowledges_monthly_fee %}}"),
        Block("p", "{{ applicant.legal_name }} acknowledges that the monthly SCID fee applies to each SCID it holds."),
        Block("p", "{%p endif %}"),
        Block("p", "Please direct questions to {{ applicant.primary_representative.name }}, "
                   "{{ applicant.primary_representative.email }}, {{ applicant.primary_representative.phone }}."),
        *signature(date_expr=f"{L}.letter_date"),
    ]


SPECS: dict[str, tuple[str, Callable[[], list[Block]]]] = {
    "affiliate_disclosure": ("ISO Affiliate Disclosure Form", affiliate_disclosure),
    "officer_certification": ("Officer Certification", officer_certification),
    "emergency_plan": ("SC Emergency Plan", emergency_plan),
    "payment_info": ("Payment and EFT Information", payment_info),
    "unsecured_credit": ("Application for Unsecured Credit", unsecured_credit),
    "financial_security": ("Financial Security Posting Summary", financial_security),
    "master_checklist": ("Master Checklist for Certification", master_checklist),
    "scid_request": ("Additional SCID Request Letter", scid_request),
}


def main(argv: list[str]) -> int:
    from docx import Document

    for key in argv or list(SPECS):
        title, blocks = SPECS[key]
        out = ROOT / key / "template.docx"
        out.parent.mkdir(exist_ok=True)
        build(blocks(), title, out)
        doc = Document(str(out))  # say what the file is: not a pro forma
        doc.core_properties.comments = "sc-docs draft of a CAISO form or letter; made by tools/templates/make_letters.py"
        buf = io.BytesIO()
        doc.save(buf)
        from docxbuild import _write_fixed_zip

        _write_fixed_zip(buf.getvalue(), out)
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
