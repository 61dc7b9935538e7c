"""ONE-TIME BOOTSTRAP: write the first version of each pro forma template.

The committed `pro_forma/<key>/template.docx` files are the source of truth; legal editors change
them in Word. Rerunning this script overwrites their edits, so do it only to start afresh:

    python tools/templates/make_templates.py [KEY ...]

The prose is original drafting that follows the structure of the CAISO pro forma agreements; it
is not the FERC-accepted text.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from docxbuild import Block, Table, build
from parts import (
    ENTITY_TYPE,
    SIGNATURE_TABLE,
    WITNESS,
    Art,
    Sec,
    contact_rows,
    definitions,
    dispute_resolution,
    liability,
    miscellaneous,
    notices_schedule,
    penalties_and_costs,
    preamble,
    representations,
    resource_schedule,
    scid_schedule,
    term_and_termination,
    uncontrollable_forces,
)

ROOT = Path(__file__).resolve().parent.parent.parent / "pro_forma"
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII"]


class Spec:
    """Everything that makes one agreement: words, articles, schedules."""

    def __init__(
        self,
        key: str,
        caps: str,
        party: str,
        subtitle: str,
        recitals: list[str],
        articles: list[Art],
        schedules: list[tuple[str, object]],
    ) -> None:
        self.key, self.caps, self.party, self.subtitle = key, caps, party, subtitle
        self.recitals, self.articles, self.schedules = recitals, articles, schedules


def render_blocks(spec: Spec) -> list[Block]:
    art_num = {a.id: i + 1 for i, a in enumerate(spec.articles)}
    sch_num = {sid: i + 1 for i, (sid, _) in enumerate(spec.schedules)}

    def resolve(text: str) -> str:
        text = text.replace("<<P>>", spec.party)
        text = re.sub(r"<<ref:(\w+)>>", lambda m: f"Article {ROMAN[art_num[m[1]] - 1]}", text)
        text = re.sub(r"<<num:(\w+)>>", lambda m: str(art_num[m[1]]), text)
        text = re.sub(r"<<sch:(\w+)>>", lambda m: f"Schedule {sch_num[m[1]]}", text)
        if "<<" in text:
            raise ValueError(f"unresolved token in {text!r}")
        return text

    blocks: list[Block] = [
        Block("center", "**CALIFORNIA INDEPENDENT SYSTEM OPERATOR CORPORATION**"),
        Block("title", spec.caps),
        Block("subtitle", spec.subtitle),
    ]
    blocks += [Block("p", t) for t in preamble(spec.caps)]
    blocks.append(Block("h1", "RECITALS"))
    blocks += [Block("p", t) for t in spec.recitals]
    blocks.append(
        Block(
            "p",
            "NOW, THEREFORE, in consideration of the mutual covenants set out in this "
            "Agreement, the Parties agree as follows:",
        )
    )
    for i, art in enumerate(spec.articles, start=1):
        blocks.append(Block("h1", f"ARTICLE {ROMAN[i - 1]} - {art.title}"))
        for j, sec in enumerate(art.secs, start=1):
            blocks.append(Block("h2", f"{i}.{j} {sec.title}"))
            blocks += [Block("p", t) for t in sec.body]
            for k, (caption, text) in enumerate(sec.subs, start=1):
                blocks.append(Block("p", f"**{i}.{j}.{k} {caption}.** {text}"))
    blocks.append(Block("p", WITNESS, extra={"keep_with_next": True}))
    blocks.append(Block("table", table=SIGNATURE_TABLE))
    for n, (_, make) in enumerate(spec.schedules, start=1):
        blocks += make(f"SCHEDULE {n}")  # type: ignore[operator]

    for b in blocks:
        b.text = resolve(b.text)
        if b.table is not None:
            b.table.rows = [[[resolve(t) for t in cell] for cell in row] for row in b.table.rows]
    return blocks


# ---- the Scheduling Coordinator Agreement ----------------------------------------------------

def sca() -> Spec:
    scid_intro = (
        "The Scheduling Coordinator holds the following SCIDs. The Scheduling Coordinator "
        "shall request any change to this list under Section <<num:sc_duties>>.3; the CAISO may update this "
        "Schedule by notice to reflect a change it has approved."
    )
    articles = [
        definitions(),
        term_and_termination(
            extra_cause="if the Scheduling Coordinator ceases to be certified as a Scheduling "
            "Coordinator under the CAISO Tariff"
        ),
        Art(
            "sc_duties",
            "RESPONSIBILITIES OF THE SCHEDULING COORDINATOR",
            [
                Sec(
                    "Certification Requirements",
                    [
                        ("The Scheduling Coordinator shall meet the requirements for "
                        "certification as a Scheduling Coordinator set out in the CAISO Tariff "
                        "and the Business Practice Manual for Scheduling Coordinator "
                        "Certification and Termination, and shall continue to meet them for "
                        "the term of this Agreement, including the requirements on Financial "
                        "Security, minimum participation, the annual officer certification "
                        "and risk-management policies, communication with the CAISO, and "
                        "emergency procedures.")
                    ],
                ),
                Sec(
                    "Compliance with the CAISO Tariff",
                    [
                        ("The Scheduling Coordinator shall comply with every provision of the "
                        "CAISO Tariff that applies to Scheduling Coordinators, as the CAISO "
                        "Tariff is amended from time to time, and with the Business Practice "
                        "Manuals issued under it.")
                    ],
                ),
                Sec(
                    "Scheduling Coordinator Identification Codes",
                    [
                        ("The Scheduling Coordinator shall use only the SCIDs listed in "
                        "<<sch:scids>> ({{ applicant.scids | join_list }}) in its Bids, "
                        "schedules and other submissions to the CAISO, and is responsible for "
                        "every transaction submitted under those SCIDs. Each SCID is subject "
                        "to the charges that the CAISO Tariff applies to SCIDs. A request to "
                        "add, transfer or retire an SCID shall be made in the manner and with "
                        "the advance notice that the CAISO requires.")
                    ],
                ),
                Sec(
                    "Settlement and Payment",
                    [
                        ("The Scheduling Coordinator shall pay, by the dates and in the manner "
                        "that the CAISO Tariff specifies, every amount that the CAISO invoices "
                        "to it under the CAISO Tariff, and shall maintain Financial Security "
                        "in the form and amount the CAISO Tariff requires.")
                    ],
                ),
                Sec(
                    "Entities the Scheduling Coordinator Represents",
                    [
                        ("The Scheduling Coordinator is responsible to the CAISO for the "
                        "obligations arising from the transactions it submits on behalf of "
                        "the entities it represents. Before it submits a transaction for an "
                        "entity, the Scheduling Coordinator shall be authorized by that entity "
                        "to represent it and shall confirm that the entity has entered into "
                        "the agreements the CAISO Tariff requires of it, such as a "
                        "Participating Generator Agreement, a UDC Operating Agreement or a "
                        "Meter Service Agreement.")
                    ],
                ),
                Sec(
                    "Operations and Communication",
                    [
                        ("The Scheduling Coordinator shall maintain, at all times, the ability "
                        "to receive and act on communications and Dispatch Instructions from "
                        "the CAISO, including a real-time operations contact available "
                        "twenty-four (24) hours a day, seven (7) days a week, and a connection "
                        "to the CAISO’s communication systems that meets the CAISO’s "
                        "requirements.")
                    ],
                ),
                Sec(
                    "Changes in Information",
                    [
                        ("The Scheduling Coordinator shall notify the CAISO of any change to "
                        "the information it provided in its application for certification or "
                        "in this Agreement within five (5) Business Days after the change, "
                        "and shall submit a request for a change that the CAISO must "
                        "implement at least eleven (11) Business Days before the date on "
                        "which the change is to take effect.")
                    ],
                ),
            ],
        ),
        Art(
            "caiso_duties",
            "RESPONSIBILITIES OF THE CAISO",
            [
                Sec(
                    "Acceptance of Submissions",
                    [
                        ("The CAISO shall accept and process the Bids and other submissions of "
                        "the Scheduling Coordinator that meet the requirements of the CAISO "
                        "Tariff, in accordance with the CAISO Tariff.")
                    ],
                ),
                Sec(
                    "Settlement Statements and Invoices",
                    [
                        ("The CAISO shall calculate the charges and payments for the "
                        "Scheduling Coordinator’s SCIDs and shall issue Settlement Statements "
                        "and Invoices to the Scheduling Coordinator, in each case as the CAISO "
                        "Tariff provides.")
                    ],
                ),
                Sec(
                    "Information and Systems",
                    [
                        ("The CAISO shall give the Scheduling Coordinator access to the "
                        "information, procedures and systems that the CAISO Tariff requires "
                        "the CAISO to provide to Scheduling Coordinators, subject to the "
                        "confidentiality provisions of the CAISO Tariff.")
                    ],
                ),
                Sec(
                    "Compliance with the CAISO Tariff",
                    [
                        ("The CAISO shall perform its obligations under this Agreement in "
                        "accordance with the CAISO Tariff.")
                    ],
                ),
            ],
        ),
        penalties_and_costs(),
        dispute_resolution(),
        representations(
            [
                Sec(
                    "Accuracy of Information",
                    [
                        ("The Scheduling Coordinator represents that the information it has "
                        "given the CAISO in support of its certification, including the "
                        "information in the Schedules, is true, complete and not misleading.")
                    ],
                )
            ]
        ),
        liability(),
        uncontrollable_forces(),
        miscellaneous(),
    ]
    recitals = [
        ("WHEREAS, the CAISO Tariff provides that the CAISO accepts Bids and other submissions "
        "only from Scheduling Coordinators that it has certified under the CAISO Tariff;"),
        ("WHEREAS, the Scheduling Coordinator wishes to be certified, or remain certified, as a "
        "Scheduling Coordinator, and in its application for certification identified its "
        f"entity type as “{ENTITY_TYPE}”;"),
        ("WHEREAS, the CAISO Tariff requires each Scheduling Coordinator to enter into this "
        "Agreement, by which it undertakes to comply with the CAISO Tariff; and"),
        ("WHEREAS, the Parties wish to set out the terms on which the Scheduling Coordinator "
        "will submit Bids and other submissions to the CAISO and settle the resulting charges;"),
    ]
    return Spec(
        "sca",
        "SCHEDULING COORDINATOR AGREEMENT",
        "Scheduling Coordinator",
        "Pro forma agreement under CAISO Tariff Appendix {{ document.tariff_appendix }}, "
        "as of {{ document.as_of | us_date }}",
        recitals,
        articles,
        [
            ("notices", notices_schedule),
            ("scids", lambda n: scid_schedule(n, scid_intro)),
        ],
    )


# ---- Meter Service Agreement for Scheduling Coordinators ------------------------------------

MSA_SC_METER_TYPE = (
    "{% if r.meter_type is defined %}{% if r.meter_type == \"iso_polled\" %}"
    "ISO Metered Entity{% else %}Scheduling Coordinator Metered Entity{% endif %}"
    "{% else %}Not specified{% endif %}"
)


def msa_sc() -> Spec:
    articles = [
        definitions(
            [
                (
                    "Represented Resources",
                    ("“Represented Resources” means the resources and metered entities listed "
                    "in <<sch:resources>>, as that Schedule is updated under this Agreement."),
                ),
                (
                    "RIMS Project Code",
                    ("“RIMS Project Code” means the project code {{ agreement.rims_project_code }} "
                    "assigned by the CAISO, through its resource interconnection management "
                    "system, to the metering arrangements covered by this Agreement."),
                ),
            ]
        ),
        term_and_termination(
            extra_cause="if the Scheduling Coordinator ceases to be certified as a Scheduling "
            "Coordinator under the CAISO Tariff"
        ),
        Art(
            "sc_duties",
            "RESPONSIBILITIES OF THE SCHEDULING COORDINATOR",
            [
                Sec(
                    "Represented Resources",
                    [
                        ("The Scheduling Coordinator shall submit Settlement Quality Meter Data "
                        "for each Represented Resource that is a Scheduling Coordinator "
                        "Metered Entity. It shall notify the CAISO before it begins or ceases "
                        "to represent a resource, quoting the RIMS Project Code, and the CAISO "
                        "shall update <<sch:resources>> by notice to reflect the change.")
                    ],
                ),
                Sec(
                    "Settlement Quality Meter Data",
                    [
                        ("The Scheduling Coordinator shall submit Settlement Quality Meter Data "
                        "to the CAISO within the time limits, in the format and through the "
                        "systems that the CAISO Tariff and the Business Practice Manual for "
                        "Metering specify. Before submitting it, the Scheduling Coordinator "
                        "shall ensure the data has been validated, edited and estimated in "
                        "accordance with the rules of the applicable Local Regulatory "
                        "Authority or, where there are none, the CAISO’s rules.")
                    ],
                ),
                Sec(
                    "Metering Standards",
                    [
                        ("The Scheduling Coordinator shall ensure that the metering facilities "
                        "of each Scheduling Coordinator Metered Entity it represents meet the "
                        "standards of the applicable Local Regulatory Authority or, where "
                        "there are none, the metering standards of the CAISO Tariff.")
                    ],
                ),
                Sec(
                    "Audit and Testing",
                    [
                        ("The CAISO may audit and test the meter data, and the processes used "
                        "to produce it, that the Scheduling Coordinator submits. The "
                        "Scheduling Coordinator shall cooperate with any such audit or test, "
                        "shall give the CAISO or its appointed auditor reasonable access to "
                        "its records and to those of the entities it represents, and shall "
                        "retain meter data and related records for the period the CAISO "
                        "Tariff requires.")
                    ],
                ),
                Sec(
                    "Agreements with Metered Entities",
                    [
                        ("The Scheduling Coordinator shall have in place with each Scheduling "
                        "Coordinator Metered Entity it represents an agreement that obliges "
                        "the entity to give the Scheduling Coordinator the meter data and the "
                        "access needed for the Scheduling Coordinator to perform this "
                        "Agreement.")
                    ],
                ),
                Sec(
                    "ISO Metered Entities",
                    [
                        ("Where <<sch:resources>> identifies a Represented Resource as an ISO "
                        "Metered Entity, the CAISO collects its meter data directly under the "
                        "entity’s own Meter Service Agreement for ISO Metered Entities, and "
                        "the Scheduling Coordinator shall confirm that such an agreement is in "
                        "effect before it submits transactions for that resource.")
                    ],
                ),
            ],
        ),
        Art(
            "caiso_duties",
            "RESPONSIBILITIES OF THE CAISO",
            [
                Sec(
                    "Use of Meter Data",
                    [
                        ("The CAISO shall use the Settlement Quality Meter Data it receives "
                        "under this Agreement for Settlement and for the other purposes the "
                        "CAISO Tariff permits.")
                    ],
                ),
                Sec(
                    "Access to Meter Data",
                    [
                        ("The CAISO shall give the Scheduling Coordinator access, through the "
                        "CAISO’s systems, to the meter data of the Represented Resources that "
                        "the CAISO holds, as the CAISO Tariff provides.")
                    ],
                ),
                Sec(
                    "Confidentiality",
                    [
                        ("The CAISO shall treat meter data received under this Agreement as "
                        "confidential in accordance with the CAISO Tariff.")
                    ],
                ),
                Sec(
                    "Audit Findings",
                    [
                        ("The CAISO shall inform the Scheduling Coordinator in writing of the "
                        "findings of any audit or test under this Agreement that require "
                        "action by the Scheduling Coordinator.")
                    ],
                ),
            ],
        ),
        penalties_and_costs(
            "The Scheduling Coordinator bears the costs of collecting, validating and "
            "submitting the meter data of the Scheduling Coordinator Metered Entities it "
            "represents, and the costs of any audit or test that reveals a material failure "
            "to comply with this Agreement."
        ),
        dispute_resolution(),
        representations(),
        liability(),
        uncontrollable_forces(),
        miscellaneous(),
    ]
    recitals = [
        ("WHEREAS, the CAISO Tariff requires meter data for Settlement of the transactions of "
        "each Scheduling Coordinator and sets out the metering obligations of Scheduling "
        "Coordinators and of the entities they represent;"),
        ("WHEREAS, the Scheduling Coordinator represents Scheduling Coordinator Metered Entities "
        "and is responsible for submitting their Settlement Quality Meter Data to the CAISO;"),
        ("WHEREAS, the CAISO has assigned the RIMS Project Code {{ agreement.rims_project_code }} "
        "to the metering arrangements covered by this Agreement; and"),
        ("WHEREAS, the Parties wish to set out the terms on which meter data is provided to, "
        "and used by, the CAISO;"),
    ]
    return Spec(
        "msa_sc",
        "METER SERVICE AGREEMENT FOR SCHEDULING COORDINATORS",
        "Scheduling Coordinator",
        "Pro forma agreement under CAISO Tariff Appendix {{ document.tariff_appendix }}, "
        "as of {{ document.as_of | us_date }}",
        recitals,
        articles,
        [
            ("notices", notices_schedule),
            (
                "scids",
                lambda n: scid_schedule(
                    n,
                    "The Scheduling Coordinator submits meter data under the following SCIDs.",
                ),
            ),
            (
                "resources",
                lambda n: resource_schedule(
                    n,
                    "REPRESENTED RESOURCES",
                    "RIMS Project Code: **{{ agreement.rims_project_code }}**. The Scheduling "
                    "Coordinator represents the following resources and metered entities. The "
                    "CAISO may update this Schedule by notice under Section <<num:sc_duties>>.1.",
                    MSA_SC_METER_TYPE,
                ),
            ),
        ],
    )


# ---- Network Connectivity Agreement ---------------------------------------------------------

UAA = "agreement.user_access_administrator"


def nca() -> Spec:
    articles = [
        definitions(
            [
                (
                    "Energy Communication Network",
                    ("“Energy Communication Network” or “ECN” means the communication network "
                    "and the interfaces that the CAISO operates for the exchange of data "
                    "between the CAISO and Market Participants."),
                ),
                (
                    "Digital Certificate",
                    ("“Digital Certificate” means an electronic credential issued under the "
                    "CAISO’s public key infrastructure that identifies a user to the CAISO’s "
                    "systems."),
                ),
                (
                    "User Access Administrator",
                    ("“User Access Administrator” means the individual named in "
                    "<<sch:uaa>> who manages, for the Participant, the access of its "
                    "personnel to the CAISO’s systems."),
                ),
                (
                    "Connection",
                    ("“Connection” means the means by which the Participant reaches the ECN, "
                    "as described in Section <<num:p_duties>>.1."),
                ),
            ]
        ),
        term_and_termination(
            cure_days=30,
            notice_days=60,
            extra_cause="if the Participant’s use of the Connection threatens the security or "
            "reliable operation of the CAISO’s systems and the threat cannot otherwise be "
            "contained; pending termination, the CAISO may suspend the Connection at once under "
            "Section <<num:caiso_duties>>.4",
        ),
        Art(
            "p_duties",
            "RESPONSIBILITIES OF THE PARTICIPANT",
            [
                Sec(
                    "Connection",
                    [
                        ("{% if agreement.connection_type == \"internet\" %}The Participant "
                        "shall reach the ECN over the public internet, using Digital "
                        "Certificates for every user and application that connects, and "
                        "through equipment and software that meet the CAISO’s published "
                        "technical requirements.{% else %}The Participant shall reach the ECN "
                        "through a dedicated communication circuit between its facilities and "
                        "the CAISO’s points of interconnection, procured from a carrier and "
                        "configured in accordance with the CAISO’s published technical "
                        "requirements, and shall use Digital Certificates for every user and "
                        "application that connects.{% endif %}")
                    ],
                ),
                Sec(
                    "User Access Administrator",
                    [
                        ("The Participant appoints {{ agreement.user_access_administrator.name }}, "
                        "{{ agreement.user_access_administrator.title }}, as its User Access "
                        "Administrator. The User Access Administrator shall request, approve "
                        "and revoke the access of the Participant’s personnel and applications "
                        "to the CAISO’s systems, and shall review that access at the "
                        "intervals the CAISO requires. The Participant may appoint a new User "
                        "Access Administrator by notice to the CAISO, which updates "
                        "<<sch:uaa>>.")
                    ],
                ),
                Sec(
                    "Security",
                    [
                        ("The Participant shall keep its Digital Certificates, passwords and "
                        "other credentials secure and shall not share them between "
                        "individuals. It shall ask the CAISO to revoke a credential without "
                        "delay when the holder no longer needs access or the credential may "
                        "have been compromised. It shall maintain reasonable safeguards, "
                        "including firewalls and protection against malicious software, on "
                        "the systems it uses to reach the ECN.")
                    ],
                ),
                Sec(
                    "Permitted Use",
                    [
                        ("The Participant shall use the Connection only to take part in the "
                        "CAISO Markets and to perform its obligations under the CAISO Tariff, "
                        "and shall not attempt to reach any system, data or service of the "
                        "CAISO that it has not been authorized to use.")
                    ],
                ),
                Sec(
                    "Testing",
                    [
                        ("Before it first uses the Connection for production purposes, and "
                        "after any material change to it, the Participant shall complete "
                        "the connectivity tests the CAISO specifies.")
                    ],
                ),
                Sec(
                    "Security Incidents",
                    [
                        ("The Participant shall notify the CAISO without undue delay of any "
                        "event that has affected, or may affect, the security of the "
                        "Connection, of its credentials or of the CAISO’s systems, and shall "
                        "cooperate with the CAISO in responding to it.")
                    ],
                ),
            ],
        ),
        Art(
            "caiso_duties",
            "RESPONSIBILITIES OF THE CAISO",
            [
                Sec(
                    "Access to the ECN",
                    [
                        ("The CAISO shall make the ECN available to the Participant through the "
                        "Connection in accordance with the CAISO Tariff and the CAISO’s "
                        "published technical requirements.")
                    ],
                ),
                Sec(
                    "Digital Certificates",
                    [
                        ("The CAISO shall issue Digital Certificates to the users approved by "
                        "the User Access Administrator and shall revoke them promptly when the "
                        "User Access Administrator so requests.")
                    ],
                ),
                Sec(
                    "Maintenance",
                    [
                        ("The CAISO shall give the Participant reasonable advance notice of "
                        "planned maintenance that will interrupt access to the ECN, except in "
                        "an emergency.")
                    ],
                ),
                Sec(
                    "Suspension",
                    [
                        ("The CAISO may suspend the Connection, or any credential, to protect "
                        "the security or reliable operation of its systems, and shall restore "
                        "it as soon as the reason for the suspension has been resolved.")
                    ],
                ),
            ],
        ),
        penalties_and_costs(
            "The Participant bears the costs of its equipment, software, communication "
            "services and carrier circuits used for the Connection, and any charge the CAISO "
            "Tariff provides for access to the ECN."
        ),
        dispute_resolution(),
        representations(),
        liability(),
        uncontrollable_forces(),
        miscellaneous(
            extra=[
                Sec(
                    "Confidentiality",
                    [
                        ("Each Party shall keep confidential the technical information, "
                        "addresses and credentials it receives from the other Party for the "
                        "Connection, and shall use them only to perform this Agreement, "
                        "except as the CAISO Tariff or the law requires otherwise.")
                    ],
                )
            ]
        ),
    ]
    recitals = [
        ("WHEREAS, the CAISO operates the Energy Communication Network through which Market "
        "Participants exchange Bids, instructions, settlement data and other information with "
        "the CAISO;"),
        ("WHEREAS, the Participant is, or has applied to become, a Scheduling Coordinator, and "
        "a connection to the ECN is among the requirements for certification; and"),
        ("WHEREAS, the Parties wish to set out the terms on which the Participant connects to "
        "and uses the ECN;"),
    ]
    uaa_table = Table(
        rows=[[[""], ["User Access Administrator"]]] + contact_rows([UAA]),
        widths=[1.9, 4.6],
    )

    def uaa_schedule(n: str) -> list[Block]:
        return [
            Block("h1", n, page_break=True),
            Block("h2", "USER ACCESS ADMINISTRATOR AND CONNECTION"),
            Block(
                "p",
                "Connection type: **{% if agreement.connection_type == \"internet\" %}"
                "Internet with Digital Certificates{% else %}Dedicated communication circuit"
                "{% endif %}**.",
            ),
            Block("p", "The Participant’s User Access Administrator is:"),
            Block("table", table=uaa_table),
        ]

    return Spec(
        "nca",
        "NETWORK CONNECTIVITY AGREEMENT",
        "Participant",
        "Energy Communication Network connectivity, as of {{ document.as_of | us_date }}",
        recitals,
        articles,
        [
            ("notices", notices_schedule),
            ("uaa", uaa_schedule),
            (
                "scids",
                lambda n: scid_schedule(
                    n, "The Participant will use the Connection for the following SCIDs."
                ),
            ),
        ],
    )


# ---- Meter Service Agreement for CAISO Metered Entities ---------------------------------------

def msa_isome() -> Spec:
    articles = [
        definitions(
            [
                (
                    "Metered Facilities",
                    ("“Metered Facilities” means the resources listed in <<sch:resources>> "
                    "and the revenue-quality meters that measure them, described in "
                    "<<sch:meter_points>>."),
                ),
                (
                    "RIMS Project Code",
                    ("“RIMS Project Code” means the project code {{ agreement.rims_project_code }} "
                    "assigned by the CAISO, through its resource interconnection management "
                    "system, to the Metered Facilities."),
                ),
            ]
        ),
        term_and_termination(),
        Art(
            "me_duties",
            "RESPONSIBILITIES OF THE CAISO METERED ENTITY",
            [
                Sec(
                    "Metering Facilities",
                    [
                        ("The CAISO Metered Entity shall install, own or arrange for, and "
                        "maintain, revenue-quality meters for the Metered Facilities that meet "
                        "the CAISO’s metering standards and have been certified by the CAISO, "
                        "and shall keep them certified for the term of this Agreement.")
                    ],
                ),
                Sec(
                    "Access and Communication",
                    [
                        ("The CAISO Metered Entity shall give the CAISO the communication links "
                        "and the physical and remote access the CAISO needs to read, test and "
                        "inspect the meters of the Metered Facilities, as the CAISO Tariff "
                        "and the Business Practice Manual for Metering provide.")
                    ],
                ),
                Sec(
                    "Testing and Maintenance",
                    [
                        ("The CAISO Metered Entity shall test and maintain the meters at the "
                        "intervals the CAISO requires, shall tell the CAISO in advance of "
                        "planned work that will affect meter data, and shall tell the CAISO "
                        "promptly of any failure of a meter or its communication link.")
                    ],
                ),
                Sec(
                    "Meter Security",
                    [
                        ("The CAISO Metered Entity shall keep the meters sealed and protected "
                        "against unauthorized access, and shall not alter a meter, its "
                        "settings or its data except as the CAISO authorizes.")
                    ],
                ),
                Sec(
                    "Scheduling Coordinator",
                    [
                        ("The CAISO Metered Entity is represented in the CAISO Markets by "
                        "{{ agreement.scheduling_coordinator_name }}"
                        "{% if agreement.scheduling_coordinator_scid is defined %} (SCID "
                        "{{ agreement.scheduling_coordinator_scid }}){% endif %}, and "
                        "authorizes the CAISO to provide the meter data of the Metered "
                        "Facilities to that Scheduling Coordinator. The CAISO Metered Entity "
                        "shall notify the CAISO before it changes its Scheduling Coordinator.")
                    ],
                ),
                Sec(
                    "Changes to Metered Facilities",
                    [
                        ("The CAISO Metered Entity shall notify the CAISO, quoting the RIMS "
                        "Project Code, before it adds, removes or modifies a meter of the "
                        "Metered Facilities, and shall have any new or modified meter "
                        "certified before its data is used for Settlement. The CAISO shall "
                        "update <<sch:resources>> and <<sch:meter_points>> by notice to "
                        "reflect the change.")
                    ],
                ),
            ],
        ),
        Art(
            "caiso_duties",
            "RESPONSIBILITIES OF THE CAISO",
            [
                Sec(
                    "Collection of Meter Data",
                    [
                        ("The CAISO shall collect meter data from the meters of the Metered "
                        "Facilities, shall validate, edit and estimate it in accordance with "
                        "the CAISO Tariff, and shall use the resulting Settlement Quality "
                        "Meter Data for Settlement.")
                    ],
                ),
                Sec(
                    "Availability of Meter Data",
                    [
                        ("The CAISO shall make the meter data of the Metered Facilities "
                        "available to the CAISO Metered Entity and to its Scheduling "
                        "Coordinator through the CAISO’s systems.")
                    ],
                ),
                Sec(
                    "Certification and Audit",
                    [
                        ("The CAISO shall certify meters that meet its standards, and may "
                        "audit and test the meters and meter data of the Metered Facilities "
                        "on reasonable notice.")
                    ],
                ),
                Sec(
                    "Confidentiality",
                    [
                        ("The CAISO shall treat the meter data of the Metered Facilities as "
                        "confidential in accordance with the CAISO Tariff.")
                    ],
                ),
            ],
        ),
        penalties_and_costs(
            "The CAISO Metered Entity bears the costs of installing, certifying, testing and "
            "maintaining the meters of the Metered Facilities and their communication links."
        ),
        dispute_resolution(),
        representations(),
        liability(),
        uncontrollable_forces(),
        miscellaneous(),
    ]
    recitals = [
        ("WHEREAS, the CAISO Tariff requires meter data for the Settlement of energy delivered "
        "to or taken from the CAISO Controlled Grid, and provides that the CAISO collects meter "
        "data directly from CAISO Metered Entities;"),
        ("WHEREAS, the CAISO Metered Entity owns or operates the Metered Facilities listed in "
        "<<sch:resources>>, to which the CAISO has assigned the RIMS Project Code "
        "{{ agreement.rims_project_code }}; and"),
        ("WHEREAS, the Parties wish to set out the terms on which the CAISO collects and uses "
        "the meter data of the Metered Facilities;"),
    ]
    meter_type = (
        "{% if r.meter_type == \"primary\" %}Primary revenue meter{% else %}Backup revenue "
        "meter{% endif %}"
    )
    return Spec(
        "msa_isome",
        "METER SERVICE AGREEMENT FOR CAISO METERED ENTITIES",
        "CAISO Metered Entity",
        "Pro forma agreement under CAISO Tariff Appendix {{ document.tariff_appendix }}, "
        "as of {{ document.as_of | us_date }}",
        recitals,
        articles,
        [
            ("notices", notices_schedule),
            (
                "resources",
                lambda n: resource_schedule(
                    n,
                    "METERED FACILITIES",
                    "RIMS Project Code: **{{ agreement.rims_project_code }}**. Scheduling "
                    "Coordinator: **{{ agreement.scheduling_coordinator_name }}**. The CAISO may "
                    "update this Schedule by notice under Section <<num:me_duties>>.6.",
                    meter_type,
                ),
            ),
            ("meter_points", meter_data_schedule),
        ],
    )


def meter_data_schedule(number_label: str) -> list[Block]:
    """Schedule 3 of the MSA for CAISO Metered Entities: where and how each meter measures."""
    meter_type = '{% if m.meter_type == "primary" %}Primary{% else %}Backup{% endif %}'
    blank = [[""]] * 5
    table = Table(
        rows=[
            [["No."], ["Resource ID"], ["Meter Type"], ["Meter ID"], ["Meter Point"], ["Voltage"]],
            [["{%tr for m in agreement.meter_points %}"], *blank],
            [
                ["{{ loop.index }}"], ["{{ m.resource_id }}"], [meter_type], ["{{ m.meter_id }}"],
                ["{{ m.meter_point }}"], ["{{ m.voltage }}"],
            ],
            [["{%tr endfor %}"], *blank],
        ],
        widths=[0.4, 1.55, 0.8, 1.2, 1.85, 0.7],
    )
    return [
        Block("h1", number_label, page_break=True),
        Block("h2", "METER DATA"),
        Block(
            "p",
            "RIMS Project Code: **{{ agreement.rims_project_code }}**. Each meter of the Metered "
            "Facilities listed in <<sch:resources>>, with the device the CAISO reads, the point "
            "where it measures and the nominal voltage of that point. The CAISO may update this "
            "Schedule by notice under Section <<num:me_duties>>.6.",
        ),
        Block("table", table=table),
    ]


SPECS = {"sca": sca, "msa_sc": msa_sc, "nca": nca, "msa_isome": msa_isome}
TITLES = {
    "sca": "Scheduling Coordinator Agreement",
    "msa_sc": "Meter Service Agreement for Scheduling Coordinators",
    "nca": "Network Connectivity Agreement",
    "msa_isome": "Meter Service Agreement for CAISO Metered Entities",
}


def main(argv: list[str]) -> int:
    keys = argv or list(SPECS)
    for key in keys:
        out = ROOT / key / "template.docx"
        out.parent.mkdir(parents=True, exist_ok=True)
        build(render_blocks(SPECS[key]()), TITLES[key], out)
        print(f"wrote {out.relative_to(ROOT.parent)} ({out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
