"""A short sheet is composed without the separate event pass; it must load exactly as the checked
path loads it: the same data and lines, and the same first error, worded the same way."""

from __future__ import annotations

import pytest

from sc_docs.errors import SheetError
from sc_docs.sheets import yaml_source
from tests.conftest import SAMPLES


def _nested(levels: int, inner: str = "[]") -> str:
    return "a: " + "[" * (levels - 1) + inner + "]" * (levels - 1) + "\n"


CASES = {
    "sample": SAMPLES[0].read_text(encoding="utf-8"),
    "depth 38": _nested(38),
    "depth 39": _nested(39),
    "depth 40": _nested(40),
    "depth 41, innermost empty": _nested(41),
    "depth 41 block": "a:\n" + "".join("  " * i + "- \n" for i in range(40)) + "  " * 40 + "- x\n",
    "alias then a syntax error": "a: *nowhere\nb: 1\nc: [\n",
    "custom tag then too deep": "a: !tag 1\nb: " + "[" * 45 + "]" * 45 + "\n",
    "duplicate key then too deep": "a: 1\na: 2\nb: " + "[" * 45 + "]" * 45 + "\n",
    "alias nested past the limit": "x: &x " + "[" * 30 + "1" + "]" * 30 + "\ny: " + "[" * 15 + "*x" + "]" * 15 + "\n",
    "merge key": "a: &a {b: 1}\nc:\n  <<: *a\n",
    "nan": "a: .nan\n",
    "huge int": "a: " + "9" * 5000 + "\n",
    "control character": "a: b\x01c\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "empty": "",
}


def _outcome(text: str) -> object:
    try:
        return yaml_source.parse_yaml(text, "s.yaml")
    except SheetError as exc:
        return ("error", exc.format_message())


@pytest.mark.parametrize("name", list(CASES))
def test_short_path_loads_as_the_checked_path(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    short = _outcome(CASES[name])
    monkeypatch.setattr(yaml_source, "_SHORT", -1)  # every text takes the checked path
    assert short == _outcome(CASES[name])


def test_the_short_path_is_taken_where_libyaml_limits_nesting() -> None:
    import yaml

    if getattr(yaml, "CSafeLoader", None) is None:
        pytest.skip("PyYAML without libyaml")
    assert yaml_source._composer_limited() == (yaml._yaml.get_version() >= (0, 2, 5))  # type: ignore[attr-defined]
