"""`sc-docs serve`: a local web workspace over the same library the CLI uses.

`create_app(workspace)` returns the ASGI application (Starlette, server-rendered pages, the
package's own JS and CSS); `sc_docs.cli.serve` runs it with uvicorn. The applicant records are
the YAML files of the workspace folder, so the CLI and the web always see the same data.
"""

from __future__ import annotations

from typing import Any


def create_app(workspace: Any, *, token: str | None = None, host: str = "127.0.0.1", warm: bool = True) -> Any:
    """Return the ASGI app serving the records in folder `workspace` (see `sc_docs.web.app`)."""
    from sc_docs.web.app import create_app as _create

    return _create(workspace, token=token, host=host, warm=warm)


__all__ = ["create_app"]
