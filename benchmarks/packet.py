"""Per-packet CPU by stage, each stage beside its floor: the same work in its cheapest form.

    python benchmarks/packet.py [--rounds 15] [--reps 4]

One packet per bundled sample (`info_sheets/examples/*.yaml`), the samples' mix. Stages, as
`build_packet` and `write_packet` run them, and their floors:

| stage    | sc-docs                                         | floor                                              |
|----------|-------------------------------------------------|----------------------------------------------------|
| load     | `load_applicant` (positions, layout upgrade)    | bare `yaml.load` (libyaml when present)            |
| validate | `require_valid` (schema + domain rules)         | bare `iter_errors` of the compiled schema          |
| render   | each DOCX (agreements and letters) as the packet | bare Jinja on the patched document.xml + level-1   |
|          | makes it (props), and without properties        | deflate of the output                              |
| fill     | the application form                            | a bare incremental update: new field objects, an   |
|          |                                                 | xref and a trailer appended to the original bytes  |
|          | (the same fill, a second row)                   | the same update with what a fill must also write:  |
|          |                                                 | each filled widget rewritten, one appearance stream|
|          |                                                 | per text widget from a head prepared once          |
| workbook | `make_workbook` (cell map, compiled template)   | the same file's parts zipped as the fill zips them |
| write    | `write_packet`: folder + zip, atomically        | each file written once, the zip's CRCs, one write  |
|          |                                                 | of the zip's size                                  |

Rounds interleave floor and sc-docs (the order alternates each round), so both see the same
machine load; each cell is the median CPU ms per packet over the rounds, with min-max. A last table
measures the zip of a packet with its PDFs stored, deflated at level 1 and at level 6.
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sc_docs  # noqa: E402
from sc_docs.catalog import load_catalog  # noqa: E402
from sc_docs.catalog.contract import build_context, document_sections  # noqa: E402
from sc_docs.catalog.formfill import form_values, load_field_map, lookup_root  # noqa: E402
from sc_docs.catalog.makers import make_docx, make_workbook, warm  # noqa: E402
from sc_docs.engines.docx import compile_template  # noqa: E402
from sc_docs.packet import build_packet, inputs_for, packet_date_of, write_packet  # noqa: E402
from sc_docs.sheets import require_valid  # noqa: E402
from sc_docs.sheets.schema import validator  # noqa: E402

EXAMPLES = ROOT / "info_sheets" / "examples"
FILL_WITH_APPEARANCES = "fill, floor with APs"  # the same fill against the floor that draws too


# -- floors -----------------------------------------------------------------------------------


def yaml_floor() -> Callable[[bytes], Any]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return lambda data: yaml.load(data, Loader=loader)  # noqa: S506 - a safe loader


class JinjaFloor:
    """docxtpl's own preprocessing of document.xml, compiled once by plain Jinja."""

    def __init__(self, path: Path) -> None:
        import jinja2
        from docxtpl import DocxTemplate

        from sc_docs.engines.docx import make_environment

        tpl = DocxTemplate(str(path))
        tpl.init_docx()
        env = jinja2.Environment(autoescape=True)  # not sandboxed, no limits: the bare cost
        env.filters.update(make_environment().filters)  # the templates' own filters (dates, money)
        self.template = env.from_string(tpl.patch_xml(tpl.get_xml()))

    def __call__(self, context: dict[str, Any]) -> bytes:
        out = self.template.render(context).encode("utf-8")
        deflate = zlib.compressobj(1, zlib.DEFLATED, -15)
        return deflate.compress(out) + deflate.flush()


def _pdf_string(value: str | bool) -> bytes:
    if isinstance(value, bool):
        return b"/Yes" if value else b"/Off"
    text = str(value).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"(" + text.encode("latin-1", "replace") + b")"


class IncrementalFloor:
    """The least a filler can write: one new object per field, an xref section and a trailer."""

    def __init__(self, form: bytes) -> None:
        self.form = form
        size = re.findall(rb"/Size\s+(\d+)", form)
        self.first = int(size[-1]) if size else 1
        self.prev = int(re.findall(rb"startxref\s+(\d+)", form)[-1])

    def __call__(self, values: dict[str, str | bool]) -> bytes:
        out = io.BytesIO()
        out.write(self.form)
        offsets = []
        for i, (name, value) in enumerate(values.items()):
            offsets.append(out.tell())
            out.write(b"%d 0 obj\n<< /T (%s) /V %s >>\nendobj\n" % (self.first + i, name.encode("latin-1", "replace"),
                                                                    _pdf_string(value)))
        xref = out.tell()
        out.write(b"xref\n%d %d\n" % (self.first, len(offsets)))
        out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
        out.write(b"trailer\n<< /Size %d /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (self.first + len(offsets), self.prev, xref))
        return out.getvalue()


class AppearanceFloor(IncrementalFloor):
    """The same update a real fill must write, in its cheapest form: every filled widget rewritten
    with its value, and each text or choice widget given one new appearance stream.

    Everything that depends only on the form is prepared here, once: each widget's dictionary
    bytes without /V, /AS and /AP, and the dictionary of its appearance stream (/BBox, the font
    resource). A fill then formats one `BT ... Tj ET` line per widget (no fitting, wrapping or
    font choice), writes the objects, an xref section and a trailer.
    """

    def __init__(self, form: bytes) -> None:
        from pypdf import PdfReader

        super().__init__(form)
        reader = PdfReader(io.BytesIO(form))
        helv = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
        self.font_ref = self.first
        self.font = b"%d 0 obj\n%s\nendobj\n" % (self.font_ref, helv)
        # name -> [(object number, dictionary entries, appearance head, a button's on-states or None)]
        self.widgets: dict[str, list[tuple[int, bytes, bytes, list[bytes] | None]]] = {}
        for page in reader.pages:
            for ref in page.get("/Annots") or []:
                widget = ref.get_object()
                if widget.get("/Subtype") != "/Widget":
                    continue
                name, node, kind = [], widget, None
                while node is not None:
                    if "/T" in node:
                        name.insert(0, str(node["/T"]))
                    kind = kind or node.get("/FT")
                    node = node.get("/Parent")
                    node = node.get_object() if node is not None else None
                buf = io.BytesIO()
                rewritten = ("/V", "/AS") if kind == "/Btn" else ("/V", "/AP")
                kept = {k: v for k, v in widget.items() if k not in rewritten}
                for key, value in kept.items():
                    buf.write(key.encode() + b" ")
                    value.write_to_stream(buf)
                    buf.write(b"\n")
                x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
                head = (b"<< /Type /XObject /Subtype /Form /BBox [0 0 %.2f %.2f] /Resources << /Font << /Helv %d 0 R >> >>"
                        % (abs(x1 - x0), abs(y1 - y0), self.font_ref))
                states = widget.get("/AP", {}).get("/N", {})
                states = [k.encode() for k in getattr(states, "keys", lambda: [])() if k != "/Off"] or [b"/Yes"]
                button = states if kind == "/Btn" else None
                self.widgets.setdefault(".".join(name), []).append((ref.idnum, buf.getvalue(), head, button))

    def __call__(self, values: dict[str, str | bool]) -> bytes:
        parts = [self.form, self.font]
        offsets = [(self.font_ref, len(self.form))]
        position = len(self.form) + len(self.font)
        number = self.font_ref + 1
        for name, value in values.items():
            for idnum, entries, head, button in self.widgets.get(name, ()):
                if button is not None:  # a checkbox or radio button: a state name, no new stream
                    state = (button[0] if value else b"/Off") if isinstance(value, bool) else b"/" + value.encode()
                    shown = state if state in button else b"/Off"
                    body = b"%d 0 obj\n<<\n%s/V %s\n/AS %s\n>>\nendobj\n" % (idnum, entries, state, shown)
                else:
                    text = _pdf_string(value)
                    content = b"BT /Helv 10 Tf 2 4 Td %s Tj ET" % text
                    stream = b"%d 0 obj\n%s /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (
                        number, head[:-2], len(content), content)
                    offsets.append((number, position))
                    parts.append(stream)
                    position += len(stream)
                    body = b"%d 0 obj\n<<\n%s/V %s\n/AP << /N %d 0 R >>\n>>\nendobj\n" % (idnum, entries, text, number)
                    number += 1
                offsets.append((idnum, position))
                parts.append(body)
                position += len(body)
        xref = [b"xref\n0 1\n0000000000 65535 f \n"]
        for idnum, offset in sorted(offsets):
            xref.append(b"%d 1\n%010d 00000 n \n" % (idnum, offset))
        xref.append(b"trailer\n<< /Size %d /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (number, self.prev, position))
        return b"".join(parts + xref)


def workbook_floor(entry: Any, data: dict[str, Any], date: Any) -> Callable[[], bytes]:
    """The workbook's own bytes zipped as the fill zips them (level 6): writing that file at all.

    (The fill used to run openpyxl, load the template, set the cells, save; it now writes the
    cells into the template compiled once, so openpyxl alone is no longer a floor but ~7x slower.)
    """
    import zipfile

    with zipfile.ZipFile(io.BytesIO(make_workbook(entry, data, date))) as z:
        parts = [(i.filename, z.read(i.filename)) for i in z.infolist()]

    def fill() -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as dst:
            for name, content in parts:
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                dst.writestr(info, content, compresslevel=6)
        return out.getvalue()
    return fill


def write_floor(folder: Path, files: dict[str, bytes]) -> None:
    """Write each file once, then a zip-sized blob (stored entries need only their CRCs)."""
    folder.mkdir()
    total = 0
    for name, data in files.items():
        zlib.crc32(data)
        (folder / name).write_bytes(data)
        total += len(data)
    with open(folder.with_suffix(".zip"), "wb") as fh:
        fh.write(b"".join(files.values()))


# -- the run ----------------------------------------------------------------------------------


def timed(fn: Callable[[], object], reps: int) -> float:
    """CPU ms per call of `fn` (this process's CPU: on a shared machine, wall time is mostly
    the other users' load)."""
    start = time.process_time()
    for _ in range(reps):
        fn()
    return (time.process_time() - start) * 1000 / reps


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):7.3f} ({min(values):.3f}-{max(values):.3f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds; medians over these")
    parser.add_argument("--reps", type=int, default=4, help="packets of each sample per round and stage")
    args = parser.parse_args(argv)

    catalog = load_catalog()
    warm(catalog)
    load_yaml = yaml_floor()
    compiled_validator = validator()
    sheets = sorted(EXAMPLES.glob("*.yaml"))
    samples = []
    for path in sheets:
        record = sc_docs.load_applicant(path)
        data = record.data
        date = packet_date_of(record, None, catalog)
        sections = document_sections(data)
        agreements = [(e, JinjaFloor(e.source_path), build_context(e, data, inputs_for(e, data, "bench", None, catalog)))
                      for e in [*catalog.of_kind("agreement"), *catalog.of_kind("letter")] if e.key in sections]
        workbooks = [(e, workbook_floor(e, data, date)) for e in catalog.of_kind("workbook") if e.key in sections]
        forms = []
        for e in catalog.of_kind("form"):
            if e.key in sections:
                values = form_values(lookup_root(e, data), load_field_map(e.file("fields")))
                form = e.source_path.read_bytes()
                forms.append((e, IncrementalFloor(form), values, AppearanceFloor(form)))
        samples.append((path, record, date, agreements, forms, build_packet(record), workbooks))

    tmp = Path(tempfile.mkdtemp(prefix="sc-docs-bench-packet-"))
    counter = [0]

    def fresh() -> Path:
        counter[0] += 1
        return tmp / f"w{counter[0]}"

    def per_packet(fn: Callable[[Any], object]) -> Callable[[], None]:
        def run() -> None:
            for sample in samples:
                fn(sample)
        return run

    from sc_docs.catalog.makers import make_form

    stages: dict[str, tuple[Callable[[], None], Callable[[], None]]] = {
        "load": (per_packet(lambda s: load_yaml(s[0].read_bytes())),
                 per_packet(lambda s: sc_docs.load_applicant(s[0]))),
        "validate": (per_packet(lambda s: list(compiled_validator.iter_errors(s[1].data))),
                     per_packet(lambda s: require_valid(s[1], catalog.schemas))),
        "render": (per_packet(lambda s: [floor(ctx) for _, floor, ctx in s[3]]),
                   per_packet(lambda s: [make_docx(e, s[1].data, s[2], inputs_for(e, s[1].data, "bench", None, catalog))
                                         for e, _, _ in s[3]])),
        "render, no properties": (per_packet(lambda s: [floor(ctx) for _, floor, ctx in s[3]]),
                                  per_packet(lambda s: [compile_template(e.source_path).render(ctx) for e, _, ctx in s[3]])),
        "fill": (per_packet(lambda s: [floor(values) for _, floor, values, _ in s[4]]),
                 per_packet(lambda s: [make_form(e, s[1].data, s[2]) for e, _, _, _ in s[4]])),
        FILL_WITH_APPEARANCES: (per_packet(lambda s: [floor(values) for _, _, values, floor in s[4]]),
                                per_packet(lambda s: [make_form(e, s[1].data, s[2]) for e, _, _, _ in s[4]])),
        "workbook": (per_packet(lambda s: [floor() for _, floor in s[6]]),
                     per_packet(lambda s: [make_workbook(e, s[1].data, s[2]) for e, _ in s[6]])),
        "write": (per_packet(lambda s: write_floor(fresh(), {**s[5].files, "manifest.json": s[5].manifest_bytes()})),
                  per_packet(lambda s: write_packet(s[5], fresh()))),
    }
    n = len(samples)
    results: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in stages}
    totals: tuple[list[float], list[float]] = ([], [])
    whole: list[float] = []  # load + build_packet + write_packet in one go: what a batch pays
    for r in range(args.rounds):
        round_total = [0.0, 0.0]
        for name, (floor, ours) in stages.items():
            order = [(0, floor), (1, ours)] if r % 2 == 0 else [(1, ours), (0, floor)]
            for i, fn in order:
                ms = timed(fn, args.reps) / n
                results[name][i].append(ms)
                if name not in ("render, no properties", FILL_WITH_APPEARANCES):  # stages timed twice
                    round_total[i] += ms
        totals[0].append(round_total[0])
        totals[1].append(round_total[1])
        whole.append(timed(per_packet(lambda s: write_packet(build_packet(sc_docs.load_applicant(s[0])), fresh())),
                           args.reps) / n)
        shutil.rmtree(tmp)
        tmp.mkdir()
    shutil.rmtree(tmp, ignore_errors=True)

    print(f"per packet, mix of {n} samples ({', '.join(p.stem for p in sheets)}); "
          f"{args.rounds} interleaved rounds x {args.reps}; CPU ms median (min-max)")
    print(f"{'stage':<22} {'floor CPU ms':>24} {'sc-docs CPU ms':>24} {'ratio':>7}")
    for name, (floor_ms, our_ms) in results.items():
        ratio = statistics.median(our_ms) / statistics.median(floor_ms)
        print(f"{name:<22} {summary(floor_ms):>24} {summary(our_ms):>24} {ratio:>6.2f}x")
    ratio = statistics.median(totals[1]) / statistics.median(totals[0])
    print(f"{'packet (sum of stages)':<22} {summary(totals[0]):>24} {summary(totals[1]):>24} {ratio:>6.2f}x")
    ratio = statistics.median(whole) / statistics.median(totals[0])
    print(f"{'packet, one call':<22} {summary(totals[0]):>24} {summary(whole):>24} {ratio:>6.2f}x"
          "  (load + build_packet + write_packet; hashing and the manifest included)")
    zip_table(samples, args.rounds)
    return 0


def zip_table(samples: list[Any], rounds: int) -> None:
    """Time and size of a packet's zip with its PDFs stored, deflated at level 1, at level 6."""
    from sc_docs.files import FIXED_TIME

    def build(files: dict[str, bytes], level: int | None) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            for name, data in sorted(files.items()):
                info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
                office = name.endswith((".docx", ".xlsx"))
                pdf = name.endswith(".pdf")
                if office or (pdf and level is None):
                    info.compress_type = zipfile.ZIP_STORED
                    zf.writestr(info, data)
                else:
                    info.compress_type = zipfile.ZIP_DEFLATED
                    zf.writestr(info, data, compresslevel=level if pdf else 6)
        return buf.getvalue()

    packets = [{**s[5].files, "manifest.json": s[5].manifest_bytes()} for s in samples]
    modes: list[tuple[str, int | None]] = [("PDFs stored", None), ("PDFs level 1", 1), ("PDFs level 6", 6)]
    times: dict[str, list[float]] = {m: [] for m, _ in modes}
    for r in range(rounds):
        for label, level in (modes if r % 2 == 0 else modes[::-1]):
            times[label].append(timed(lambda: [build(p, level) for p in packets], 3) / len(packets))
    print(f"\nzip of one packet (mean of {len(packets)} samples): CPU ms median (min-max), bytes")
    for label, level in modes:
        size = sum(len(build(p, level)) for p in packets) / len(packets)
        print(f"{label:<22} {summary(times[label]):>24} {size:>10.0f}")


if __name__ == "__main__":
    sys.exit(main())
