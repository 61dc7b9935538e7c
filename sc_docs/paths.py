"""Where the bundled data lives: beside the package in a checkout, inside it in a wheel."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """Return the folder `name` (`schemas`, `pro_forma`, `info_sheets`) of the bundled data."""
    for candidate in (_PACKAGE.parent / name, _PACKAGE / "_data" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled data folder {name!r} not found beside {_PACKAGE}")


def schemas_dir() -> Path:
    return data_dir("schemas")


def pro_forma_dir() -> Path:
    return data_dir("pro_forma")
