"""One applicant's packet: every document its record has a section for, a manifest, a zip.

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sc_docs import __version__
from sc_docs.files import deterministic_zip
from sc_docs.catalog import Catalog, Entry, document_sections, load_catalog
from sc_docs.catalog.contract import section_field
from sc_docs.catalog.certifications import false_certifications
from sc_docs.catalog.makers import maker_for
from sc_docs.checklist import checklist_input
from sc_docs.errors import OutputError, ScDocsError, UsageError
from sc_docs.models import Manifest, ManifestDocument
from sc_docs.files import carry_over, default_mode
from sc_docs.sheets import ApplicantRecord, require_valid
from sc_docs.slugs import choose_slug, identity_key, same_applicant, slugify

TMP_PREFIX = ".sc-docs-tmp-"
MANIFEST = "manifest.json"


@dataclass
class Packet:
    """The files of one applicant's packet (name -> bytes, in manifest order) and its manifest."""

    slug: str
    files: dict[str, bytes]
    manifest: Manifest
    #: Files a user had put in the packet folder, carried over into the new one by `write_packet`.
    kept: list[str] = field(default_factory=list)

    def manifest_bytes(self) -> bytes:
        return (json.dumps(self.manifest.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    def zip_bytes(self, manifest: bytes | None = None) -> bytes:
        """Return the packet's zip; `manifest` is `manifest_bytes()` when the caller has it already."""
        entries = [(f"{self.slug}/{name}", data) for name, data in self.files.items()]
        entries.append((f"{self.slug}/{MANIFEST}", self.manifest_bytes() if manifest is None else manifest))
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


def packet_date_of(record: ApplicantRecord, given: dt.date | None, catalog: Catalog | None = None) -> dt.date:
    """Return `given`, else the sheet's application date, else its earliest effective date.

    Never the clock, so the same sheet gives the same packet tomorrow. The dates are found by
    field name in the document sections, in packet order, so no document is named here.
    """
    if given is not None:
        return given
    order = list((catalog or load_catalog()).entries)
    found = section_field(record.data, "application_date", order)
    if found is not None and isinstance(found[1], str):
        return dt.date.fromisoformat(found[1])
    dates = [
        dt.date.fromisoformat(section["effective_date"])
        for section in document_sections(record.data).values()
        if isinstance(section, dict) and isinstance(section.get("effective_date"), str)
    ]
    if dates:
        return min(dates)
    raise UsageError("no packet date: give --date YYYY-MM-DD or fill the application date in the sheet")


def wanted_entries(record: dict[str, Any], catalog: Catalog, only: list[str] | None) -> list[Entry]:
    """Every entry the record has a section for, in packet order (or `only` those, in that order)."""
    sections = document_sections(record)
    if not only:
        return [e for e in catalog if e.key in sections]
    entries = []
    for key in only:
        entry = catalog.get(key)
        if key not in sections:
            raise ScDocsError(f"the sheet has no documents.{key} section, so the {entry.meta.title} cannot be made")
        entries.append(entry)
    return entries


def inputs_for(entry: Entry, record: dict[str, Any], slug: str, db: Any, catalog: Catalog) -> dict[str, Any] | None:
    """Return the inputs beyond the record that `entry` names (computed only when asked for)."""
    if not entry.meta.inputs:
        return None
    providers = {"checklist": lambda: checklist_input(record, slug=slug, db=db, catalog=catalog)}
    unknown = [n for n in entry.meta.inputs if n not in providers]
    if unknown:
        raise ScDocsError(f"{entry.key}: meta.yaml asks for the input {unknown[0]!r}; known: {', '.join(sorted(providers))}")
    return {name: providers[name]() for name in entry.meta.inputs}


def build_packet(
    record: ApplicantRecord,
    *,
    packet_date: dt.date | None = None,
    only: list[str] | None = None,
    pdf: bool = False,
    slug: str | None = None,
    catalog: Catalog | None = None,
    db: str | os.PathLike[str] | None = None,
) -> Packet:
    """Validate `record` and return its packet; an invalid record raises `ValidationFailed`.

    `db` is a tracker database whose statuses the Master Checklist shows (else all pending).
    """
    catalog = catalog or load_catalog()
    require_valid(record, catalog.schemas)
    data = record.data
    date = packet_date_of(record, packet_date, catalog)
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
        maker = maker_for(entry)
        content = maker.make(entry, data, date, inputs_for(entry, data, slug, db, catalog))
        add(entry, entry.meta.kind, f"{stem}{maker.suffix}", content)
        if maker.suffix == ".pdf":
            pdf_parts.append((entry.meta.title, content))
        elif pdf and maker.office_document:
            from sc_docs.engines.convert import docx_to_pdf
            from sc_docs.engines.pdf.pack import normalize_pdf

            converted = normalize_pdf(docx_to_pdf(content), title=entry.meta.title, date=date)
            add(entry, "pdf", f"{stem}.pdf", converted)
            pdf_parts.append((entry.meta.title, converted))
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
        warnings=[w.format() for w in false_certifications(record, catalog.schemas)],
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
        manifest = packet.manifest_bytes()  # the folder and the zip hold the same bytes, made once
        for name, data in [*packet.files.items(), (MANIFEST, manifest)]:
            (staged / name).write_bytes(data)
        with os.fdopen(fd, "wb") as fh:
            fh.write(packet.zip_bytes(manifest))
        os.chmod(staged, default_mode(folder=True))
        os.chmod(zip_tmp, default_mode())
        if final_dir.exists():
            previous = read_manifest(final_dir)
            listed = {MANIFEST, *packet.files, *(d.file for d in previous.documents)} if previous else {MANIFEST, *packet.files}
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
            if swapped and (old / packet.slug).is_dir() and not (old / packet.slug).is_symlink():
                # Only what sc-docs wrote is replaced: anything else a user put in the folder
                # (notes, signed originals) moves into the new one.
                try:
                    packet.kept = carry_over(old / packet.slug, final_dir, listed)
                except OSError as exc:  # never delete what could not be moved: park it in plain sight
                    parked = Path(tempfile.mkdtemp(prefix=f"{packet.slug}.previous-", dir=outdir))
                    os.replace(old / packet.slug, parked / packet.slug)
                    shutil.rmtree(old, ignore_errors=True)
                    raise OutputError(f"could not carry your files into the new packet ({exc.strerror or exc}); "
                                      f"the previous packet folder is kept as {parked / packet.slug}", file=str(final_dir)) from None
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


def folder_owner(outdir: Path, slug: str) -> str | None:
    """Return the identity key of the applicant whose packet is `outdir/<slug>`, None when free.

    Only a packet's manifest claims a slug: anything else there (a half-removed packet, a planted
    link) is not an applicant, and `write_packet` replaces it without following it.
    """
    manifest = read_manifest(outdir / slug) if os.path.isdir(outdir / slug) else None
    return identity_key(manifest.legal_name) if manifest is not None else None


def slug_for(outdir: Path, record: ApplicantRecord) -> str | None:
    """Return the slug `record`'s packet takes in `outdir` (None: no legal name to derive it from)."""
    facts = record.data.get("applicant")
    name = facts.get("legal_name") if isinstance(facts, dict) else None
    if not isinstance(name, str) or not name.strip():
        return None
    try:
        return choose_slug(name, lambda s: folder_owner(outdir, s))
    except ValueError as exc:
        raise OutputError(str(exc), file=str(outdir)) from None


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
            if d.kind not in ("pdf", "packet-pdf")
        ],
    )
