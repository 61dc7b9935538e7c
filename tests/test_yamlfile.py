"""`yamlfile.safe_load` reads the shipped YAML as `yaml.safe_load` does, errors included."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sc_docs import yamlfile
from sc_docs.paths import pro_forma_dir

SHIPPED = sorted(pro_forma_dir().rglob("*.yaml")) + sorted((Path(__file__).parent.parent / "info_sheets").rglob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name if p.parent.name == "pro_forma" else f"{p.parent.name}/{p.name}" for p in SHIPPED])
def test_the_same_data_as_the_python_parser(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert yamlfile.safe_load(text) == yaml.safe_load(text)


@pytest.mark.parametrize(
    "text",
    ["version: '1'\nrequirements: [\n", "a: 1\n b: 2\n", "key: [unclosed\n", "- a\nb: c\n", "x: !!python/object:os.system ls\n"],
    ids=["open-list", "indent", "unclosed", "mixed", "unsafe-tag"],
)
def test_a_broken_text_fails_with_the_python_parsers_words(text: str) -> None:
    with pytest.raises(yaml.YAMLError) as expected:
        yaml.safe_load(text)
    with pytest.raises(yaml.YAMLError) as got:
        yamlfile.safe_load(text)
    assert str(got.value) == str(expected.value)


def test_the_c_parser_is_used_when_present() -> None:
    if not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("PyYAML built without libyaml")
    calls = []

    class Spy(yaml.CSafeLoader):  # type: ignore[misc, name-defined]
        def __init__(self, stream: str) -> None:
            calls.append(stream)
            super().__init__(stream)

    saved, yamlfile._FAST = yamlfile._FAST, Spy
    try:
        assert yamlfile.safe_load("a: [1, 2]\n") == {"a": [1, 2]}
    finally:
        yamlfile._FAST = saved
    assert calls == ["a: [1, 2]\n"]
