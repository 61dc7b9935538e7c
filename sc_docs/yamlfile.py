"""Read the YAML files sc-docs ships and reads often (catalog metadata, field and cell maps,
requirements) with libyaml when PyYAML has it.

PyYAML's pure-Python parser takes about ten times as long as libyaml: on a one-sheet packet it
was a fifth of the time spent outside imports. Both build the same objects (the same safe
constructor); a text libyaml refuses is parsed again by the Python parser, so what a broken file
says in its error message is exactly what it said before.
"""

from __future__ import annotations

from typing import Any

import yaml

_FAST: Any = getattr(yaml, "CSafeLoader", None)


def safe_load(text: str) -> Any:
    """Return the data of the YAML document `text`, as `yaml.safe_load` would."""
    if _FAST is not None:
        try:
            return yaml.load(text, Loader=_FAST)  # noqa: S506 - CSafeLoader is the safe loader
        except yaml.YAMLError:
            pass  # the Python parser words the error (with its snippet) as users have seen it
    return yaml.safe_load(text)
