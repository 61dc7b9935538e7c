"""Building blocks shared by the pro forma templates: preamble, common articles, schedules.

Tokens resolved by `make_templates.py`: `<<P>>` the counterparty's defined name, `<<ref:ID>>`
"Article N" of the article with that id, `<<sch:ID>>` "Schedule N" of that schedule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from docxbuild import Table

A = "applicant"
ADDRESS = (
    "{{ applicant.legal_address.street | join(\", \") }}, {{ applicant.legal_address.city }}, "
    "{{ applicant.legal_address.state }} {{ applicant.legal_address.zip }}"
)
ARTICLE_A = '{{ "an" if (applicant.organization_form | first | lower) in "aeiou" else "a" }}'
# The entity type in the words of the application form's Section I, so the agreement quotes
# the application as filed ("Investor-owned utility", not "investor owned utility").
ENTITY_LABELS = (
    ("municipal_utility", "Municipal utility"),
    ("power_marketer", "Power marketer"),
    ("investor_owned_utility", "Investor-owned utility"),
    ("federal_or_state_entity", "Federal or state entity"),
)
ENTITY_TYPE = (
    "".join(f'{{% {"if" if i == 0 else "elif"} applicant.entity_type == "{value}" %}}{label}'
            for i, (value, label) in enumerate(ENTITY_LABELS))
    + "{% else %}{{ applicant.entity_type_other }}{% endif %}"
)


@dataclass
class Sec:
    """A numbered section: a caption, body paragraphs, then numbered subsections."""

    title: str
    body: list[str] = field(default_factory=list)
    subs: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Art:
    id: str
    title: str
    secs: list[Sec]


def preamble(agreement_caps: str) -> list[str]:
    return [
        (f"THIS {agreement_caps} (the “Agreement”) is entered into by and between the "
        "**California Independent System Operator Corporation**, a California nonprofit public "
        "benefit corporation having its principal place of business at 250 Outcropping Way, "
        "Folsom, California 95630 (the “CAISO”), and **{{ applicant.legal_name }}**, "
        f"{ARTICLE_A} {{{{ applicant.organization_form }}}} organized under the laws of "
        "{{ applicant.state_of_organization | state_name }}, having its legal address at "
        f"{ADDRESS} (the “<<P>>”)."),
        ("The CAISO and the <<P>> are each referred to in this Agreement as a “Party” and "
        "together as the “Parties.”"),
    ]


def definitions(extra: list[tuple[str, str]] | None = None) -> Art:
    secs = [
        Sec(
            "Master Definitions Supplement",
            [
                ("A capitalized term used in this Agreement that this Agreement does not define "
                "has the meaning given to it in the Master Definitions Supplement, Appendix A of "
                "the CAISO Tariff, as that appendix is amended from time to time.")
            ],
        ),
        Sec(
            "Rules of Interpretation",
            [
                ("Unless the context requires otherwise: (a) the singular includes the plural and "
                "the reverse; (b) “including” means “including without limitation”; (c) a "
                "reference to a law, regulation, tariff, Business Practice Manual or agreement is "
                "a reference to it as amended, supplemented, restated or replaced from time to "
                "time; (d) a reference to an Article, Section or Schedule is a reference to an "
                "article or section of, or a schedule to, this Agreement; (e) the Schedules form "
                "part of this Agreement; and (f) captions and headings are for convenience only "
                "and do not affect the meaning of this Agreement."),
                ("If a provision of this Agreement conflicts with a provision of the CAISO Tariff, "
                "the CAISO Tariff governs to the extent of the conflict."),
            ],
        ),
    ]
    if extra:
        secs.append(
            Sec(
                "Additional Definitions",
                ["In this Agreement the following terms have the meanings set out below:"],
                extra,
            )
        )
    return Art("definitions", "DEFINITIONS", secs)


def _caiso_termination(cure_days: int, extra_cause: str) -> str:
    default = (
        "the <<P>> commits a material default under this Agreement or the CAISO Tariff and, "
        f"where the default can be cured, fails to cure it within {_words(cure_days)} "
        f"({cure_days}) days after the CAISO gives it written notice of the default"
    )
    lead = (
        "Subject to Section <<num:term>>.2.3, the CAISO may terminate this Agreement by "
        "written notice to the <<P>>"
    )
    if not extra_cause:
        return f"{lead} if {default}."
    return f"{lead}: (a) if {default}; or (b) {extra_cause}."


def term_and_termination(cure_days: int = 30, notice_days: int = 90, extra_cause: str = "") -> Art:
    return Art(
        "term",
        "TERM AND TERMINATION",
        [
            Sec(
                "Effective Date",
                [
                    ("This Agreement takes effect on {{ agreement.effective_date | long_date }} "
                    "(the “Effective Date”), or on such other date as the Federal Energy "
                    "Regulatory Commission (“FERC”) may order if this Agreement is filed with "
                    "FERC, and remains in effect until it is terminated under this <<ref:term>>.")
                ],
            ),
            Sec(
                "Termination",
                [],
                [
                    (
                        "Termination by the CAISO",
                        _caiso_termination(cure_days, extra_cause),
                    ),
                    (
                        "Termination by the <<P>>",
                        ("Subject to Section <<num:term>>.2.3, the <<P>> may terminate this "
                        f"Agreement by giving the CAISO at least {_words(notice_days)} "
                        f"({notice_days}) days’ written notice, which shall state the date on "
                        "which the termination is to take effect."),
                    ),
                    (
                        "Filing with FERC",
                        ("Where this Agreement has been filed with FERC, the Party terminating "
                        "it shall ensure that a notice of termination is filed with FERC in a "
                        "timely manner, and the termination takes effect on the later of the "
                        "date stated in the notice and the date FERC accepts the notice or "
                        "otherwise permits the termination to take effect."),
                    ),
                ],
            ),
            Sec(
                "Effect of Termination",
                [
                    ("Termination does not release either Party from an obligation or "
                    "liability that arose before the termination took effect, including the "
                    "obligation to pay amounts that are or become due under the CAISO Tariff "
                    "for periods before termination and the re-settlement of those periods. "
                    "The provisions of this Agreement on payment, confidentiality, dispute "
                    "resolution and liability survive termination for as long as needed to "
                    "give them effect.")
                ],
            ),
        ],
    )


def penalties_and_costs(extra_costs: str = "") -> Art:
    costs = [
        ("Except where the CAISO Tariff or this Agreement provides otherwise, each Party bears "
        "its own costs of entering into and performing this Agreement.")
    ]
    if extra_costs:
        costs.append(extra_costs)
    return Art(
        "penalties",
        "PENALTIES, SANCTIONS AND COSTS",
        [
            Sec(
                "Penalties and Sanctions",
                [
                    ("If the <<P>> fails to meet or maintain a requirement of this Agreement or "
                    "of the CAISO Tariff, it is subject to the penalties, sanctions and other "
                    "consequences that the CAISO Tariff provides for that failure. Only "
                    "penalties set out in the CAISO Tariff or approved by FERC may be imposed "
                    "on the <<P>>."),
                    ("Except for its agreement to use the dispute resolution procedures in "
                    "<<ref:disputes>>, nothing in this Agreement waives the right of the <<P>> "
                    "to contest before FERC a penalty the CAISO proposes, or the imposition of a "
                    "penalty in a particular case."),
                ],
            ),
            Sec(
                "Corrective Action",
                [
                    ("Where the CAISO identifies a failure by the <<P>> to comply with this "
                    "Agreement, the CAISO may require the <<P>> to submit, within a reasonable "
                    "time the CAISO specifies, a written plan to correct the failure, and the "
                    "<<P>> shall carry out the plan as accepted by the CAISO.")
                ],
            ),
            Sec("Costs", costs),
        ],
    )


def dispute_resolution() -> Art:
    return Art(
        "disputes",
        "DISPUTE RESOLUTION",
        [
            Sec(
                "Dispute Resolution",
                [
                    ("The Parties shall make reasonable efforts to settle any dispute arising "
                    "under this Agreement by negotiation between their representatives. A "
                    "dispute the Parties cannot settle in that way shall be resolved under the "
                    "CAISO ADR Procedures set out in Section 13 of the CAISO Tariff, except "
                    "where the CAISO Tariff makes a decision of the CAISO final or places the "
                    "matter within the exclusive jurisdiction of FERC or another regulatory "
                    "authority.")
                ],
            ),
            Sec(
                "Performance During a Dispute",
                [
                    ("Unless the CAISO Tariff provides otherwise, each Party shall continue to "
                    "perform its obligations under this Agreement, including the payment of "
                    "undisputed amounts, while a dispute is being resolved.")
                ],
            ),
        ],
    )


def representations(extra: list[Sec] | None = None) -> Art:
    secs = [
        Sec(
            "Representations and Warranties",
            [
                ("Each Party represents and warrants to the other that, on the date it signs "
                "this Agreement: (a) it is duly organized, validly existing and in good standing "
                "under the laws of the jurisdiction of its organization; (b) it has full power "
                "and authority to enter into and perform this Agreement; (c) its signing and "
                "performance of this Agreement have been duly authorized by all necessary "
                "action; and (d) this Agreement is a legal, valid and binding obligation of "
                "that Party, enforceable against it in accordance with its terms, subject to "
                "laws affecting creditors’ rights generally and to general principles of equity.")
            ],
        ),
        Sec(
            "Necessary Approvals",
            [
                ("The <<P>> represents that it has obtained, or will obtain before the Effective "
                "Date, every approval, authorization and permit of a governmental or regulatory "
                "authority that it needs to perform this Agreement, and that it will keep them "
                "in effect for the term of this Agreement.")
            ],
        ),
    ]
    secs.extend(extra or [])
    return Art("warranties", "REPRESENTATIONS AND WARRANTIES", secs)


def liability() -> Art:
    return Art(
        "liability",
        "LIABILITY",
        [
            Sec(
                "Liabilities",
                [
                    ("The liability of each Party arising under this Agreement is governed by "
                    "the liability provisions of Section 14 of the CAISO Tariff. For that "
                    "purpose, each reference in those provisions to a Market Participant "
                    "includes the <<P>>, and each reference to the CAISO Tariff includes this "
                    "Agreement.")
                ],
            ),
            Sec(
                "No Third-Party Beneficiaries",
                [
                    ("This Agreement is made for the sole benefit of the Parties and their "
                    "permitted successors and assigns. It gives no right, remedy or claim to "
                    "any other person.")
                ],
            ),
        ],
    )


def uncontrollable_forces() -> Art:
    return Art(
        "uf",
        "UNCONTROLLABLE FORCES",
        [
            Sec(
                "Uncontrollable Forces Tariff Provisions",
                [
                    ("The provisions of Section 14 of the CAISO Tariff on Uncontrollable Forces "
                    "apply to this Agreement, with each reference in them to a Market "
                    "Participant including the <<P>> and each reference to the CAISO Tariff "
                    "including this Agreement."),
                    ("A Party whose performance is prevented or delayed by an Uncontrollable "
                    "Force shall notify the other Party as soon as practicable, describing the "
                    "event and its expected duration, shall use reasonable efforts to overcome "
                    "its effects, and shall resume full performance as soon as it is able. An "
                    "Uncontrollable Force does not excuse an obligation to pay money that is "
                    "due."),
                ],
            )
        ],
    )


def miscellaneous(notices_schedule: str = "notices", extra: list[Sec] | None = None) -> Art:
    secs = [
        Sec(
            "Assignments",
            [
                ("Neither Party may assign or otherwise transfer any of its rights or "
                "obligations under this Agreement without the prior written consent of the "
                "other Party, which shall not be unreasonably withheld, and any assignment "
                "shall comply with the CAISO Tariff. An assignment does not release the "
                "assigning Party from an obligation that arose before the assignment took "
                "effect. A purported assignment in breach of this Section is void.")
            ],
        ),
        Sec(
            "Notices",
            [
                ("A notice, demand or request under this Agreement shall be in writing and "
                "delivered by hand, by overnight courier, by first-class mail or by email to "
                f"the representative of the receiving Party named in <<sch:{notices_schedule}>>. "
                "A notice takes effect when it is received, except that a notice received "
                "after the close of business, or on a day that is not a Business Day, takes "
                "effect on the next Business Day."),
                ("A Party may change the information in its part of "
                f"<<sch:{notices_schedule}>> by giving notice to the other Party under this "
                "Section; the change does not require an amendment of this Agreement. The "
                "<<P>> shall give notice of any change within five (5) Business Days after "
                "it occurs."),
            ],
        ),
        Sec(
            "Waivers",
            [
                ("A waiver by a Party of any default or right under this Agreement is "
                "effective only if it is in writing and signed by that Party, and it does "
                "not waive any other or later default or right. A Party’s delay or failure "
                "to enforce a provision does not waive the provision.")
            ],
        ),
        Sec(
            "Governing Law and Forum",
            [
                ("This Agreement is governed by the laws of the State of California, except "
                "where the Federal Power Act or other federal law applies. Subject to "
                "<<ref:disputes>>, any proceeding arising under this Agreement shall be "
                "brought before FERC where FERC has jurisdiction, and otherwise in a state "
                "or federal court of competent jurisdiction located in the State of "
                "California.")
            ],
        ),
        Sec(
            "Consistency with Federal Laws and Regulations",
            [
                ("Nothing in this Agreement requires a Party to act in a way that violates "
                "federal law or a regulation, order or rule of a federal agency. If a "
                "provision of this Agreement is found to be inconsistent with any of them, "
                "the provision is to be read as modified to the extent necessary to make it "
                "consistent, and the Parties shall promptly agree any amendment needed to "
                "reflect that result.")
            ],
        ),
        Sec(
            "Merger",
            [
                ("This Agreement, together with the CAISO Tariff, is the entire agreement of "
                "the Parties on its subject matter and supersedes every earlier agreement, "
                "understanding and representation on that subject matter, whether written "
                "or oral.")
            ],
        ),
        Sec(
            "Severability",
            [
                ("If a court or regulatory authority of competent jurisdiction holds any "
                "provision of this Agreement invalid or unenforceable, the remaining "
                "provisions remain in full force and effect, and the Parties shall negotiate "
                "in good faith a valid replacement that comes as close as possible to the "
                "intent of the affected provision.")
            ],
        ),
        Sec(
            "Section Headings",
            [
                ("Article and section headings are included for ease of reference only and "
                "do not form part of the meaning of this Agreement.")
            ],
        ),
        Sec(
            "Amendments",
            [
                ("This Agreement and its Schedules may be amended only by a written instrument "
                "signed by both Parties. Information that this Agreement allows a Party to "
                "update by notice, such as the contact details in a Schedule, may instead be "
                "changed by notice as this Agreement provides. An amendment that requires FERC "
                "acceptance takes effect only on that acceptance. Nothing in this Agreement "
                "limits the right of the CAISO to propose changes to this Agreement or to "
                "the CAISO Tariff under Section 205 of the Federal Power Act, or the right of "
                "the <<P>> to seek changes under Section 206 of the Federal Power Act.")
            ],
        ),
        Sec(
            "Counterparts",
            [
                ("This Agreement may be signed in counterparts, each of which is an original "
                "and all of which together are one instrument. A signature delivered by "
                "email in portable document format, or by an electronic signature service "
                "acceptable to the CAISO, is as effective as an original signature.")
            ],
        ),
    ]
    secs.extend(extra or [])
    return Art("misc", "MISCELLANEOUS", secs)


# ---- closing, signature and schedules -------------------------------------------------------

WITNESS = (
    "IN WITNESS WHEREOF, the Parties have caused this Agreement to be signed by their duly "
    "authorized representatives on the dates written below."
)

SIGNATURE_TABLE = Table(
    rows=[
        [
            ["**CALIFORNIA INDEPENDENT SYSTEM OPERATOR CORPORATION**"],
            ["**{{ applicant.legal_name | upper_name }}**"],
        ],
        [["By: ______________________________"], ["By: ______________________________"]],
        [["Name: ___________________________"], ["Name: {{ applicant.signatory.name }}"]],
        [["Title: ____________________________"], ["Title: {{ applicant.signatory.title }}"]],
        [["Date: ____________________________"], ["Date: ____________________________"]],
    ],
    widths=[3.25, 3.25],
    header=False,
    borders=False,
)


def contact_rows(paths: list[str]) -> list[list[list[str]]]:
    """Rows of a notices table: one column per contact at `paths`, every contact field."""
    def row(label: str, cell) -> list[list[str]]:
        return [[f"**{label}**"]] + [cell(p) for p in paths]

    return [
        row("Name", lambda p: [f"{{{{ {p}.name }}}}"]),
        row("Title", lambda p: [f"{{{{ {p}.title }}}}"]),
        row("Company", lambda p: [f"{{{{ {p}.company }}}}"]),
        row(
            "Street address",
            lambda p: [f"{{%p for line in {p}.street %}}", "{{ line }}", "{%p endfor %}"],
        ),
        row("City, State ZIP", lambda p: [f"{{{{ {p}.city }}}}, {{{{ {p}.state }}}} {{{{ {p}.zip }}}}"]),
        row("Email", lambda p: [f"{{{{ {p}.email }}}}"]),
        row("Telephone", lambda p: [f"{{{{ {p}.phone }}}}"]),
        row(
            "Fax",
            lambda p: [f"{{% if {p}.fax is defined %}}{{{{ {p}.fax }}}}{{% else %}}Not provided{{% endif %}}"],
        ),
    ]


def notices_schedule(number_label: str) -> list:
    """Blocks of the notices schedule (CAISO contact, then the counterparty's two representatives)."""
    from docxbuild import Block

    caiso = Table(
        rows=[
            [["**Party**"], ["California Independent System Operator Corporation"]],
            [["**Attention**"], ["Regulatory Contracts"]],
            [["**Street address**"], ["250 Outcropping Way"]],
            [["**City, State ZIP**"], ["Folsom, California 95630"]],
            [["**Email and telephone**"], ["As posted for contract notices on the CAISO Website"]],
        ],
        widths=[1.9, 4.6],
        header=False,
    )
    counterparty = Table(
        rows=[[[""], ["Primary Representative"], ["Alternate Representative"]]]
        + contact_rows([f"{A}.primary_representative", f"{A}.alternate_representative"]),
        widths=[1.5, 2.5, 2.5],
    )
    return [
        Block("h1", f"{number_label}", page_break=True),
        Block("h2", "NOTICES"),
        Block(
            "p",
            "Notices under this Agreement shall be given to the representatives listed below. "
            "A Party may update its part of this Schedule by notice under Section "
            "<<num:misc>>.2.",
        ),
        Block("p", "**CAISO**", extra={"keep_with_next": True}),
        Block("table", table=caiso),
        # The attention line is modelled apart from the legal address (the preamble states the
        # address alone); mail for notices names it here, as the CAISO's own block does.
        Block("p", "**<<P>>: {{ applicant.legal_name }}{% if applicant.legal_address.attention is defined %}, "
                   "Attention: {{ applicant.legal_address.attention }}{% endif %}**",
              extra={"keep_with_next": True, "align": "left"}),
        Block("table", table=counterparty),
    ]


def scid_schedule(number_label: str, intro: str) -> list:
    from docxbuild import Block

    table = Table(
        rows=[
            [["No."], ["SCID"]],
            [["{%tr for s in applicant.scids %}"], [""]],
            [["{{ loop.index }}"], ["{{ s }}"]],
            [["{%tr endfor %}"], [""]],
        ],
        widths=[0.8, 2.5],
    )
    return [
        Block("h1", number_label, page_break=True),
        Block("h2", "SCHEDULING COORDINATOR IDENTIFICATION CODES"),
        Block("p", intro),
        Block("table", table=table),
    ]


def resource_schedule(number_label: str, heading: str, intro: str, meter_type_expr: str) -> list:
    from docxbuild import Block

    table = Table(
        rows=[
            [["No."], ["Resource ID"], ["Resource Name"], ["Meter Type"]],
            [["{%tr for r in agreement.resources %}"], [""], [""], [""]],
            [["{{ loop.index }}"], ["{{ r.resource_id }}"], ["{{ r.resource_name }}"], [meter_type_expr]],
            [["{%tr endfor %}"], [""], [""], [""]],
        ],
        widths=[0.5, 2.2, 2.1, 1.7],
    )
    return [
        Block("h1", number_label, page_break=True),
        Block("h2", heading),
        Block("p", intro),
        Block("table", table=table),
    ]


def _words(n: int) -> str:
    return {5: "five", 10: "ten", 30: "thirty", 60: "sixty", 90: "ninety"}[n]
