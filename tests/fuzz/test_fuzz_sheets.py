"""The fuzz target, driven by hypothesis inside the normal suite (bounded to well under a minute).

Inputs are raw bytes, and mutations of the bundled samples (bytes flipped, inserted, cut), which
reach the validator far more often than random bytes do. Every example goes through
`tests.fuzz.fuzz_sheets.one_input`, the function atheris runs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SAMPLES
from tests.fuzz.fuzz_sheets import FORMATS, one_input


def _seeds() -> list[bytes]:
    from sc_docs.sheets.xlsx_source import write_xlsx

    out = []
    for sample in SAMPLES[:3]:
        text = sample.read_bytes()
        data = yaml.safe_load(text)
        out += [b"\x00" + text, b"\x01" + json.dumps(data, indent=1).encode(), b"\x02" + write_xlsx(data)]
    return out


SEEDS = _seeds()


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 8))):
        if len(data) < 2:
            break
        op = draw(st.sampled_from(["flip", "insert", "cut", "splice"]))
        at = draw(st.integers(1, len(data) - 1))
        if op == "flip":
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=12) | st.sampled_from(
                [b"\x07", b"\\u0000", b"\\ud800", b"[[[[[[[[", b"&a", b"*a", b"!!python/object ", b"\xff\xfe", b"NaN", b"_x0007_"]))
        elif op == "cut":
            del data[at:at + draw(st.integers(1, 64))]
        else:
            data = data[:at] + data[at:][::-1] if draw(st.booleans()) else data[:at] + data[:at]
    return bytes(data)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3_000) | mutated())
def test_loader_and_validator_raise_only_sc_docs_errors(data: bytes) -> None:
    one_input(data)


def test_format_byte_reaches_every_parser() -> None:
    assert [FORMATS[b % len(FORMATS)] for b in (0, 1, 2)] == ["yaml", "json", "xlsx"]
    for seed in SEEDS:
        one_input(seed)


REGRESSIONS = sorted((Path(__file__).parent / "regressions").glob("*.bin"))


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.stem for p in REGRESSIONS])
def test_inputs_the_fuzzer_once_broke_on(path: Path) -> None:
    """Inputs atheris found (format byte first): each escaped as a non-sc-docs error once."""
    one_input(path.read_bytes())
