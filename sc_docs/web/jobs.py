"""Batches started from the web: run in a background thread, progress kept on disk.

Each run's state is a JSON file in `WORKSPACE/.sc-docs/jobs/<job>.json`, rewritten atomically after
every applicant, so a reloaded page (or a second tab) picks up where the batch is. The packets go
to `WORKSPACE/batches/<job>/` through `sc_docs.batch.run_batch`, as `sc-docs batch` writes them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import threading
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from sc_docs.files import atomic_write
from sc_docs.web.pages import page, parse_formatted
from sc_docs.web.workspace import NotFound, Workspace

_JOB_ID = re.compile(r"[0-9]{8}-[0-9]{6}-[0-9a-f]{6}")


class Jobs:
    """The batches of one workspace: start one, read any one's state."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.folder = workspace.state / "jobs"
        self.threads: dict[str, threading.Thread] = {}
        self.lock = threading.Lock()

    def start(self, ids: list[str]) -> str:
        """Start a batch over records `ids` (each must be in the workspace); return the job id."""
        listing = self.workspace.listing()
        unknown = [i for i in ids if i not in listing]
        if unknown:
            raise NotFound(f"no applicant '{unknown[0]}' in this workspace")
        now = dt.datetime.now(dt.UTC)
        job = f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
        state: dict[str, Any] = {"job": job, "state": "running", "started": now.isoformat(timespec="seconds"),
                                 "total": len(ids), "ids": ids, "entries": [], "error": None, "summary": None}
        self._write(job, state)
        inputs = [listing[i] for i in ids]
        thread = threading.Thread(target=self._run, args=(job, state, inputs), name=f"batch-{job}", daemon=True)
        with self.lock:
            self.threads[job] = thread
        thread.start()
        return job

    def _run(self, job: str, state: dict[str, Any], inputs: list[Path]) -> None:
        from sc_docs.batch import Options, run_batch
        from sc_docs.errors import ScDocsError

        opts = Options(outdir=self.workspace.root / "batches" / job, db=str(self.workspace.tracker_path()))

        def on_entry(entry: Any) -> None:
            state["entries"].append(self._entry(entry))
            self._write(job, state)

        try:
            report = run_batch([str(p) for p in inputs], opts, jobs=1, on_entry=on_entry)
            state["summary"] = {"done": report.done, "failed": report.failed, "skipped": report.skipped,
                                "seconds": report.seconds}
            state["state"] = "finished"
        except ScDocsError as exc:
            state["state"], state["error"] = "failed", exc.format_message()
        except Exception as exc:  # the thread must leave a readable state whatever happens
            state["state"], state["error"] = "failed", f"internal error: {type(exc).__name__}: {exc}"
        self._write(job, state)

    def _entry(self, entry: Any) -> dict[str, Any]:
        id_ = Path(entry.source).stem if Path(entry.source).parent == self.workspace.root else None
        return {"id": id_, "source": Path(entry.source).name, "status": entry.status, "reason": entry.reason or "",
                "seconds": entry.seconds, "problems": [parse_formatted(p, id_) for p in entry.problems]}

    def _write(self, job: str, state: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write(self.folder / f"{job}.json", (json.dumps(state, indent=1) + "\n").encode("utf-8"))

    def read(self, job: str) -> dict[str, Any]:
        """Return the state of `job`; one still marked running with no thread was cut off by a restart."""
        if not _JOB_ID.fullmatch(job):
            raise NotFound("no such batch")
        try:
            state: dict[str, Any] = json.loads((self.folder / f"{job}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise NotFound("no such batch") from None
        thread = self.threads.get(job)
        if state.get("state") == "running" and (thread is None or not thread.is_alive()):
            state["state"], state["error"] = "interrupted", "the server stopped while this batch ran; start it again"
        return state

    def recent(self, limit: int = 10) -> list[dict[str, Any]]:
        if not self.folder.is_dir():
            return []
        names = sorted((p.stem for p in self.folder.glob("*.json") if _JOB_ID.fullmatch(p.stem)), reverse=True)
        return [self.read(n) for n in names[:limit]]


def _jobs(request: Request) -> Jobs:
    return request.app.state.jobs  # type: ignore[no-any-return]


async def start(request: Request) -> Response:
    formdata = await request.form(max_files=0, max_fields=10_000)
    ids = [v for v in formdata.getlist("ids") if isinstance(v, str)]
    if not ids:
        return page(request, "message.html", status=400, title="Batch", error="Select at least one applicant.")
    job = _jobs(request).start(ids)
    return RedirectResponse(f"/batch/{job}", status_code=303)


async def show(request: Request) -> Response:
    state = _jobs(request).read(request.path_params["job"])
    return page(request, "batch.html", state=state)


async def status(request: Request) -> Response:
    return JSONResponse(_jobs(request).read(request.path_params["job"]))


async def index(request: Request) -> Response:
    return page(request, "batches.html", jobs=_jobs(request).recent())


routes = [
    Route("/batch", start, methods=["POST"]),
    Route("/batch", index, methods=["GET"]),
    Route("/batch/{job}", show),
    Route("/batch/{job}/status", status),
]
