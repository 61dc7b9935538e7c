"""Server-rendered pages: one Jinja2 environment (autoescaping on) over the package's templates."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

TEMPLATES = Path(__file__).parent / "templates"
_FORMATTED = re.compile(r"^(?P<where>.*?):(?P<line>\d+|[A-Z]+\d+): (?P<path>[^\s:]+): (?P<message>.*)$", re.S)


@cache
def environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,  # every value from a record or an upload is escaped, in every template
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def page(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """Render `template` with the request's CSRF token available as `csrf`."""
    csrf = request.scope.get("state", {}).get("csrf", "")
    html = environment().get_template(template).render(request=request, csrf=csrf, **context)
    return HTMLResponse(html, status_code=status)


def field_link(id_: str | None, path: str) -> str:
    """Return the edit-page link that scrolls to the field at `path`."""
    base = f"/a/{id_}/edit" if id_ else "/new"
    return f"{base}#f-{path}"


def problem_rows(problems: list[Any], id_: str | None) -> list[dict[str, str]]:
    """Turn `Problem`s into rows a template shows: path, message, link to the field."""
    rows = []
    for p in problems:
        where = Path(p.file).name + (f":{p.cell}" if p.cell else f":{p.line}" if p.line is not None else "")
        rows.append({"path": p.path, "message": p.message, "href": field_link(id_, p.path), "where": where})
    return rows


def parse_formatted(text: str, id_: str | None) -> dict[str, str]:
    """Split a `FILE:LINE: path: message` line (a batch report's) into a row with a field link."""
    m = _FORMATTED.match(text)
    if not m:
        return {"path": "", "message": text, "href": "", "where": ""}
    path = m.group("path")
    return {"path": path, "message": m.group("message"), "href": field_link(id_, path) if id_ else "",
            "where": f"{Path(m.group('where')).name}:{m.group('line')}"}
