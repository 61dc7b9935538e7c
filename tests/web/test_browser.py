"""Drive real headless Chromium through the workspace: create, live errors, save, build, download, import, certify, batch.

Each page visited is saved as a screenshot in `build/web-screenshots/` (or `$SC_DOCS_SCREENSHOTS`).
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SAMPLES
from tests.web.browser import browser, chromium, serving, shot, wait_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium() is None, reason="needs chromium and chromedriver (tests/system-deps.sh installs them)"),
]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Any, str, Path, Path]]:
    folder = tmp_path / "ws"
    folder.mkdir()
    for sample in SAMPLES[:2]:
        shutil.copyfile(sample, folder / sample.name)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with serving(folder) as base, browser(downloads) as driver:
        yield driver, base, folder, downloads


def by_name(driver: Any, name: str) -> Any:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.NAME, name)


def css(driver: Any, selector: str) -> Any:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def fill(driver: Any, values: dict[str, str]) -> None:
    from selenium.webdriver.support.ui import Select

    for name, value in values.items():
        element = by_name(driver, name)
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        elif element.get_attribute("type") == "date":
            driver.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change', {bubbles: true}))",
                                  element, value)
        else:
            element.clear()
            element.send_keys(value)


def live_problem(driver: Any, path: str) -> str:
    """The live message shown beside field `path` (empty when none)."""
    return str(driver.execute_script(
        "const ul = document.querySelector('ul.problem[data-for=\"' + CSS.escape(arguments[0]) + '\"]');"
        "return ul ? ul.textContent : '';", path))


def contact(prefix: str, name: str) -> dict[str, str]:
    return {f"{prefix}.name": name, f"{prefix}.title": "Director", f"{prefix}.company": "Blue Mesa Energy LLC",
            f"{prefix}.street[0]": "500 Capitol Mall", f"{prefix}.city": "Sacramento", f"{prefix}.state": "CA",
            f"{prefix}.zip": "95814", f"{prefix}.email": f"{name.split()[0].lower()}@bluemesa.example.com",
            f"{prefix}.phone": "916-555-0100"}


def test_create_from_blank_form_live_errors_save_build_and_download(site) -> None:  # type: ignore[no-untyped-def]
    driver, base, folder, downloads = site
    driver.get(base + "/")
    shot(driver, "01-applicants")
    driver.get(base + "/new")
    fill(driver, {"applicant.legal_name": "Blue Mesa Energy LLC", "applicant.entity_type": "power_marketer",
                  "applicant.organization_form": "limited liability company", "applicant.state_of_organization": "DE",
                  "applicant.legal_address.street[0]": "P.O. Box 42", "applicant.legal_address.city": "Sacramento",
                  "applicant.legal_address.state": "CA", "applicant.legal_address.zip": "95814",
                  **contact("applicant.primary_representative", "Ana Ruiz"),
                  **contact("applicant.alternate_representative", "Ben Cho"),
                  "applicant.signatory.name": "Carla Diaz", "applicant.signatory.title": "Chief Executive Officer",
                  "applicant.scids[0]": "bm1"})
    css(driver, "details[data-path='documents'] > summary").click()
    css(driver, "details[data-path='documents.sca'] > summary").click()
    fill(driver, {"documents.sca.effective_date": "2027-04-01"})
    wait_for(lambda: "P.O. box" in live_problem(driver, "applicant.legal_address.street[0]"), what="the P.O. box error")
    wait_for(lambda: "SCID must be" in live_problem(driver, "applicant.scids[0]"), what="the SCID error")
    assert live_problem(driver, "applicant.legal_address.street[0]") == "must be a street address, not a P.O. box; got 'P.O. Box 42'"
    shot(driver, "02-new-applicant-live-errors")
    fill(driver, {"applicant.legal_address.street[0]": "500 Capitol Mall", "applicant.scids[0]": "BMSA"})
    wait_for(lambda: css(driver, "#problem-count").text == "0", what="no problems left")
    assert live_problem(driver, "applicant.scids[0]") == ""
    css(driver, "#save").click()
    wait_for(lambda: "/a/blue-mesa-energy-llc/edit" in driver.current_url, what="the saved record")
    assert css(driver, "#message").text == "Saved."
    shot(driver, "03-saved")
    assert (folder / "blue-mesa-energy-llc.yaml").is_file()

    driver.get(base + "/a/blue-mesa-energy-llc/documents")
    css(driver, "#build").click()
    wait_for(lambda: driver.find_elements("css selector", "#manifest"), timeout=120, what="the manifest")
    shot(driver, "04-documents")
    css(driver, "#download-zip").click()
    zip_path = downloads / "blue-mesa-energy-llc.zip"
    wait_for(lambda: zip_path.is_file() and not list(downloads.glob("*.crdownload")), what="the downloaded zip")
    with zipfile.ZipFile(zip_path) as zf:
        manifest = json.loads(zf.read("blue-mesa-energy-llc/manifest.json"))
        names = set(zf.namelist())
    assert manifest["legal_name"] == "Blue Mesa Energy LLC"
    assert {f"blue-mesa-energy-llc/{d['file']}" for d in manifest["documents"]} <= names
    assert [d["key"] for d in manifest["documents"]] == ["sca"]
    css(driver, "a[href$='?as=html']").click()
    wait_for(lambda: driver.find_elements("css selector", "#preview"), what="the preview")
    assert "Blue Mesa Energy LLC" in css(driver, "#preview").text
    shot(driver, "05-preview")


def test_import_an_xlsx_and_a_roster(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import yaml

    from sc_docs.sheets.xlsx_source import write_xlsx

    driver, base, folder, _ = site
    record = yaml.safe_load(SAMPLES[2].read_text(encoding="utf-8"))
    xlsx = tmp_path / "sheet.xlsx"
    xlsx.write_bytes(write_xlsx(record))
    driver.get(base + "/")
    css(driver, "#import-file").send_keys(str(xlsx))
    css(driver, "#import-button").click()
    wait_for(lambda: driver.find_elements("css selector", "#imported"), what="the import result")
    assert "imported, valid" in css(driver, "#imported").text
    shot(driver, "06-imported-xlsx")
    roster = tmp_path / "roster.csv"
    roster.write_text("applicant.legal_name,applicant.scids[0]\nRow One Power,ROW1\nRow <b>Two</b> Power,ROW2\n", encoding="utf-8")
    driver.get(base + "/")
    css(driver, "#import-file").send_keys(str(roster))
    css(driver, "#import-button").click()
    wait_for(lambda: driver.find_elements("css selector", "#imported"), what="the roster result")
    text = css(driver, "#imported").text
    assert "Row One Power" in text and "Row <b>Two</b> Power" in text  # markup shown as text
    shot(driver, "07-imported-roster")
    assert {"row-one-power.yaml", "row-b-two-b-power.yaml"} <= {p.name for p in folder.glob("*.yaml")}
    driver.get(base + "/")
    assert "5 applicants in this workspace" in css(driver, "p.lede").text
    shot(driver, "08-applicants-after-import")


def test_mark_a_requirement_done_with_evidence(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import Select

    driver, base, folder, _ = site
    evidence = tmp_path / "Training certificates (final).pdf"
    evidence.write_bytes(b"%PDF-1.4\n% training certificates\n")
    driver.get(base + "/a/acme-power-and-light/certification")
    css(driver, "#register").click()
    wait_for(lambda: driver.find_elements("css selector", "#checklist"), what="the checklist")
    Select(css(driver, "#mark-requirement")).select_by_value("training")
    css(driver, "#mark-note").send_keys("all four courses")
    css(driver, "#mark-evidence").send_keys(str(evidence))
    css(driver, "#mark").click()
    wait_for(lambda: driver.find_elements("css selector", "#message"), what="the recorded notice")
    row = css(driver, "#req-training").text
    assert "done" in row
    assert "training: pending → done" in css(driver, "#history").text
    stored = list((folder / "evidence" / "acme-power-and-light").iterdir())
    assert len(stored) == 1 and stored[0].read_bytes() == evidence.read_bytes()
    shot(driver, "09-certification")


def test_a_batch_shows_progress_and_survives_a_reload(site) -> None:  # type: ignore[no-untyped-def]
    driver, base, _, _ = site
    driver.get(base + "/")
    css(driver, "#select-all").click()
    css(driver, "#batch-button").click()
    wait_for(lambda: "/batch/" in driver.current_url, what="the batch page")
    driver.refresh()  # the state lives on the server
    wait_for(lambda: css(driver, "#batch-state").text == "finished", timeout=180, what="the batch to finish")
    assert css(driver, "#batch-count").text == "2"
    assert css(driver, "#batch-table tbody").text.count("done") == 2
    shot(driver, "10-batch")


def test_two_tabs_the_second_save_is_refused(site) -> None:  # type: ignore[no-untyped-def]
    driver, base, folder, _ = site
    url = base + "/a/acme-power-and-light/edit"
    driver.get(url)
    first = driver.current_window_handle
    driver.switch_to.new_window("tab")
    driver.get(url)
    fill(driver, {"applicant.signatory.title": "President"})
    css(driver, "#save").click()
    wait_for(lambda: "saved=1" in driver.current_url, what="the first save")
    driver.switch_to.window(first)
    fill(driver, {"applicant.signatory.name": "Typed In The Old Tab"})
    css(driver, "#save").click()
    wait_for(lambda: driver.find_elements("css selector", "#error"), what="the refusal")
    assert "changed since you opened it" in css(driver, "#error").text
    assert by_name(driver, "applicant.signatory.name").get_attribute("value") == "Typed In The Old Tab"
    assert "President" in (folder / "acme-power-and-light.yaml").read_text(encoding="utf-8")
    shot(driver, "11-conflict")
