"""The safety list of `sc-docs serve`, over HTTP: CSRF, token, hosts, uploads, escaping, headers."""

from __future__ import annotations

import html
import io
from pathlib import Path

import pytest

from tests.web.conftest import csrf_of


def test_every_page_has_a_csp_without_inline_script(client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in response.text and "onclick" not in response.text


@pytest.mark.parametrize(
    ("method", "url"),
    [("post", "/new"), ("post", "/check"), ("post", "/import"), ("post", "/batch"),
     ("post", "/a/acme-power-and-light/edit"), ("post", "/a/acme-power-and-light/documents"),
     ("post", "/a/acme-power-and-light/certification/register"), ("delete", "/"), ("put", "/new")],
    ids=["new", "check", "import", "batch", "save", "build", "register", "delete", "put"],
)
def test_state_changing_requests_without_csrf_token_are_refused(client, workspace: Path, method: str, url: str) -> None:
    before = sorted(p.name for p in workspace.iterdir())
    response = client.request(method.upper(), url, data={"applicant.legal_name": "Mallory Power"})
    assert response.status_code == 403
    assert response.text.startswith("Error: the page was out of date or came from another site (CSRF check failed)")
    assert sorted(p.name for p in workspace.iterdir()) == before


def test_a_token_from_another_session_is_refused(client, make_client, workspace: Path) -> None:
    other = make_client(workspace)
    token = csrf_of(other)
    csrf_of(client)  # the client has its own session cookie
    response = client.post(f"/new?_csrf={token}", data={"applicant.legal_name": "Mallory Power"})
    assert response.status_code == 403


def test_a_cross_site_origin_is_refused_even_with_the_token(client) -> None:
    token = csrf_of(client)
    response = client.post("/check", headers={"X-CSRF-Token": token, "Origin": "http://evil.example"}, data={})
    assert response.status_code == 403
    assert client.post("/check", headers={"X-CSRF-Token": token, "Origin": "http://127.0.0.1"}, data={}).status_code == 200


def test_a_foreign_host_header_is_refused_on_loopback(client) -> None:
    response = client.get("/", headers={"Host": "attacker.example"})
    assert response.status_code == 400
    assert response.text.startswith("Error: this server answers only to the address it printed at start.")


def test_off_loopback_every_request_needs_the_token(make_client, workspace: Path) -> None:
    token = "s3cret-token-for-tests-0123456789"
    client = make_client(workspace, token=token, host="0.0.0.0", base="http://192.0.2.10:8765")
    for url in ("/", "/a/acme-power-and-light/edit", "/static/app.js", "/a/acme-power-and-light/export.yaml"):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.text.startswith("Error: this workspace needs its access token")
    assert client.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/?token=wrong").status_code == 401
    opened = client.get(f"/?token={token}")  # the printed address: sets a cookie, drops the token from the URL
    assert opened.status_code == 303 and opened.headers["location"] == "/"
    assert client.get("/").status_code == 200
    assert make_client(workspace, token=token, host="0.0.0.0").get("/", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_serve_off_loopback_generates_and_prints_a_token(run, tmp_path: Path, monkeypatch) -> None:
    from sc_docs.cli import serve

    seen = {}
    monkeypatch.setattr(serve._Server, "run", lambda self: seen.update(config=self.config))
    result = run("serve", "--workspace", str(tmp_path), "--host", "0.0.0.0", "--port", "9999")
    assert result.exit_code == 0
    assert "?token=" in result.stderr
    token = result.stderr.split("?token=")[1].split()[0]
    config = seen["config"]
    assert len(token) >= 16 and config.app.token == token and (config.host, config.port) == ("0.0.0.0", 9999)


def test_serve_exits_130_when_interrupted(run, tmp_path: Path, monkeypatch) -> None:
    import signal

    from sc_docs.cli import serve

    monkeypatch.setattr(serve._Server, "run", lambda self: self.handle_exit(signal.SIGINT, None))
    with pytest.raises(SystemExit) as stopped:  # raised past `main`, as `sys.exit` in the console script
        run("serve", "--workspace", str(tmp_path))
    assert stopped.value.code == 130


def test_serve_usage_errors(run, tmp_path: Path) -> None:
    result = run("serve", "--workspace", str(tmp_path / "missing"))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: --workspace {tmp_path / 'missing'}: no such folder (pass --samples to create it with the examples)"
    result = run("serve", "--workspace", str(tmp_path), "--token", "short")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: --token must be at least 16 characters"


def test_serve_samples_copies_the_examples_without_replacing(run, tmp_path: Path, monkeypatch) -> None:
    from sc_docs.cli import serve

    monkeypatch.setattr(serve._Server, "run", lambda self: None)
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "acme-power-and-light.yaml").write_text("# mine\n", encoding="utf-8")
    result = run("serve", "--workspace", str(folder), "--samples")
    assert result.exit_code == 0
    assert (folder / "acme-power-and-light.yaml").read_text(encoding="utf-8") == "# mine\n"
    assert len(list(folder.glob("*.yaml"))) == 5


def _upload(client, url: str, name: str, data: bytes, field: str = "file", extra: dict | None = None):  # type: ignore[no-untyped-def]
    token = csrf_of(client)
    return client.post(f"{url}?_csrf={token}", files={field: (name, io.BytesIO(data), "application/octet-stream")}, data=extra or {})


@pytest.mark.parametrize("name", ["../../evil.yaml", "..\\..\\evil.yaml", "/etc/cron.d/evil.yaml", "sub/../../evil.yaml"],
                         ids=["dotdot", "backslash", "absolute", "nested"])
def test_traversal_in_upload_names_never_becomes_a_path(client, workspace: Path, name: str) -> None:
    sheet = (workspace / "acme-power-and-light.yaml").read_bytes().replace(b"Acme Power & Light, LLC", b"Traversal Test Co")
    response = _upload(client, "/import", name, sheet)
    assert response.status_code == 200
    made = sorted(p.name for p in workspace.glob("*.yaml"))
    assert "traversal-test-co.yaml" in made
    assert not (workspace.parent / "evil.yaml").exists() and not list(workspace.parent.parent.glob("evil*"))
    assert not any("evil" in p.name for p in workspace.rglob("*"))


def test_traversal_in_evidence_names_never_becomes_a_path(client, workspace: Path) -> None:
    token = csrf_of(client)
    assert client.post(f"/a/acme-power-and-light/certification/register?_csrf={token}").status_code == 303
    response = _upload(client, "/a/acme-power-and-light/certification/mark", "../../../evil.pdf", b"%PDF-1.4\n%evidence\n",
                       field="evidence", extra={"requirement": "application", "status": "done"})
    assert response.status_code == 303, response.text
    stored = list((workspace / "evidence" / "acme-power-and-light").iterdir())
    assert len(stored) == 1 and stored[0].name.startswith("application-") and stored[0].suffix == ".pdf"
    assert not any("evil" in p.name for p in workspace.parent.rglob("*"))


def test_a_10_mb_upload_is_refused(client, workspace: Path) -> None:
    before = sorted(p.name for p in workspace.iterdir())
    response = _upload(client, "/import", "big.yaml", b"# filler\n" * (10 * 1024 * 1024 // 9 + 1))
    assert response.status_code == 413
    assert response.text.startswith("Error: the upload is larger than 8 MB, the limit.")
    assert sorted(p.name for p in workspace.iterdir()) == before


def test_a_body_without_length_is_cut_at_the_limit(client) -> None:
    token = csrf_of(client)

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(11):
            yield b"x" * (1024 * 1024)

    response = client.post(f"/check?_csrf={token}", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413


@pytest.mark.parametrize(("name", "data", "message"), [
    ("evil.exe", b"MZ....", "files of type '.exe' are not accepted here"),
    ("sheet.xlsx", b"not a zip at all", "the file's content is not a .xlsx file"),
    ("empty.yaml", b"", "the file is empty"),
], ids=["type", "content", "empty"])
def test_uploads_of_the_wrong_type_are_refused(client, workspace: Path, name: str, data: bytes, message: str) -> None:
    response = _upload(client, "/import", name, data)
    assert response.status_code == 400
    assert f"Error: {message}" in html.unescape(response.text)
    assert len(list(workspace.glob("*.yaml"))) == 2


def test_script_in_a_legal_name_is_shown_as_text(client, workspace: Path) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    path = workspace / "acme-power-and-light.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('"Acme Power & Light, LLC"', "'" + evil + "'"), encoding="utf-8")
    for url in ("/", "/a/acme-power-and-light/edit", "/a/acme-power-and-light/certification"):
        html = client.get(url).text
        assert evil not in html, url
    html = client.get("/").text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert" not in client.get("/a/acme-power-and-light/edit").text


def test_ids_that_are_not_records_are_not_found(client, workspace: Path) -> None:
    (workspace.parent / "secret.yaml").write_text("applicant: {}\n", encoding="utf-8")
    for url in ("/a/..%2Fsecret/edit", "/a/../secret/edit", "/a/%2e%2e/export.yaml", "/a/acme-power-and-light/files/..%2F..%2Fsecret.yaml",
                "/a/acme-power-and-light/evidence/..%2F..%2Fsecret.yaml", "/batch/..%2F..%2Fsecret"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "applicant: {}" not in response.text



@pytest.mark.parametrize(("legal_name", "file"), [("../../outside", "outside.yaml"), ("..\\\\..\\\\win", "win.yaml"),
                                                  ("CON", "con-1.yaml"), ("", "applicant.yaml"), ("/etc/passwd", "etc-passwd.yaml")],
                         ids=["dotdot", "backslash", "reserved", "empty", "absolute"])
def test_a_typed_name_never_becomes_a_path(client, workspace: Path, legal_name: str, file: str) -> None:
    response = client.post(f"/new?_csrf={csrf_of(client)}", data={"applicant.legal_name": legal_name})
    assert response.status_code == 303
    assert (workspace / file).is_file()
    assert sorted(p.name for p in workspace.parent.iterdir()) == ["ws"]


def test_a_new_record_never_replaces_a_file(client, workspace: Path) -> None:
    (workspace / "acme-power-and-light-llc.yaml").write_text("# someone's file\n", encoding="utf-8")
    client.post(f"/new?_csrf={csrf_of(client)}", data={"applicant.legal_name": "Acme Power & Light, LLC"})
    assert (workspace / "acme-power-and-light-llc.yaml").read_text(encoding="utf-8") == "# someone's file\n"
    assert (workspace / "acme-power-and-light-llc-2.yaml").is_file()


def test_nothing_is_loaded_from_another_site() -> None:
    from sc_docs.web.pages import TEMPLATES

    folder = TEMPLATES.parent
    for path in [*TEMPLATES.glob("*.html"), *(folder / "static").iterdir()]:
        text = path.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text and "//cdn" not in text, path.name
        assert "<script>" not in text and " on" + "click=" not in text, path.name  # the CSP forbids inline script
