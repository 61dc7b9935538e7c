"""Synthetic applicants, made from the bundled samples, for batch tests and benchmarks."""

from __future__ import annotations

import copy
import random
import string
from pathlib import Path
from typing import Any

import yaml

from sc_docs.paths import data_dir


def _bases() -> list[dict[str, Any]]:
    folder = data_dir("info_sheets") / "examples"
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.yaml"))]


def synthetic_records(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """Return `n` valid, distinct applicant records (deterministic for a given `seed`)."""
    rng = random.Random(seed)
    bases = _bases()
    out = []
    for i in range(n):
        data = copy.deepcopy(bases[i % len(bases)])
        facts = data["applicant"]
        facts["legal_name"] = f"{facts['legal_name']} No. {i + 1}"
        letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(2))
        scids = [f"{letters[0]}{letters[1]}{(i // 100) % 10}{i % 10}"[:4], f"Z{letters}{i % 10}"]
        facts["scids"] = list(dict.fromkeys(scids))
        application = (data.get("documents") or {}).get("application")
        if application is not None:
            application["scid_choices"] = [scids[0], scids[1], f"Y{letters}{(i + 1) % 10}"]
        out.append(data)
    return out


def write_synthetic(folder: Path, n: int, seed: int = 0) -> list[Path]:
    """Write `n` synthetic sheets as YAML files into `folder`; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, data in enumerate(synthetic_records(n, seed)):
        p = folder / f"applicant-{i + 1:05d}.yaml"
        p.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        paths.append(p)
    return paths
