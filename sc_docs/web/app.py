"""The web application: applicants list, edit form with live validation, import and export.

Documents, batches and certification live in their own modules; `create_app` puts them together
behind the `Guard` (token, CSRF, size limits, safety headers).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from sc_docs.errors import ScDocsError
from sc_docs.web import form as forms
from sc_docs.web.pages import page, problem_rows
from sc_docs.web.security import Guard, is_loopback
from sc_docs.web.uploads import SHEETS, UploadError, read_upload
from sc_docs.web.workspace import ConflictError, NotFound, Workspace

PAGE_SIZE = 100
STATIC = Path(__file__).parent / "static"


def ws(request: Request) -> Workspace:
    return request.app.state.workspace  # type: ignore[no-any-return]


async def applicants(request: Request) -> Response:
    """The applicants list: status of each record, documents made, certification progress."""
    workspace = ws(request)
    q = request.query_params.get("q", "").strip().lower()
    try:
        page_no = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page_no = 1
    rows = await run_in_threadpool(workspace.summaries, wait=False)
    pending = sum(r.pending for r in rows)
    total, valid = len(rows), sum(1 for r in rows if not r.problems and not r.unreadable and not r.pending)
    if q:
        rows = [r for r in rows if q in r.legal_name.lower() or q in r.id]
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    shown = rows[(page_no - 1) * PAGE_SIZE: page_no * PAGE_SIZE]
    from sc_docs.web.certification import progress_by_id

    # Until the start-up pass is done, the list does not stop to read the whole tracker either.
    progress = await run_in_threadpool(progress_by_id, workspace, wait=workspace.warmed.is_set())
    return page(request, "list.html", rows=shown, total=total, valid=valid, q=q, page_no=page_no, pages=pages,
                progress=progress or {}, pending=pending + (progress is None))


def _problems_json(data: dict[str, Any], source: str) -> dict[str, Any]:
    from sc_docs import validate
    from sc_docs.sheets import ApplicantRecord

    problems = validate(ApplicantRecord(data=data, sources=[source]))
    return {"count": len(problems), "problems": [{"path": p.path, "message": p.message, "rule": p.rule} for p in problems]}


def _record_of(pairs: list[tuple[str, str]], old: dict[str, Any] | None) -> dict[str, Any]:
    data = forms.to_record(pairs)
    return forms.keep_unknown(old, data) if old is not None else data  # type: ignore[no-any-return]


def _load_data(workspace: Workspace, id_: str) -> tuple[dict[str, Any] | None, str | None]:
    """Return the record's data (an old layout read as today's), or None and why it cannot be read."""
    record, why = _load(workspace, id_)
    return (record.data if record is not None else None), why


def _load(workspace: Workspace, id_: str) -> tuple[Any, str | None]:
    """Return the loaded record and its notices, or None and why it cannot be read."""
    from sc_docs import load_applicant

    path = workspace.path(id_)  # an unknown id is a 404, not a record that cannot be read
    try:
        record = load_applicant(path)
    except ScDocsError as exc:
        return None, exc.format_message()
    return record, "\n".join(record.notices) or None


async def _pairs(request: Request) -> list[tuple[str, str]]:
    formdata = await request.form(max_files=0, max_fields=5000)
    return [(k, v) for k, v in formdata.multi_items() if isinstance(v, str)]


def _edit_page(request: Request, *, id_: str | None, data: dict[str, Any], version: str, status: int = 200,
               message: str = "", error: str = "", fresh: bool = False, record: Any = None) -> Response:
    """Render the form; `record` (as loaded from its file) gives problems with their lines, as the CLI's."""
    from sc_docs import validate
    from sc_docs.sheets import ApplicantRecord

    source = f"{id_}.yaml" if id_ else "<new record>"
    problems = validate(record if record is not None else ApplicantRecord(data=data, sources=[source]))
    by_path: dict[str, list[str]] = {}
    for p in problems:
        by_path.setdefault(p.path, []).append(p.message)
    return page(request, "edit.html", status=status, id=id_, sections=forms.build(data, fresh=fresh),
                version=version, problems=problem_rows(problems, id_), by_path=by_path, message=message,
                error=error, unknown=forms.unknown_paths(data))


async def new_form(request: Request) -> Response:
    return _edit_page(request, id_=None, data={}, version="new", fresh=True)


async def create(request: Request) -> Response:
    """Save a new record from the blank form, valid or not (a draft keeps what was typed)."""
    data = _record_of(await _pairs(request), None)
    id_ = ws(request).create(data)
    return RedirectResponse(f"/a/{id_}/edit?saved=1", status_code=303)


async def edit_form(request: Request) -> Response:
    workspace = ws(request)
    id_ = request.path_params["id"]
    raw, version = workspace.read(id_)
    record, why = _load(workspace, id_)
    message = "Saved." if request.query_params.get("saved") else ""
    if record is None:
        return page(request, "unreadable.html", status=422, id=id_, error=why, text=raw.decode("utf-8", "replace"))
    if why:  # the old layout's notice: a save writes the record in today's layout
        message = f"{message} {why.split(': ', 1)[-1]}; saving here writes it in the new layout.".strip()
    return _edit_page(request, id_=id_, data=record.data, version=version, message=message, record=record)


async def save(request: Request) -> Response:
    """Save the form over the record unless the file changed since the form was opened."""
    workspace = ws(request)
    id_ = request.path_params["id"]
    pairs = await _pairs(request)
    version = dict(pairs).get("_version", "")
    old, _ = _load_data(workspace, id_)
    data = _record_of(pairs, old)
    try:
        workspace.save(id_, data, version)
    except ConflictError as exc:
        return _edit_page(request, id_=id_, data=data, version=version, status=409, error=exc.message)
    return RedirectResponse(f"/a/{id_}/edit?saved=1", status_code=303)


async def check(request: Request) -> Response:
    """Live validation: the problems `sc-docs validate` would report for the form as typed."""
    id_ = request.path_params.get("id")
    workspace = ws(request)
    old = _load_data(workspace, id_)[0] if id_ else None
    data = _record_of(await _pairs(request), old)
    return JSONResponse(_problems_json(data, f"{id_}.yaml" if id_ else "<new record>"))


async def export(request: Request) -> Response:
    """Download a record as YAML (the file itself) or XLSX (the workbook layout `sc-docs` reads)."""
    workspace = ws(request)
    id_ = request.path_params["id"]
    fmt = request.path_params["fmt"]
    raw, _ = workspace.read(id_)
    if fmt not in ("yaml", "xlsx"):
        raise NotFound(f"no export as '{fmt}'; use yaml or xlsx")
    if fmt == "yaml":
        return Response(raw, media_type="application/yaml", headers=_attachment(f"{id_}.yaml"))
    data, why = _load_data(workspace, id_)
    if data is None:
        return page(request, "message.html", status=422, title="Cannot export", error=why)
    from sc_docs.sheets.xlsx_source import write_xlsx

    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(write_xlsx(data), media_type=media, headers=_attachment(f"{id_}.xlsx"))


def _attachment(name: str) -> dict[str, str]:
    return {"content-disposition": f'attachment; filename="{name}"'}


async def import_sheet(request: Request) -> Response:
    """Upload a YAML/JSON/XLSX sheet (one applicant) or a CSV roster (one applicant per row)."""
    from sc_docs.web.importing import import_upload

    try:
        async with request.form(max_files=1, max_fields=10) as formdata:
            suffix, data = await read_upload(formdata.get("file"), SHEETS)
    except UploadError as exc:
        status = 413 if "larger" in exc.message else 400
        return page(request, "message.html", status=status, title="Import refused", error=exc.message)
    results = import_upload(ws(request), SHEETS[suffix], data)
    status = 200 if any(r.id for r in results) else 422
    return page(request, "imported.html", status=status, results=results)


async def not_found(request: Request, exc: Exception) -> Response:
    return page(request, "message.html", status=404, title="Not found", error=str(exc) or "no such page")


async def failed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ScDocsError)
    return page(request, "message.html", status=400, title="Error", error=exc.format_message())


def create_app(workspace: str | Path, *, token: str | None = None, host: str = "127.0.0.1", warm: bool = True) -> Any:
    """Return the ASGI application serving `workspace`, guarded for `host` (and `token` when set).

    `warm` checks every record in a background thread at start, so the list answers at once (records
    not reached yet show as being checked); without it the first list request checks them all.
    """
    from starlette.exceptions import HTTPException

    from sc_docs.web import certification, documents, jobs

    root = Path(workspace)
    routes = [
        Route("/", applicants),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Route("/new", new_form, methods=["GET"]),
        Route("/new", create, methods=["POST"]),
        Route("/check", check, methods=["POST"]),
        Route("/import", import_sheet, methods=["POST"]),
        Route("/a/{id}/edit", edit_form, methods=["GET"]),
        Route("/a/{id}/edit", save, methods=["POST"]),
        Route("/a/{id}/check", check, methods=["POST"]),
        Route("/a/{id}/export.{fmt:str}", export),
        *documents.routes, *jobs.routes, *certification.routes,
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={
        NotFound: not_found, ScDocsError: failed, HTTPException: _http_error})
    app.state.workspace = Workspace(root)
    if warm:
        threading.Thread(target=_warm, args=(app.state.workspace,), name="warm-summaries", daemon=True).start()
    else:
        app.state.workspace.warmed.set()
    app.state.jobs = jobs.Jobs(app.state.workspace)
    hosts = ({"127.0.0.1", "localhost", "[::1]", host.lower()} if is_loopback(host) else set())
    return Guard(app, token=token, hosts=hosts)


def _warm(workspace: Workspace) -> None:
    """Summarize every record and read the tracker once at start, so no list request waits for it."""
    from sc_docs.web.certification import progress_by_id

    try:
        workspace.summaries()
        progress_by_id(workspace)
    except Exception:  # noqa: S110 - a failure here only means a later request does the work
        pass
    finally:
        workspace.warmed.set()


async def _http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    detail = getattr(exc, "detail", "") or "error"
    if status == 404:
        detail = "no such page"
    return page(request, "message.html", status=status, title=f"Error {status}", error=str(detail))


