"""Certification: the tracker's checklist per applicant, marking with evidence, and the history.

The tracker is `WORKSPACE/sc-docs.sqlite`, the file `sc-docs track` uses when run in the
workspace. Evidence uploads are stored as `WORKSPACE/evidence/<id>/<requirement>-<sha256>.<ext>`:
the uploaded name never becomes a path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
from functools import cache
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from sc_docs.errors import ScDocsError
from sc_docs.files import atomic_write
from sc_docs.web.pages import page
from sc_docs.web.uploads import EVIDENCE, UploadError, read_upload
from sc_docs.web.workspace import NotFound, Workspace

_cache: dict[str, tuple[tuple[int, ...], dict[str, dict[str, int]]]] = {}
_cache_lock = threading.Lock()


def _ws(request: Request) -> Workspace:
    return request.app.state.workspace  # type: ignore[no-any-return]


def _stamp(workspace: Workspace) -> tuple[int, ...]:
    out: list[int] = []
    for suffix in ("", "-wal"):
        try:
            st = os.stat(f"{workspace.tracker_path()}{suffix}")
            out += [st.st_size, st.st_mtime_ns]
        except OSError:
            out += [0, 0]
    return tuple(out)


def progress_by_id(workspace: Workspace, *, wait: bool = True) -> dict[str, dict[str, int]] | None:
    """Return `{id: {complete, total, overdue}}` for every registered applicant (cached per db change).

    Reading every applicant's progress takes seconds for hundreds of applicants, so after a change
    the previous answer is returned at once while a background thread reads the new one (the list
    catches up on its next load; the certification page itself always reads the tracker). With
    `wait=False`, return None rather than read the tracker when nothing is cached yet.
    """
    if not workspace.tracker_path().is_file():
        return {}
    stamp = (*_stamp(workspace), dt.date.today().toordinal())
    key = str(workspace.root)
    hit = _cache.get(key)
    if hit and hit[0] == stamp:
        return hit[1]
    if hit is not None:
        threading.Thread(target=_refresh, args=(workspace, key, stamp), name="tracker-progress", daemon=True).start()
        return hit[1]
    if not wait:
        return None
    with _cache_lock:
        hit = _cache.get(key)
        if hit and hit[0] == stamp:  # computed while this caller waited
            return hit[1]
        return _compute(workspace, key, stamp)


def _refresh(workspace: Workspace, key: str, stamp: tuple[int, ...]) -> None:
    if _cache_lock.acquire(blocking=False):  # one refresh at a time; a later change starts another
        try:
            _compute(workspace, key, stamp)
        finally:
            _cache_lock.release()


def _compute(workspace: Workspace, key: str, stamp: tuple[int, ...]) -> dict[str, dict[str, int]]:
    from sc_docs.tracker.views import report

    try:
        tracker = _tracker(workspace, create=False)
        rows = report(tracker, dt.date.today())
    except ScDocsError:
        return {}
    out = {p.slug: {"complete": p.complete, "total": p.total, "overdue": p.overdue} for p in rows}
    _cache[key] = (stamp, out)
    return out


@cache
def _requirements() -> Any:
    """The bundled requirements, read once: parsing them is most of the cost of opening the tracker."""
    from sc_docs.tracker import load_requirements

    return load_requirements()


_trackers: dict[str, tuple[int, Any]] = {}


def _tracker(workspace: Workspace, *, create: bool = True) -> Any:
    """Return the workspace's tracker, opened once per database file (its connections are not pooled)."""
    from sc_docs.tracker import Tracker

    path = workspace.tracker_path()
    try:
        inode = path.stat().st_ino
    except OSError:
        inode = -1
    hit = _trackers.get(str(path))
    if hit is not None and hit[0] == inode and inode != -1:
        return hit[1]
    tracker = Tracker.open(path, create=create, requirements=_requirements())
    try:
        _trackers[str(path)] = (path.stat().st_ino, tracker)
    except OSError:
        pass
    return tracker


async def checklist(request: Request, *, error: str = "", status: int = 200) -> Response:
    """One applicant's requirements (overdue first), the mark form and the history."""
    from sc_docs.errors import UnknownApplicantError
    from sc_docs.tracker.views import show

    workspace = _ws(request)
    id_ = request.path_params["id"]
    workspace.path(id_)
    tracker = _tracker(workspace)
    try:
        progress = show(tracker, id_, dt.date.today())
        history = list(reversed(tracker.history(id_)))
    except UnknownApplicantError:
        progress, history = None, []
    return page(request, "certification.html", status=status, id=id_, progress=progress, history=history,
                requirements=tracker.requirements.requirements, error=error,
                marked=request.query_params.get("marked") == "1")


async def register(request: Request) -> Response:
    """Register the applicant in the tracker with the facts of its record."""
    from sc_docs import load_applicant

    workspace = _ws(request)
    id_ = request.path_params["id"]
    try:
        data = load_applicant(workspace.path(id_)).data
        _tracker(workspace).add_applicant(data, slug=id_)
    except NotFound:
        raise
    except ScDocsError as exc:
        return await checklist(request, error=exc.format_message(), status=422)
    return RedirectResponse(f"/a/{id_}/certification", status_code=303)


async def mark(request: Request) -> Response:
    """Mark a requirement (done, waived or pending) with an optional evidence file."""
    workspace = _ws(request)
    id_ = request.path_params["id"]
    workspace.path(id_)
    async with request.form(max_files=1, max_fields=20) as formdata:
        return await _mark(request, workspace, id_, formdata)


async def _mark(request: Request, workspace: Workspace, id_: str, formdata: Any) -> Response:
    requirement = str(formdata.get("requirement") or "")
    status = str(formdata.get("status") or "done")
    note = str(formdata.get("note") or "").strip() or None
    by = str(formdata.get("by") or "").strip()[:80] or None  # who marks it; else the server's user
    tracker = _tracker(workspace)
    if requirement not in tracker.requirements.by_key:
        return await checklist(request, error=f"unknown requirement '{requirement}'", status=400)
    try:
        when = dt.date.fromisoformat(str(formdata.get("date"))) if formdata.get("date") else None
    except ValueError:
        return await checklist(request, error="the date must be YYYY-MM-DD", status=400)
    evidence = None
    upload = formdata.get("evidence")
    if upload is not None and not isinstance(upload, str) and upload.filename:
        try:
            suffix, data = await read_upload(upload, EVIDENCE)
        except UploadError as exc:
            return await checklist(request, error=exc.message, status=413 if "larger" in exc.message else 400)
        digest = hashlib.sha256(data).hexdigest()
        evidence = workspace.root / "evidence" / id_ / f"{requirement}-{digest[:16]}{EVIDENCE[suffix]}"
        if not evidence.exists():
            evidence.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(evidence, data)
    try:
        await run_in_threadpool(tracker.mark, id_, requirement, status, date=when, evidence=evidence, note=note, by=by)
    except ScDocsError as exc:
        return await checklist(request, error=exc.format_message(), status=422)
    return RedirectResponse(f"/a/{id_}/certification?marked=1", status_code=303)


async def evidence_file(request: Request) -> Response:
    """Download an evidence file of this applicant by its stored name (listed, never joined blindly)."""
    workspace = _ws(request)
    id_, name = request.path_params["id"], request.path_params["name"]
    workspace.path(id_)
    folder = workspace.root / "evidence" / id_
    stored = {p.name: p for p in folder.iterdir()} if folder.is_dir() else {}
    if name not in stored:
        raise NotFound("no such evidence file")
    return Response(stored[name].read_bytes(), media_type="application/octet-stream",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


routes = [
    Route("/a/{id}/certification", checklist, methods=["GET"]),
    Route("/a/{id}/certification/register", register, methods=["POST"]),
    Route("/a/{id}/certification/mark", mark, methods=["POST"]),
    Route("/a/{id}/evidence/{name}", evidence_file),
]
