"""The workspace over HTTP: list, create, live check, save with concurrency, import, export, documents, batch, certification."""

from __future__ import annotations

import html
import io
import re
import time
import zipfile
from pathlib import Path

import pytest
import yaml

from sc_docs import load_applicant, validate
from tests.web.conftest import csrf_of

ACME = "acme-power-and-light"


def _form_pairs(page: str) -> list[tuple[str, str]]:
    """The values of the inputs and selects of the record form, as a browser would post them."""
    form = page.split('id="record-form"', 1)[1].split("</form>", 1)[0]
    form = re.sub(r"<template>[\s\S]*?</template>", "", form)
    pairs = [(html.unescape(n), html.unescape(v)) for n, v in re.findall(r'<input id="[^"]*" name="([^"]+)" type="[a-z]+" value="([^"]*)"', form)]
    pairs += re.findall(r'<input type="hidden" name="(_version)" value="([0-9a-f]+|new)"', form)
    pairs += [(html.unescape(n), html.unescape(v)) for n, v in re.findall(r'<textarea id="[^"]*" name="([^"]+)" rows="\d+">([^<]*)</textarea>', form)]
    for name, body in re.findall(r'<select id="[^"]*" name="([^"]+)">([\s\S]*?)</select>', form):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        pairs.append((html.unescape(name), html.unescape(chosen.group(1)) if chosen else ""))
    return pairs


def _post(client, url: str, pairs: list[tuple[str, str]], headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """POST `pairs` as a browser posts a form (repeated names kept, in order)."""
    from urllib.parse import urlencode

    head = {"content-type": "application/x-www-form-urlencoded", **(headers or {})}
    return client.post(url, content=urlencode(pairs).encode(), headers=head)


def test_the_list_shows_each_applicant_with_its_status(client, workspace: Path) -> None:
    bad = workspace / "broken.yaml"
    bad.write_text((workspace / f"{ACME}.yaml").read_text(encoding="utf-8").replace("ACME, ACM2]", "ACME, acm2]"), encoding="utf-8")
    (workspace / "garbage.yaml").write_text("applicant: [unclosed\n", encoding="utf-8")
    page = client.get("/").text
    assert "4 applicants in this workspace; 2 valid, 2 with problems." in page
    row = page.split('id="row-broken"')[1].split("</tr>")[0]
    assert "1 problem<" in row
    assert "unreadable" in page.split('id="row-garbage"')[1].split("</tr>")[0]


def test_live_check_gives_the_messages_of_sc_docs_validate(client, workspace: Path) -> None:
    token = csrf_of(client)
    pairs = _form_pairs(client.get(f"/a/{ACME}/edit").text)
    pairs = [(n, "P.O. Box 12" if n == "applicant.legal_address.street[0]" else "acm" if n == "applicant.scids[1]" else v) for n, v in pairs]
    result = _post(client, f"/a/{ACME}/check", pairs, {"X-CSRF-Token": token}).json()
    expected = {("applicant.legal_address.street[0]", "must be a street address, not a P.O. box; got 'P.O. Box 12'"),
                ("applicant.scids[1]", "SCID must be a letter followed by three letters or digits, upper case, e.g. ACME; got 'acm'")}
    assert {(p["path"], p["message"]) for p in result["problems"]} == expected
    # the same words the CLI prints
    record = yaml.safe_load((workspace / f"{ACME}.yaml").read_text(encoding="utf-8"))
    record["applicant"]["legal_address"]["street"][0] = "P.O. Box 12"
    record["applicant"]["scids"][1] = "acm"
    assert {(p.path, p.message) for p in validate(record)} == expected


def test_a_blank_form_saves_a_draft_the_cli_reads(client, workspace: Path, run) -> None:
    token = csrf_of(client)
    response = client.post(f"/new?_csrf={token}", data={"applicant.legal_name": "Draft Energy, Inc.", "applicant.scids[0]": "bad"})
    assert response.status_code == 303 and response.headers["location"] == "/a/draft-energy-inc/edit?saved=1"
    saved = workspace / "draft-energy-inc.yaml"
    assert yaml.safe_load(saved.read_text(encoding="utf-8"))["applicant"] == {"legal_name": "Draft Energy, Inc.", "scids": ["bad"]}
    page = client.get(response.headers["location"]).text
    problems = validate(load_applicant(saved))
    assert f"saved as a draft with {len(problems)} problems" in page
    result = run("validate", str(saved))
    assert result.exit_code == 1 and len(result.stdout.strip().splitlines()) == len(problems)


def test_a_save_over_a_file_changed_on_disk_is_refused_and_keeps_the_typed_values(client, workspace: Path) -> None:
    token = csrf_of(client)
    tab1 = _form_pairs(client.get(f"/a/{ACME}/edit").text)
    tab2 = list(tab1)
    first = [(n, "Chief Executive" if n == "applicant.signatory.title" else v) for n, v in tab1]
    assert _post(client, f"/a/{ACME}/edit?_csrf={token}", first).status_code == 303
    on_disk = (workspace / f"{ACME}.yaml").read_bytes()
    assert b"title: Chief Executive\n" in on_disk and on_disk.startswith(b"# SC applicant record: Acme")
    second = [(n, "Typed In Tab Two" if n == "applicant.signatory.name" else v) for n, v in tab2]
    refused = _post(client, f"/a/{ACME}/edit?_csrf={token}", second)
    assert refused.status_code == 409
    assert "Error: not saved: this applicant&#39;s file changed since you opened it" in refused.text
    assert 'value="Typed In Tab Two"' in refused.text
    assert (workspace / f"{ACME}.yaml").read_bytes() == on_disk


def test_import_xlsx_json_and_a_roster(client, workspace: Path) -> None:
    token = csrf_of(client)
    xlsx = client.get(f"/a/{ACME}/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    want = load_applicant(workspace / f"{ACME}.yaml").data
    page = client.post(f"/import?_csrf={token}", files={"file": ("acme.xlsx", io.BytesIO(xlsx.content), "application/octet-stream")})
    assert page.status_code == 200 and "imported, valid" in page.text
    assert load_applicant(workspace / "acme-power-and-light-llc.yaml").data == want
    roster = ("applicant.legal_name,applicant.entity_type,applicant.scids[0]\n"
              "Roster One LLC,power_marketer,RON1\nRoster Two LLC,other,RTW2\n")
    page = client.post(f"/import?_csrf={token}", files={"file": ("team.csv", io.BytesIO(roster.encode()), "text/csv")})
    assert page.status_code == 200
    assert page.text.count("imported as a draft") == 2
    assert load_applicant(workspace / "roster-two-llc.yaml").data["applicant"]["scids"] == ["RTW2"]
    js = b'{"applicant": {"legal_name": "Json Power"}}'
    client.post(f"/import?_csrf={token}", files={"file": ("j.json", io.BytesIO(js), "application/json")})
    assert load_applicant(workspace / "json-power.yaml").data == {"applicant": {"legal_name": "Json Power"}}


def test_export_yaml_is_the_record_file(client, workspace: Path) -> None:
    response = client.get(f"/a/{ACME}/export.yaml")
    assert response.content == (workspace / f"{ACME}.yaml").read_bytes()
    assert response.headers["content-disposition"] == f'attachment; filename="{ACME}.yaml"'


def test_build_packet_download_zip_and_manifest(client, workspace: Path) -> None:
    token = csrf_of(client)
    response = client.post(f"/a/{ACME}/documents?_csrf={token}")
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert 'id="manifest"' in page and "Scheduling Coordinator Agreement" in page
    data = client.get(f"/a/{ACME}/packet.zip").content
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        manifest = zf.read(f"{ACME}/manifest.json")
    assert f"{ACME}/manifest.json" in names and any(n.endswith(".docx") for n in names)
    assert b'"legal_name": "Acme Power & Light, LLC"' in manifest
    docx = next(n.split("/", 1)[1] for n in names if n.endswith(".docx"))
    preview = client.get(f"/a/{ACME}/preview/{docx}?as=html")
    assert preview.status_code == 200 and "Acme Power &amp; Light, LLC" in preview.text
    assert client.get(f"/a/{ACME}/files/{docx}").content[:2] == b"PK"
    form = next(n.split("/", 1)[1] for n in names if n.endswith(".pdf"))
    filled = client.get(f"/a/{ACME}/preview/{form}")
    assert filled.headers["content-type"] == "application/pdf" and filled.content[:5] == b"%PDF-"
    assert filled.headers["content-disposition"].startswith("inline")


@pytest.mark.libreoffice
@pytest.mark.slow
def test_an_agreement_previews_as_pdf_with_libreoffice(client, workspace: Path) -> None:
    from sc_docs.engines.convert import soffice_available

    if not soffice_available():
        pytest.skip("LibreOffice (soffice) is not installed")
    client.post(f"/a/{ACME}/documents?_csrf={csrf_of(client)}")
    page = client.get(f"/a/{ACME}/documents").text
    docx = re.search(r'href="/a/[^/]+/preview/([^"?]+\.docx)"', page).group(1)
    response = client.get(f"/a/{ACME}/preview/{docx}")
    assert response.status_code == 200 and response.content[:5] == b"%PDF-"
    cached = list((workspace / ".sc-docs" / "previews").glob("*.pdf"))
    assert len(cached) == 1 and client.get(f"/a/{ACME}/preview/{docx}").content == response.content


def test_build_refuses_an_invalid_record_with_links_to_the_fields(client, workspace: Path) -> None:
    path = workspace / f"{ACME}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("1200 J Street\n", "PO Box 7\n", 1), encoding="utf-8")
    response = client.post(f"/a/{ACME}/documents?_csrf={csrf_of(client)}")
    assert response.status_code == 422
    assert f'href="/a/{ACME}/edit#f-applicant.legal_address.street[0]"' in response.text


def test_a_batch_runs_in_the_background_and_its_state_survives_a_reload(client, workspace: Path, make_client) -> None:
    path = workspace / "broken.yaml"
    path.write_text((workspace / f"{ACME}.yaml").read_text(encoding="utf-8").replace("ACME, ACM2]", "ACME, acm2]"), encoding="utf-8")
    response = client.post(f"/batch?_csrf={csrf_of(client)}", data={"ids": [ACME, "broken"]})
    assert response.status_code == 303
    url = response.headers["location"]
    deadline = time.monotonic() + 120
    while (state := client.get(f"{url}/status").json())["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert state["state"] == "finished" and state["summary"]["done"] == 1 and state["summary"]["failed"] == 1
    failed = next(e for e in state["entries"] if e["status"] == "failed")
    assert failed["problems"][0]["href"] == "/a/broken/edit#f-applicant.scids[1]"
    page = client.get(url).text  # a reload reads the same state
    assert "/a/broken/edit#f-applicant.scids[1]" in page and "finished" in page


def test_mark_a_requirement_done_with_evidence(client, workspace: Path) -> None:
    token = csrf_of(client)
    assert "not in the certification tracker yet" in client.get(f"/a/{ACME}/certification").text
    client.post(f"/a/{ACME}/certification/register?_csrf={token}")
    response = client.post(f"/a/{ACME}/certification/mark?_csrf={token}",
                           data={"requirement": "training", "status": "done", "date": "2026-11-20", "note": "all four courses",
                                 "by": "Dana <Reviewer>"},
                           files={"evidence": ("certificates.pdf", io.BytesIO(b"%PDF-1.4 certificates"), "application/pdf")})
    assert response.status_code == 303
    page = client.get(f"/a/{ACME}/certification").text
    row = page.split('id="req-training"')[1].split("</tr>")[0]
    assert "done (2026-11-20)" in row
    link = re.search(r'href="(/a/[^"]+/evidence/[^"]+)"', row).group(1)
    assert client.get(link).content == b"%PDF-1.4 certificates"
    assert "training: pending → done" in page and "all four courses" in page
    assert "<td>Dana &lt;Reviewer&gt;</td>" in page
    bad = client.post(f"/a/{ACME}/certification/mark?_csrf={token}", data={"requirement": "nope", "status": "done"})
    assert bad.status_code == 400 and "Error: unknown requirement &#39;nope&#39;" in bad.text


def test_a_record_in_the_old_layout_opens_and_a_save_moves_it_to_documents(client, workspace: Path) -> None:
    path = workspace / f"{ACME}.yaml"
    text = path.read_text(encoding="utf-8")
    old = yaml.safe_load(text)
    documents = old.pop("documents")
    old["application"] = documents.pop("application")
    old["agreements"] = documents
    path.write_text("# kept comment\n" + yaml.safe_dump(old, sort_keys=False), encoding="utf-8")
    page = client.get(f"/a/{ACME}/edit")
    assert page.status_code == 200 and "old layout" in page.text
    pairs = _form_pairs(page.text)
    assert dict(pairs)["documents.sca.effective_date"] == "2027-04-01"
    assert _post(client, f"/a/{ACME}/edit?_csrf={csrf_of(client)}", pairs).status_code == 303
    saved = path.read_text(encoding="utf-8")
    assert saved.startswith("# kept comment\n")
    assert yaml.safe_load(saved)["documents"] == yaml.safe_load(text)["documents"]
    assert "agreements" not in yaml.safe_load(saved)


def test_a_windows_1252_roster_is_imported_with_a_notice(client, workspace: Path) -> None:
    roster = "applicant.legal_name,applicant.scids[0]\nEnergía del Sur SA,ENSR\n".encode("cp1252")
    page = client.post(f"/import?_csrf={csrf_of(client)}", files={"file": ("r.csv", io.BytesIO(roster), "text/csv")})
    assert page.status_code == 200
    assert "is not UTF-8; read it as Windows-1252" in html.unescape(page.text)
    assert load_applicant(workspace / "energia-del-sur-sa.yaml").data["applicant"]["legal_name"] == "Energía del Sur SA"


def test_while_records_are_being_checked_the_list_answers_at_once(workspace: Path) -> None:
    from sc_docs.web.workspace import Workspace

    ws = Workspace(workspace)
    ws.summary(ACME)  # one record already checked
    with ws._summarizing:  # the start-up pass is busy
        rows = ws.summaries(wait=False)
    assert [(r.id, r.pending) for r in rows] == [(ACME, False), ("ciudad-de-rio-verde", True)]
    assert [r.pending for r in ws.summaries(wait=False)] == [False, False]


def test_the_list_page_says_it_is_still_checking(make_client, workspace: Path) -> None:
    client = make_client(workspace)
    ws = client.app.app.state.workspace
    with ws._summarizing:
        page = client.get("/").text
    assert "checking records: 0 of 2 done, this page refreshes itself." in page
    assert '<meta http-equiv="refresh" content="2">' in page


def test_the_edit_page_lists_the_problems_the_cli_prints_with_their_lines(client, workspace: Path, run) -> None:
    path = workspace / f"{ACME}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("ACME, ACM2]", "ACME, acm2]"), encoding="utf-8")
    cli = run("validate", str(path)).stdout.strip().splitlines()
    assert len(cli) == 1
    where, field, message = cli[0].split(": ", 2)
    page = html.unescape(client.get(f"/a/{ACME}/edit").text)
    assert f"{field}</a>: {message} <span class=\"muted\">({Path(where.rsplit(':', 1)[0]).name}:{where.rsplit(':', 1)[1]})" in page.replace(str(workspace) + "/", "")
