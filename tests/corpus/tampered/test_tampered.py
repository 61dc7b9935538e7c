"""The tampered corpus: `verify` judges what a reader sees, and LibreOffice shows what that is.

Each document keeps (or smuggles) words that a person reading the agreement would not see, or
shows words its text runs do not hold. `verify` must call every one NOT CONFORMING and name
Section 3.4. The LibreOffice checks print each document to PDF and read back what is on the page
(`pdftotext`): LibreOffice's plain-text export is no witness, as it exports hidden text too. For
text that is printed but cannot be seen (white on white, 1 pt), the page is rendered and the
place of those words is looked at: blank, or too small to read.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

from sc_docs.conformance import verify_docx
from tests.conformance.conftest import ACME, rendered
from tests.corpus.tampered.build import FAKE, PAYMENT, Case, cases

CASES = cases(rendered(ACME, "sca"))
IDS = [c.name for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_verify_is_not_fooled(case: Case) -> None:
    report = verify_docx(case.data)
    assert not report.conforming
    hits = [d for d in report.deviations
            if d.kind == case.kind and d.section == case.section and case.text in (d.expected + " " + d.found)]
    assert hits, [d.describe() for d in report.deviations]
    assert all(d.location.startswith("Article III, Section 3.4") for d in report.deviations), \
        [d.describe() for d in report.deviations]


def test_hidden_text_counts_as_deleted() -> None:
    report = verify_docx(next(c for c in CASES if c.name == "vanish").data)
    kinds = sorted(d.kind for d in report.deviations)
    assert kinds == ["deleted", "hidden"]
    hidden = next(d for d in report.deviations if d.kind == "hidden")
    assert hidden.reason == "hidden (w:vanish)" and hidden.found.startswith(PAYMENT)


def test_page_numbers_stay_allowed() -> None:
    """The footer's PAGE / NUMPAGES fields are recomputed by every viewer: not a deviation."""
    assert verify_docx(rendered(ACME, "sca")).conforming


def test_field_result_is_read_as_text() -> None:
    report = verify_docx(next(c for c in CASES if c.name == "field-complex").data)
    assert [d.found for d in report.deviations] == [FAKE]


def test_cli_names_the_hidden_text(run, tmp_path: Path) -> None:
    path = tmp_path / "returned.docx"
    path.write_bytes(next(c for c in CASES if c.name == "white-on-white").data)
    result = run("verify", path)
    assert result.exit_code == 1
    assert "NOT CONFORMING: 2 deviations from the pro forma" in result.stdout
    assert ("Article III, Section 3.4, document paragraph 35: text no reader sees: "
            '"The Scheduling Coordinator shall pay,') in result.stdout
    assert "(the colour of its background (#FFFFFF on #FFFFFF))" in result.stdout


def test_comment_with_text_is_listed_with_its_place() -> None:
    from tests.conformance import edits as ed

    report = verify_docx(ed.add_comment(rendered(ACME, "sca"), PAYMENT, "We will not pay."))
    assert report.conforming  # comments are listed, never counted (README)
    (comment,) = report.comments
    assert (comment.text, comment.location, comment.paragraph) == ("We will not pay.", "Article III, Section 3.4", 35)


# -- what a reader sees: LibreOffice prints each document ------------------------------------


@cache
def _printed(folder: str) -> dict[str, Path]:
    """Print the draft and every tampered document to PDF with one LibreOffice run."""
    work = Path(folder)
    (work / "in").mkdir(parents=True, exist_ok=True)
    names = {"draft": rendered(ACME, "sca"), **{c.name: c.data for c in CASES}}
    for name, data in names.items():
        (work / "in" / f"{name}.docx").write_bytes(data)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice is not None
    subprocess.run([soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--invisible",
                    "--nologo", "--norestore", "--convert-to", "pdf", "--outdir", str(work / "out"),
                    *sorted(str(p) for p in (work / "in").iterdir())],
                   check=True, capture_output=True, timeout=600, env={"HOME": str(work), "PATH": "/usr/bin:/bin"})
    return {name: work / "out" / f"{name}.pdf" for name in names}


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if not (shutil.which("soffice") or shutil.which("libreoffice")) or not shutil.which("pdftotext"):
        pytest.skip("LibreOffice and poppler are needed to print the corpus")
    return _printed(str(tmp_path_factory.mktemp("tampered")))


def _page_text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, timeout=60).stdout
    return " ".join(out.decode("utf-8").split())


@pytest.mark.libreoffice
@pytest.mark.parametrize("case", [c for c in CASES if c.shown or c.unseen], ids=[c.name for c in CASES if c.shown or c.unseen])
def test_a_reader_sees_what_verify_reads(case: Case, printed: dict[str, Path]) -> None:
    draft, text = _page_text(printed["draft"]), _page_text(printed[case.name])
    for phrase in case.shown:
        assert phrase not in draft and phrase in text  # on the printed page, though no w:t run says it
    for phrase in case.unseen:
        assert phrase in draft and phrase not in text  # in the file, but not on the page


def _words(pdf: Path, first: str, second: str) -> tuple[int, tuple[float, float, float, float]]:
    """Return (page, box in points) of the first `first` directly followed by `second`."""
    from lxml import etree

    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, timeout=60).stdout
    root = etree.fromstring(html, etree.HTMLParser())
    for page_no, page in enumerate(root.iter("page"), start=1):
        words = list(page.iter("word"))
        for a, b in zip(words, words[1:], strict=False):
            if a.text == first and b.text == second:
                return page_no, tuple(float(b.get(k)) for k in ("xmin", "ymin", "xmax", "ymax"))  # type: ignore[return-value]
    raise AssertionError(f"{first} {second} not on any page of {pdf.name}")


def _ink(pdf: Path, page: int, box: tuple[float, float, float, float], tmp: Path) -> int:
    """Return the darkest grey level (0 black .. 255 white) inside `box` of `page`, rendered at 72 dpi."""
    from PIL import Image

    stem = tmp / f"{pdf.stem}-{page}"
    subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", "72", "-gray", "-singlefile", str(pdf), str(stem)],
                   check=True, capture_output=True, timeout=60)
    image = Image.open(f"{stem}.pgm")
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    region = image.crop((x0, y0, max(x1, x0 + 1), max(y1, y0 + 1)))
    return int(region.getextrema()[0])


@pytest.mark.libreoffice
def test_white_text_leaves_the_page_blank(printed: dict[str, Path], tmp_path: Path) -> None:
    page, box = _words(printed["draft"], "shall", "pay,")
    assert _ink(printed["draft"], page, box, tmp_path) < 100  # the check sees ink where there is some
    page, box = _words(printed["white-on-white"], "shall", "pay,")
    assert _ink(printed["white-on-white"], page, box, tmp_path) > 250


@pytest.mark.libreoffice
def test_one_point_text_is_too_small_to_read(printed: dict[str, Path]) -> None:
    _, (_, top, _, bottom) = _words(printed["draft"], "shall", "pay,")
    assert bottom - top > 8
    _, (_, top, _, bottom) = _words(printed["one-point"], "shall", "pay,")
    assert bottom - top < 2.5
