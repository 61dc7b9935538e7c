"""An applicant's documents: build the packet, download its zip and files, see the manifest, preview.

Packets go to `WORKSPACE/packets/<id>/` and `<id>.zip` through `sc_docs.packet.write_packet`, the
same atomic writer the CLI uses, and are recorded in the workspace's tracker.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from sc_docs.errors import ScDocsError, ValidationFailed
from sc_docs.web.pages import page, problem_rows
from sc_docs.web.workspace import NotFound, Workspace

MEDIA = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".json": "application/json",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _ws(request: Request) -> Workspace:
    return request.app.state.workspace  # type: ignore[no-any-return]


def _manifest(workspace: Workspace, id_: str) -> Any:
    from sc_docs.packet import read_manifest

    workspace.path(id_)  # the id must be a record of this workspace
    return read_manifest(workspace.packets / id_)


async def documents_page(request: Request, *, problems: list[Any] | None = None, error: str = "",
                         status: int = 200) -> Response:
    """The documents of one applicant: the manifest table, downloads, previews and a build button."""
    from sc_docs.engines.convert import soffice_available

    workspace = _ws(request)
    id_ = request.path_params["id"]
    manifest = _manifest(workspace, id_)
    return page(request, "documents.html", status=status, id=id_, manifest=manifest,
                problems=problem_rows(problems or [], id_), error=error, pdf_preview=soffice_available(),
                built=request.query_params.get("built") == "1")


async def build(request: Request) -> Response:
    """Validate the record and write its packet; problems are shown linked to their fields."""
    from sc_docs import load_applicant
    from sc_docs.files import claim_output_dir
    from sc_docs.packet import build_packet, record_in_tracker, write_packet

    workspace = _ws(request)
    id_ = request.path_params["id"]
    path = workspace.path(id_)  # an unknown id is a 404, not a build error

    def make() -> None:
        with workspace.lock:
            record = load_applicant(path)
            packet = build_packet(record, slug=id_)
            claim_output_dir(workspace.packets)
            write_packet(packet, workspace.packets)
            record_in_tracker(workspace.tracker_path(), packet.manifest)

    try:
        await run_in_threadpool(make)
    except ValidationFailed as exc:
        return await documents_page(request, problems=exc.problems, status=422,
                                    error=f"The record has {len(exc.problems)} problem(s); fix them before building.")
    except ScDocsError as exc:
        return await documents_page(request, error=exc.format_message(), status=422)
    return RedirectResponse(f"/a/{id_}/documents?built=1", status_code=303)


async def download_zip(request: Request) -> Response:
    workspace = _ws(request)
    id_ = request.path_params["id"]
    if _manifest(workspace, id_) is None:
        raise NotFound("no packet built yet for this applicant")
    data = (workspace.packets / f"{id_}.zip").read_bytes()
    return Response(data, media_type="application/zip", headers={"content-disposition": f'attachment; filename="{id_}.zip"'})


def _packet_file(workspace: Workspace, id_: str, name: str) -> Path:
    """Return a packet file by the name the manifest lists (never a name taken from the URL as is)."""
    manifest = _manifest(workspace, id_)
    listed = {d.file for d in manifest.documents} | {"manifest.json"} if manifest else set()
    if name not in listed:
        raise NotFound(f"no file '{name}' in this packet")
    return workspace.packets / id_ / name


async def download_file(request: Request) -> Response:
    workspace = _ws(request)
    id_, name = request.path_params["id"], request.path_params["name"]
    path = _packet_file(workspace, id_, name)
    inline = request.query_params.get("inline") == "1"
    disposition = "inline" if inline else "attachment"
    return Response(path.read_bytes(), media_type=MEDIA.get(path.suffix, "application/octet-stream"),
                    headers={"content-disposition": f'{disposition}; filename="{name}"'})


async def preview(request: Request) -> Response:
    """Show an agreement as PDF (LibreOffice installed and not `?as=html`) or as HTML text."""
    from sc_docs.engines.convert import docx_to_pdf, soffice_available
    from sc_docs.engines.docx import docx_text

    workspace = _ws(request)
    id_, name = request.path_params["id"], request.path_params["name"]
    path = _packet_file(workspace, id_, name)
    data = path.read_bytes()
    if path.suffix == ".pdf":
        return Response(data, media_type="application/pdf", headers={"content-disposition": f'inline; filename="{name}"'})
    if path.suffix != ".docx":
        raise NotFound("only agreements and forms have previews")
    if soffice_available() and request.query_params.get("as") != "html":
        cache = workspace.state / "previews" / f"{hashlib.sha256(data).hexdigest()}.pdf"
        if not cache.is_file():
            from sc_docs.files import atomic_write

            cache.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(cache, await run_in_threadpool(docx_to_pdf, data))
        return Response(cache.read_bytes(), media_type="application/pdf",
                        headers={"content-disposition": f'inline; filename="{path.stem}.pdf"'})
    paragraphs = docx_text(data).split("\n")
    return page(request, "preview.html", id=id_, name=name, paragraphs=paragraphs)


routes = [
    Route("/a/{id}/documents", documents_page, methods=["GET"]),
    Route("/a/{id}/documents", build, methods=["POST"]),
    Route("/a/{id}/packet.zip", download_zip),
    Route("/a/{id}/files/{name}", download_file),
    Route("/a/{id}/preview/{name}", preview),
]
