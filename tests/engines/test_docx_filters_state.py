"""The `state_name` filter: postal codes to the names a preamble prints."""

from __future__ import annotations

import pytest

from sc_docs.engines.docx._filters import state_name


@pytest.mark.parametrize(("code", "name"), [("CA", "California"), ("de", "Delaware"), ("DC", "the District of Columbia"), ("PR", "Puerto Rico"), ("ZZ", "ZZ")])
def test_state_name(code: str, name: str) -> None:
    assert state_name(code) == name
