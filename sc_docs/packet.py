"""One applicant's packet: every agreement it asks for, the application form, a manifest, a zip.

`build_packet` makes the documents in memory (no I/O but reading templates); `write_packet` puts
them in place atomically: everything is assembled in a hidden temporary folder inside the output
folder and renamed into place, so a crash leaves either the old packet or the new one, never half.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sc_docs import __version__
from sc_docs.archive import deterministic_zip
from sc_docs.catalog import Catalog, Entry, load_catalog
from sc_docs.errors import OutputError, ScDocsError, UsageError, ValidationFailed
from sc_docs.models import Manifest, ManifestDocument
from sc_docs.output import default_mode
from sc_docs.sheets import ApplicantRecord, validate
from sc_docs.slugs import same_applicant, slugify

TMP_PREFIX = ".sc-docs-tmp-"
MANIFEST = "manifest.json"


@dataclass
class Packet:
    """The files of one applicant's packet (name -> bytes, in manifest order) and its manifest."""

    slug: str
    files: dict[str, bytes]
    manifest: Manifest

    def manifest_bytes(self) -> bytes:
        return (json.dumps(self.manifest.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    def zip_bytes(self) -> bytes:
        entries = [(f"{self.slug}/{name}", data) for name, data in self.files.items()]
        entries.append((f"{self.slug}/{MANIFEST}", self.manifest_bytes()))
        return deterministic_zip(entries)


def input_sha256(record: ApplicantRecord) -> str:
    """Hash the input sheets' bytes (several sheets: in the order given)."""
    digest = hashlib.sha256()
    for source in record.sources:
        try:
            digest.update(Path(source).read_bytes())
        except OSError:
            digest.update(json.dumps(record.data, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def packet_date_of(record: ApplicantRecord, given: dt.date | None) -> dt.date:
    """Return `given`, else the sheet's application date, else its earliest effective date.

    Never the clock, so the same sheet gives the same packet tomorrow.
    """
    if given is not None:
        return given
    app = record.data.get("application")
    if isinstance(app, dict) and isinstance(app.get("application_date"), str):
        return dt.date.fromisoformat(app["application_date"])
    dates = [
        dt.date.fromisoformat(section["effective_date"])
        for section in (record.data.get("agreements") or {}).values()
        if isinstance(section, dict) and isinstance(section.get("effective_date"), str)
    ]
    if dates:
        return min(dates)
    raise UsageError("no packet date: give --date YYYY-MM-DD or fill application.application_date in the sheet")


def agreement_context(record: dict[str, Any], entry: Entry) -> dict[str, Any]:
    """The rendering context of an agreement: shared facts, its own section, its metadata."""
    meta = entry.meta
    return {
        "applicant": record["applicant"],
        "agreement": record["agreements"][meta.key],
        "document": {
            "key": meta.key,
            "title": meta.title,
            "tariff_appendix": meta.tariff_appendix,
            "version": meta.version,
            "as_of": meta.as_of.isoformat(),
        },
    }


def render_agreement(record: dict[str, Any], entry: Entry, packet_date: dt.date) -> bytes:
    """Render one agreement with fixed document properties and the template's identity."""
    from sc_docs.engines.docx import compile_template

    meta = entry.meta
    stamp = dt.datetime.combine(packet_date, dt.time(), tzinfo=dt.timezone.utc)
    return compile_template(entry.source_path).render(
        agreement_context(record, entry),
        core_properties={
            "title": f"{meta.title} - {record['applicant']['legal_name']}",
            "subject": f"CAISO tariff Appendix {meta.tariff_appendix}" if meta.tariff_appendix else meta.title,
            "creator": "sc-docs",
            "last_modified_by": "sc-docs",
            "created": stamp,
            "modified": stamp,
        },
        custom_properties={
            "sc_docs.template_key": meta.key,
            "sc_docs.template_version": meta.version,
            "sc_docs.template_sha256": entry.source_sha256,
        },
    )


def wanted_entries(record: dict[str, Any], catalog: Catalog, only: list[str] | None) -> list[Entry]:
    """Agreements the record has a section for, then the forms it has data for (or `only` those)."""
    keys = list(only) if only else [*[e.key for e in catalog.forms()], *sorted(record.get("agreements") or {})]
    entries = []
    for key in keys:
        entry = catalog.get(key)
        if entry.meta.kind == "agreement" and key not in (record.get("agreements") or {}):
            raise ScDocsError(f"the sheet has no agreements.{key} section, so the {entry.meta.title} cannot be made")
        if entry.meta.kind == "form" and key not in record:
            if only:
                raise ScDocsError(f"the sheet has no {key} section, so the {entry.meta.title} cannot be made")
            continue
        entries.append(entry)
    return entries


def build_packet(
    record: ApplicantRecord,
    *,
    packet_date: dt.date | None = None,
    only: list[str] | None = None,
    pdf: bool = False,
    slug: str | None = None,
    catalog: Catalog | None = None,
) -> Packet:
    """Validate `record` and return its packet; an invalid record raises `ValidationFailed`."""
    problems = validate(record)
    if problems:
        raise ValidationFailed(problems, file=record.source)
    catalog = catalog or load_catalog()
    data = record.data
    date = packet_date_of(record, packet_date)
    slug = slug or slugify(data["applicant"]["legal_name"])
    files: dict[str, bytes] = {}
    docs: list[ManifestDocument] = []
    pdf_parts: list[tuple[str, bytes]] = []

    def add(entry: Entry, kind: str, name: str, content: bytes) -> None:
        files[name] = content
        docs.append(ManifestDocument(
            key=entry.key, title=entry.meta.title, kind=kind, file=name,  # type: ignore[arg-type]
            template_version=entry.meta.version, template_sha256=entry.source_sha256,
            meta_sha256=entry.meta_sha256, sha256=hashlib.sha256(content).hexdigest(), size=len(content),
        ))

    for entry in wanted_entries(data, catalog, only):
        stem = f"{slug}_{entry.key}_{entry.meta.version}"
        if entry.meta.kind == "agreement":
            docx = render_agreement(data, entry, date)
            add(entry, "agreement", f"{stem}.docx", docx)
            if pdf:
                from sc_docs.engines.pdf.pack import normalize_pdf
                from sc_docs.engines.convert import docx_to_pdf

                converted = normalize_pdf(docx_to_pdf(docx), title=entry.meta.title, date=date)
                add(entry, "pdf", f"{stem}.pdf", converted)
                pdf_parts.append((entry.meta.title, converted))
        else:
            from sc_docs.catalog.formfill import fill_application

            form = fill_application(data)
            add(entry, "form", f"{stem}.pdf", form)
            pdf_parts.append((entry.meta.title, form))
    if pdf and pdf_parts:
        from sc_docs.engines.pdf.pack import merge_pdfs

        merged = merge_pdfs(pdf_parts, title=f"SC packet - {data['applicant']['legal_name']}", date=date)
        name = f"{slug}_packet.pdf"
        files[name] = merged
        docs.append(ManifestDocument(
            key="packet", title="Merged packet", kind="packet-pdf", file=name, template_version="-",
            template_sha256="-", meta_sha256="-", sha256=hashlib.sha256(merged).hexdigest(), size=len(merged),
        ))
    manifest = Manifest(
        sc_docs_version=__version__, slug=slug, legal_name=data["applicant"]["legal_name"], packet_date=date,
        input_files=[Path(s).name for s in record.sources], input_sha256=input_sha256(record), documents=docs,
    )
    return Packet(slug, files, manifest)


def write_packet(packet: Packet, outdir: Path) -> Path:
    """Write `outdir/<slug>/` and `outdir/<slug>.zip` atomically; return the packet folder.

    Both are staged under hidden temporary names in `outdir` and renamed into place; a packet that
    already exists is moved aside first and removed after. A killed process leaves only hidden
    temporaries, which the next batch removes. A full disk or a folder that cannot be written
    raises `OutputError` (and leaves the previous packet, if any, in place).
    """
    try:
        return _write_packet(packet, outdir)
    except OSError as exc:
        raise OutputError(f"cannot write the packet: {exc.strerror or exc}", file=str(outdir)) from None


def _write_packet(packet: Packet, outdir: Path) -> Path:
    outdir.mkdir(parents=True, exist_ok=True)
    final_dir = outdir / packet.slug
    final_zip = outdir / f"{packet.slug}.zip"
    if final_dir.exists():
        previous = read_manifest(final_dir)
        if previous is not None and not same_applicant(previous.legal_name, packet.manifest.legal_name):
            raise OutputError(f"{packet.slug} holds the packet of another applicant; it is not replaced", file=str(outdir))
    staged = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{packet.slug}-", dir=outdir))
    try:
        fd, zip_tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{packet.slug}-", suffix=".zip", dir=outdir)
    except OSError:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    old: Path | None = None
    swapped = False
    try:
        # No fsync per file: atomicity here guards against a killed process (renames are atomic),
        # and a batch of thousands of packets would otherwise spend its time waiting on the disk.
        for name, data in [*packet.files.items(), (MANIFEST, packet.manifest_bytes())]:
            (staged / name).write_bytes(data)
        with os.fdopen(fd, "wb") as fh:
            fh.write(packet.zip_bytes())
        os.chmod(staged, default_mode(folder=True))
        os.chmod(zip_tmp, default_mode())
        if final_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}old-", dir=outdir))
            os.replace(final_dir, old / packet.slug)
        os.replace(staged, final_dir)
        swapped = True
        os.replace(zip_tmp, final_zip)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        if os.path.exists(zip_tmp):
            os.unlink(zip_tmp)
        if old is not None and (old / packet.slug).exists():  # put the previous packet back whole
            if swapped:
                shutil.rmtree(final_dir, ignore_errors=True)
            if not final_dir.exists():
                os.replace(old / packet.slug, final_dir)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return final_dir


def clean_stale_temp(outdir: Path) -> int:
    """Remove the temporaries a killed run left behind; return how many."""
    removed = 0
    if outdir.is_dir():
        for p in outdir.glob(f"{TMP_PREFIX}*"):
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
            removed += 1
    return removed


MAX_MANIFEST = 16 * 1024 * 1024


def read_manifest(folder: Path) -> Manifest | None:
    """Return the manifest in `folder`, or None when absent, unreadable or implausibly large.

    Read with a limit: whatever sits in the output folder (a link to /dev/zero, say) must not
    exhaust memory when `--resume` looks at it.
    """
    try:
        with open(folder / MANIFEST, "rb") as fh:
            data = fh.read(MAX_MANIFEST + 1)
        return None if len(data) > MAX_MANIFEST else Manifest.model_validate_json(data)
    except (OSError, ValueError):
        return None


def record_in_tracker(db: str | os.PathLike[str], manifest: Manifest) -> None:
    """Record a written packet's documents in the certification tracker database `db`."""
    from sc_docs.tracker import record_packet

    record_packet(
        db,
        slug=manifest.slug,
        legal_name=manifest.legal_name,
        packet_date=manifest.packet_date,
        documents=[
            {"key": d.key, "title": d.title, "version": d.template_version, "template_sha256": d.template_sha256,
             "sha256": d.sha256, "file": d.file}
            for d in manifest.documents
            if d.kind in ("agreement", "form")
        ],
    )
