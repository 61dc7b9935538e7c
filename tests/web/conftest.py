"""Fixtures for the web workspace: a workspace folder of sample records and an HTTP client on it."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import SAMPLES

BASE = "http://127.0.0.1"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A workspace holding two of the bundled samples."""
    folder = tmp_path / "ws"
    folder.mkdir()
    for sample in SAMPLES[:2]:
        shutil.copyfile(sample, folder / sample.name)
    return folder


@pytest.fixture
def make_client() -> Callable[..., object]:
    from starlette.testclient import TestClient

    from sc_docs.web import create_app

    def make(folder: Path, *, token: str | None = None, host: str = "127.0.0.1", base: str = BASE) -> TestClient:
        return TestClient(create_app(folder, token=token, host=host, warm=False), base_url=base, follow_redirects=False)

    return make


@pytest.fixture
def client(workspace: Path, make_client: Callable[..., object]):  # type: ignore[no-untyped-def]
    return make_client(workspace)


def csrf_of(client) -> str:  # type: ignore[no-untyped-def]
    """Open a page and return the CSRF token it carries (the session cookie stays in the client)."""
    html = client.get("/").text
    match = re.search(r'<meta name="csrf-token" content="([0-9a-f]+)">', html)
    assert match, "the page has no CSRF token"
    return match.group(1)
