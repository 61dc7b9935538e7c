"""The plain records (`models`, tracker requirements) agree with their pydantic contracts.

A record the hand check accepts must be exactly what pydantic makes of it; one it does not accept
goes to pydantic, so errors read as before. Field lists are kept equal here.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from sc_docs import models, pydantic_models
from sc_docs.paths import pro_forma_dir
from sc_docs.tracker import requirements, requirements_schema

METAS = sorted(pro_forma_dir().glob("*/meta.yaml"))


def pydantic_outcome(make: Any) -> Any:
    try:
        return make()
    except ValueError as exc:  # pydantic's ValidationError
        return ("error", str(exc))


@pytest.mark.parametrize(
    ("plain", "contract"),
    [(models.DocumentMeta, pydantic_models.DocumentMeta), (models.Manifest, pydantic_models.Manifest),
     (models.ManifestDocument, pydantic_models.ManifestDocument), (requirements.Requirement, requirements_schema.Requirement),
     (requirements.RequirementSet, requirements_schema.RequirementSet), (requirements.SatisfiedBy, requirements_schema.SatisfiedBy),
     (requirements.BusinessDaysDeadline, requirements_schema.BusinessDaysDeadline),
     (requirements.AnnualDeadline, requirements_schema.AnnualDeadline)],
    ids=lambda c: c.__module__.rsplit(".", 1)[-1] + "." + c.__name__,
)
def test_the_same_fields_as_the_contract(plain: type, contract: Any) -> None:
    assert {f.name for f in dataclasses.fields(plain)} == set(contract.model_fields)


def meta_variants() -> list[tuple[str, Any]]:
    base = yaml.safe_load((pro_forma_dir() / "sca" / "meta.yaml").read_text(encoding="utf-8"))
    changes: list[tuple[str, Any]] = [
        ("as-of-text", {"as_of": "2026-11-01"}), ("as-of-datetime", {"as_of": dt.datetime(2026, 11, 1)}),
        ("order-text", {"order": "7"}), ("order-bool", {"order": True}), ("order-negative", {"order": -1}),
        ("version-number", {"version": 2}), ("bad-key", {"key": "Bad-Key"}), ("key-newline", {"key": "sca\n"}),
        ("empty-title", {"title": ""}), ("extra", {"colour": "red"}), ("unknown-kind", {"kind": "memo"}),
        ("form-without-fields", {"kind": "form"}), ("stray-cells", {"cells": "cells.yaml"}),
        ("inputs-text", {"inputs": "checklist"}), ("inputs", {"inputs": ["checklist"]}), ("schema_", {"schema_": "x.json"}),
    ]
    out = [(name, {**base, **change}) for name, change in changes]
    out += [("missing-title", {k: v for k, v in base.items() if k != "title"}), ("not-a-mapping", ["key"]), ("none", None)]
    return out


@pytest.mark.parametrize("raw", [yaml.safe_load(p.read_text(encoding="utf-8")) for p in METAS] + [v for _, v in meta_variants()],
                         ids=[p.parent.name for p in METAS] + [n for n, _ in meta_variants()])
def test_meta_is_what_pydantic_makes_of_it(raw: Any) -> None:
    ours = pydantic_outcome(lambda: models.DocumentMeta.model_validate(copy.deepcopy(raw)))
    theirs = pydantic_outcome(lambda: pydantic_models.DocumentMeta.model_validate(copy.deepcopy(raw)))
    if isinstance(theirs, tuple):
        assert ours == theirs
    else:
        assert dataclasses.asdict(ours) == theirs.model_dump()


def manifest(tmp_path: Path) -> bytes:
    from sc_docs.packet import build_packet
    from sc_docs.sheets import load_applicant
    from tests.conftest import EXAMPLES

    return build_packet(load_applicant(EXAMPLES / "acme-power-and-light.yaml")).manifest_bytes()


def test_a_manifest_reads_back_and_dumps_as_pydantic_did(tmp_path: Path) -> None:
    data = manifest(tmp_path)
    ours = models.Manifest.model_validate_json(data)
    theirs = pydantic_models.Manifest.model_validate_json(data)
    assert ours.model_dump(mode="json") == theirs.model_dump(mode="json") == json.loads(data)
    assert ours.model_dump() == theirs.model_dump()
    assert (json.dumps(ours.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n").encode() == data


@pytest.mark.parametrize(
    "change",
    [{"packet_date": "2026-12-01T00:00:00"}, {"packet_date": "2026-13-01"}, {"size": "12"}, {"legal_name": 5},
     {"extra": 1}, {"warnings": None}, {"documents": [{"key": "x"}]}, {"kind": "memo"}],
    ids=["datetime", "bad-date", "size-text", "name-number", "extra", "warnings-null", "short-document", "bad-kind"],
)
def test_a_doubtful_manifest_is_pydantics_to_judge(tmp_path: Path, change: dict[str, Any]) -> None:
    raw = json.loads(manifest(tmp_path))
    if "size" in change or "kind" in change:
        raw["documents"][0].update(change)
    else:
        raw.update(change)
    data = json.dumps(raw).encode()
    ours = pydantic_outcome(lambda: models.Manifest.model_validate_json(data))
    theirs = pydantic_outcome(lambda: pydantic_models.Manifest.model_validate_json(data))
    if isinstance(theirs, tuple):
        assert ours == theirs
    else:
        assert ours.model_dump() == theirs.model_dump()


def test_a_hostile_manifest_is_a_value_error_not_a_crash(tmp_path: Path) -> None:
    from sc_docs.packet import read_manifest

    (tmp_path / "manifest.json").write_bytes(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(ValueError):
        models.Manifest.model_validate_json((tmp_path / "manifest.json").read_bytes())
    assert read_manifest(tmp_path) is None


def requirement_variants() -> list[tuple[str, Any]]:
    base = yaml.safe_load((pro_forma_dir() / "requirements.yaml").read_text(encoding="utf-8"))
    out: list[tuple[str, Any]] = [("bundled", base)]

    def variant(name: str, edit: Any) -> None:
        raw = copy.deepcopy(base)
        edit(raw)
        out.append((name, raw))

    first = lambda raw: raw["requirements"][0]  # noqa: E731
    dated = lambda raw: next(r for r in raw["requirements"] if r.get("deadline"))  # noqa: E731
    variant("days-text", lambda raw: dated(raw)["deadline"].update(days="10"))
    variant("days-bool", lambda raw: dated(raw)["deadline"].update(days=True))
    variant("days-too-many", lambda raw: dated(raw)["deadline"].update(days=400))
    variant("one-anchor", lambda raw: dated(raw)["deadline"].update(after=dated(raw)["deadline"]["after"][0]))
    variant("no-anchor", lambda raw: dated(raw)["deadline"].update(after=[]))
    variant("deadline-null", lambda raw: first(raw).update(deadline=None))
    variant("party-other", lambda raw: first(raw).update(party="someone"))
    variant("reference-number", lambda raw: first(raw).update(reference=3))
    variant("version-number", lambda raw: raw.update(version=2026))
    variant("extra", lambda raw: first(raw).update(colour="red"))
    variant("duplicate", lambda raw: raw["requirements"].append(copy.deepcopy(first(raw))))
    variant("evidence-text", lambda raw: first(raw).update(satisfied_by={"evidence": "a letter"}))
    variant("anchor-both", lambda raw: dated(raw)["deadline"].update(after=[{"requirement": "application", "field": "x"}]))
    variant("annual-feb-30", lambda raw: first(raw).update(deadline={"kind": "annual", "month": 2, "day": 30, "after": {"field": "x"}}))
    variant("annual-feb-29", lambda raw: first(raw).update(deadline={"kind": "annual", "month": 2, "day": 29, "after": {"field": "x"}}))
    variant("none-with-days", lambda raw: first(raw).update(deadline={"kind": "none", "days": 3}))
    return out


@pytest.mark.parametrize("raw", [v for _, v in requirement_variants()], ids=[n for n, _ in requirement_variants()])
def test_requirements_are_what_pydantic_makes_of_them(raw: Any, tmp_path: Path) -> None:
    from sc_docs.errors import RequirementsFileError

    path = tmp_path / "requirements.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    try:
        ours: Any = requirements.load_requirements(path)
    except RequirementsFileError as exc:
        ours = ("error", str(exc))
    theirs = pydantic_outcome(lambda: requirements_schema.RequirementSet.model_validate(copy.deepcopy(raw)))
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple), "accepted what pydantic refuses"
    else:
        assert not isinstance(ours, tuple), ours
        assert dataclasses.asdict(ours) == theirs.model_dump()


def test_a_plainly_valid_record_never_imports_pydantic() -> None:
    import subprocess
    import sys

    code = ("import sys\nfrom sc_docs.catalog import load_catalog\nfrom sc_docs.tracker import load_requirements\n"
            "load_catalog(); load_requirements()\nprint('pydantic' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
