"""The sandbox's shortcut for `a.b` on a plain dict answers exactly as Jinja's sandbox does."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from jinja2 import Undefined
from jinja2.sandbox import SandboxedEnvironment

from sc_docs.engines.docx import make_environment

NAMES = st.one_of(
    st.sampled_from(sorted(dir(dict)) + ["name", "legal_name", "x", "__class__", "mro", "format"]),
    st.text(min_size=1, max_size=12),
)


def _answer(value: Any) -> Any:
    """What a lookup gave, comparable across two environments (Undefined by its hint)."""
    if isinstance(value, Undefined):
        return ("undefined", value._undefined_name, type(value).__name__)
    if callable(value):
        return ("callable", getattr(value, "__name__", type(value).__name__))
    return ("value", value)


@given(keys=st.dictionaries(NAMES, st.integers() | st.text(max_size=5), max_size=6), attribute=NAMES,
       container=st.sampled_from([dict, OrderedDict]))
def test_dict_attribute_lookup_matches_jinja_sandbox(keys: dict[str, Any], attribute: str, container: type) -> None:
    env = make_environment()
    obj = container(keys)
    ours = env.getattr(obj, attribute)
    theirs = SandboxedEnvironment.getattr(env, obj, attribute)
    assert _answer(ours) == _answer(theirs)


def test_a_key_named_like_a_dict_method_is_the_method_as_in_jinja() -> None:
    env = make_environment()
    out = env.from_string("{{ d.name }}|{{ d['items'] }}|{{ d.items() | list | length }}").render(
        d={"name": "Acme & Co", "items": "kept"}
    )
    assert out == "Acme &amp; Co|kept|2"
