"""Write the catalog's `documents` section into schemas/applicant.schema.json.

sc-docs composes the record schema from the catalog at run time; the file on disk carries the same
composition so editors that validate sheets against it see every document. Run after adding a
catalog entry: `python -m tools.compose_schema` (a test fails while the file is stale).
"""

from __future__ import annotations

import json

from sc_docs.catalog import load_catalog
from sc_docs.paths import schemas_dir
from sc_docs.sheets.schema import DOCUMENTS, ROOT


def composed() -> str:
    """Return the text applicant.schema.json should have."""
    root = load_catalog().schemas.files[ROOT]
    return json.dumps(root, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    path = schemas_dir() / ROOT
    path.write_text(composed(), encoding="utf-8")
    print(f"wrote {path} ({len(load_catalog().schemas.files[ROOT]['properties'][DOCUMENTS]['properties'])} documents)")


if __name__ == "__main__":
    main()
