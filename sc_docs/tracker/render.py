"""Text, JSON and HTML views of the tracker: what `sc-docs track show/history/report` print."""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Sequence
from typing import Any

from sc_docs.sheets.problems import printable
from sc_docs.tracker.progress import ApplicantProgress, ItemProgress
from sc_docs.tracker.records import Event
from sc_docs.tracker.templates import StaleDocument


def when(item: ItemProgress) -> str:
    """Return the deadline column: `due 2026-12-15 (3 days left)`, `overdue by 2 days`, ..."""
    if item.status in ("done", "waived"):
        text = f"{item.status} {item.date.isoformat()}" if item.date else item.status
        return f"{text}; next due {item.next_due.isoformat()}" if item.next_due else text
    if item.due is None:
        return item.waiting_on or "no deadline"
    days = item.days_left or 0
    if days < 0:
        return f"due {item.due.isoformat()}, overdue by {_days(-days)}"
    if days == 0:
        return f"due {item.due.isoformat()}, today"
    return f"due {item.due.isoformat()}, {_days(days)} left"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _evidence(item: ItemProgress) -> str:
    parts = []
    if item.evidence_sha256:
        parts.append(f"sha256 {item.evidence_sha256[:12]}")
    parts += [f"{d.key} {d.version or '?'} ({d.packet_date.isoformat()})" for d in item.documents]
    return "; ".join(parts)


def _safe(text: str) -> str:
    """Escape control characters a sheet could carry into a name or note (terminal escapes)."""
    return printable(text)


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    rows = [[_safe(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]


def show_text(progress: ApplicantProgress) -> str:
    """Return one applicant's requirements as an aligned table."""
    head = (
        f"{progress.legal_name} ({progress.slug}): {progress.complete}/{progress.total} complete "
        f"({progress.percent}%), {progress.overdue} overdue"
    )
    rows = [("", "REQUIREMENT", "STATUS", "WHEN", "EVIDENCE")]
    for i in progress.items:
        rows.append(("!" if i.overdue else "", i.key, i.status, when(i), _evidence(i)))
    return "\n".join([_safe(head), *_table(rows)]) + "\n"


def history_text(events: Sequence[Event]) -> str:
    """Return the audit trail, one line per event."""
    rows = [("#", "RECORDED (UTC)", "BY", "WHAT", "CHANGE", "DATE", "NOTE", "EVIDENCE")]
    for e in events:
        change = f"{e.old_status} -> {e.new_status}" if e.action == "mark" else ""
        what = f"{e.action} {e.requirement}" if e.requirement else e.action
        rows.append(
            (
                str(e.id),
                e.recorded_at[:19].replace("T", " "),
                e.actor,
                what,
                change,
                e.effective_date.isoformat() if e.effective_date else "",
                (e.note or "").replace("\n", " "),
                e.evidence_sha256 or "",
            )
        )
    return "\n".join(_table(rows)) + "\n"


def report_text(progress: Sequence[ApplicantProgress], stale: Sequence[StaleDocument] | None) -> str:
    """Return every applicant's progress with its overdue and open items."""
    lines: list[str] = []
    for p in progress:
        lines.append(
            f"{p.legal_name} ({p.slug}): {p.complete}/{p.total} complete ({p.percent}%), {p.overdue} overdue"
        )
        for i in p.items:
            if i.status == "pending" and (i.overdue or i.due):
                mark = "!" if i.overdue else "-"
                lines.append(f"  {mark} {i.key}: {when(i)}")
    if not progress:
        lines.append("No applicants in the tracker.")
    if stale is not None:
        lines.append("")
        lines += _stale_lines(stale)
    return "\n".join(_safe(line) for line in lines) + "\n"


def _stale_lines(stale: Sequence[StaleDocument]) -> list[str]:
    if not stale:
        return ["Stale templates: none; every recorded document uses the current template version."]
    out = [f"Stale templates: {len(stale)} document(s) made from an outdated template version"]
    rows = [("APPLICANT", "DOCUMENT", "MADE FROM", "CURRENT", "PACKET", "FILE")]
    for s in stale:
        d = s.document
        made = d.version or "?"
        if s.older is None:
            made += " (not comparable)"
        rows.append((d.slug, d.key, made, s.current, d.packet_date.isoformat(), d.file or ""))
    return out + ["  " + line for line in _table(rows)]


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def report_json(
    progress: Sequence[ApplicantProgress], stale: Sequence[StaleDocument] | None, today: dt.date
) -> str:
    data: dict[str, Any] = {"today": today.isoformat(), "applicants": [p.to_json() for p in progress]}
    if stale is not None:
        data["stale_templates"] = [s.to_json() for s in stale]
    return to_json(data)


_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:2rem;color:#1d2433}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:2rem 0 .4rem}
.meta{color:#5b6475;margin:0 0 1rem}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem}
th,td{border-bottom:1px solid #dde1e8;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f5f8;font-weight:600}
tr.overdue td{background:#fde8e8;color:#8a1010;font-weight:600}
tr.done td,tr.waived td{color:#4b5563}
.bar{background:#e5e7eb;border-radius:4px;height:12px;width:320px;max-width:100%;overflow:hidden;display:inline-block;vertical-align:middle}
.fill{background:#2f855a;height:100%}
.badge{display:inline-block;border-radius:3px;padding:0 .4rem;font-size:.85em}
.badge.pending{background:#fff4d6}.badge.done{background:#dcf5e3}.badge.waived{background:#e8eaf0}
.badge.overdue{background:#b91c1c;color:#fff}
code{font-size:.85em}
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def report_html(
    progress: Sequence[ApplicantProgress], stale: Sequence[StaleDocument] | None, today: dt.date
) -> str:
    """Return the report as one self-contained HTML page (inline CSS, every value escaped)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>SC certification progress</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Scheduling Coordinator certification progress</h1>",
        (
            f'<p class="meta">As of {_e(today.isoformat())}; {len(progress)} applicant(s), '
            f"{sum(p.overdue for p in progress)} overdue item(s).</p>"
        ),
    ]
    if not progress:
        parts.append("<p>No applicants in the tracker.</p>")
    for p in progress:
        parts.append(_applicant_html(p))
    if stale is not None:
        parts.append(_stale_html(stale))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _applicant_html(p: ApplicantProgress) -> str:
    rows = []
    for i in p.items:
        cls = "overdue" if i.overdue else i.status
        badge = '<span class="badge overdue">overdue</span> ' if i.overdue else ""
        rows.append(
            f'<tr class="{cls}" data-requirement="{_e(i.key)}">'
            f"<td>{_e(i.title)}<br><code>{_e(i.key)}</code></td>"
            f"<td>{_e(i.party)}</td>"
            f'<td>{badge}<span class="badge {_e(i.status)}">{_e(i.status)}</span></td>'
            f"<td>{_e(when(i))}</td>"
            f"<td>{_e(_evidence(i))}</td></tr>"
        )
    return (
        f'<section class="applicant" id="{_e(p.slug)}" data-slug="{_e(p.slug)}">'
        f"<h2>{_e(p.legal_name)} <small><code>{_e(p.slug)}</code></small></h2>"
        f'<p class="meta"><span class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" '
        f'aria-valuenow="{p.percent}"><span class="fill" style="display:block;width:{p.percent}%"></span></span> '
        f"{p.complete}/{p.total} complete ({p.percent}%), {p.overdue} overdue"
        + (f"; application date {_e(p.application_date.isoformat())}" if p.application_date else "")
        + "</p>"
        "<table><thead><tr><th>Requirement</th><th>Party</th><th>Status</th><th>When</th>"
        "<th>Evidence</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></section>"
    )


def _stale_html(stale: Sequence[StaleDocument]) -> str:
    if not stale:
        return '<h2>Stale templates</h2><p class="meta">None: every recorded document uses the current template.</p>'
    rows = "".join(
        f"<tr><td>{_e(s.document.legal_name)}</td><td><code>{_e(s.document.key)}</code></td>"
        f"<td>{_e(s.document.version or '?')}</td><td>{_e(s.current)}</td>"
        f"<td>{_e(s.document.packet_date.isoformat())}</td><td>{_e(s.document.file or '')}</td></tr>"
        for s in stale
    )
    return (
        '<h2>Stale templates</h2><table id="stale-templates"><thead><tr><th>Applicant</th><th>Document</th>'
        "<th>Made from</th><th>Current</th><th>Packet</th><th>File</th></tr></thead><tbody>"
        + rows
        + "</tbody></table>"
    )
