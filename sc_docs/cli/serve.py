"""`sc-docs serve`: run the local web workspace."""

from __future__ import annotations

import shutil
import signal
from pathlib import Path
from types import FrameType

import click
import uvicorn

from sc_docs.errors import UsageError


def copy_samples(folder: Path) -> list[str]:
    """Copy the bundled example sheets into `folder`; never replace a file already there."""
    from sc_docs.paths import data_dir

    copied = []
    for sheet in sorted((data_dir("info_sheets") / "examples").glob("*.yaml")):
        target = folder / sheet.name
        if not target.exists():
            shutil.copyfile(sheet, target)
            copied.append(sheet.name)
    return copied


@click.command()
@click.option("--workspace", "-w", default=".", show_default=True, type=click.Path(file_okay=False),
              help="Folder of applicant records (YAML files); packets, evidence and the tracker go inside it.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Any address other than loopback requires an access token.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--token", default=None, envvar="SC_DOCS_TOKEN",
              help="Access token checked on every request (env SC_DOCS_TOKEN). Off loopback one is generated and printed when absent.")
@click.option("--samples", is_flag=True, help="Copy the bundled example applicants into the workspace first (existing files are kept).")
def serve(workspace: str, host: str, port: int, token: str | None, samples: bool) -> None:
    """Start the web workspace: applicants, edit forms, documents, batches and certification.

    Open the address it prints in a browser. `sc-docs serve --workspace demo --samples` starts on
    the bundled examples. Stop it with Ctrl+C.
    """
    from sc_docs.web import create_app
    from sc_docs.web.security import is_loopback, new_token

    folder = Path(workspace)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--workspace {workspace}: is not a folder")
    if not folder.exists():
        if not samples:
            raise UsageError(f"--workspace {workspace}: no such folder (pass --samples to create it with the examples)")
        folder.mkdir(parents=True)
    if samples:
        copied = copy_samples(folder)
        click.echo(f"Copied {len(copied)} example applicant(s) into {folder}.", err=True)
    if token is not None and len(token) < 16:
        raise UsageError("--token must be at least 16 characters")
    if not is_loopback(host) and token is None:
        token = new_token()
        click.echo("Listening beyond this computer: every request needs the access token below.", err=True)
    app = create_app(folder, token=token, host=host)
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    click.echo(f"sc-docs workspace {folder.resolve()} at {address}", err=True)
    server = _Server(uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False))
    try:
        server.run()
    except KeyboardInterrupt:
        server.interrupted = True
    if server.interrupted:
        raise SystemExit(130)  # stopped with Ctrl+C: the exit code of an interrupted command


class _Server(uvicorn.Server):
    """uvicorn's server, remembering whether Ctrl+C stopped it (uvicorn itself exits 0 either way)."""

    interrupted = False

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.interrupted = self.interrupted or sig == signal.SIGINT
        super().handle_exit(sig, frame)
