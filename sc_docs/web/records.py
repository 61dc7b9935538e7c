"""Write applicant records as YAML the CLI reads back unchanged, keeping the user's comments.

The web edits records that people also edit by hand, so a save changes only the values that
changed: the file is loaded as a round-trip tree (comments, key order, flow lists and quoting
kept), updated in place, dumped, and read back with the CLI's own reader to prove that the file
now holds exactly the intended data.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from sc_docs.errors import ScDocsError

HEADER = "# SC applicant record, written by sc-docs serve.\n"


def _yaml() -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.resolver import VersionedResolver

    class Yaml11Resolver(VersionedResolver):  # type: ignore[misc]
        """Quote what YAML 1.1 (PyYAML, the CLI's reader) would not read back as text: `yes`, `on`, `08`."""

        def __init__(self, version: Any = None, loader: Any = None, **_: Any) -> None:
            super().__init__(version=(1, 1), loader=loader)

    yaml = YAML(typ="rt")
    yaml.Resolver = Yaml11Resolver
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long legal name over two lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def dump_new(data: dict[str, Any]) -> bytes:
    """Return `data` as a fresh YAML record file."""
    out = io.StringIO()
    _yaml().dump(data, out)
    text = HEADER + out.getvalue()
    return _checked(text, data)


def update_text(original: str, data: dict[str, Any]) -> bytes:
    """Return `original` (YAML text) changed to hold `data`, its comments and layout kept."""
    yaml = _yaml()
    try:
        tree = yaml.load(original)
    except Exception:  # ruamel raises many types; an unparsable file is rewritten whole
        tree = None
    if not isinstance(tree, dict):
        return dump_new(data)
    _update(tree, data)
    out = io.StringIO()
    yaml.dump(tree, out)
    return _checked(out.getvalue(), data)


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, dt.date) and isinstance(new, str):
        return old.isoformat() == new
    if isinstance(old, bool) != isinstance(new, bool):
        return False
    return type(old) is type(new) and old == new or (isinstance(old, str) and isinstance(new, str) and str(old) == new)


def _update(node: Any, new: Any) -> Any:
    """Update container `node` in place to equal `new`; return the value to store."""
    if isinstance(node, dict) and isinstance(new, dict):
        for key in [k for k in node if k not in new]:
            del node[key]
        for key, value in new.items():
            if key in node:
                node[key] = _update(node[key], value)
            else:
                node[key] = value
        return node
    if isinstance(node, list) and isinstance(new, list):
        del node[len(new):]
        for i, value in enumerate(new):
            if i < len(node):
                node[i] = _update(node[i], value)
            else:
                node.append(value)
        return node
    return node if _same(node, new) else new


def _checked(text: str, data: dict[str, Any]) -> bytes:
    """Read `text` back as the CLI does; refuse to write a file that would not give `data`."""
    from sc_docs.sheets.loader import parse_sheet

    raw = text.encode("utf-8")
    back, _ = parse_sheet(raw, "record.yaml", "yaml")
    if back != data:
        raise ScDocsError("internal error: the YAML written would not read back as the values entered; nothing saved")
    return raw
