"""Layout properties of text appearances: wrapping loses nothing, and nothing is drawn below the
floor or outside the box."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sc_docs.engines.pdf._appear import LEADING, PAD, Style, layout_text, wrap
from sc_docs.engines.pdf._font import StandardFont

FONT = StandardFont("Helvetica")
TEXT = st.text(st.sampled_from("abc XYZ ÅÉé-.,\n"), max_size=300)


@settings(max_examples=200, deadline=None)
@given(TEXT, st.floats(20, 400), st.floats(6, 14))
def test_wrapping_keeps_every_character_and_the_width(text: str, width: float, size: float) -> None:
    lines = wrap(text, FONT, size, width)
    assert "".join(lines).replace(" ", "") == text.replace("\n", "").replace(" ", "")
    for line in lines:
        assert FONT.width(line, size) <= width + 1e-6 or len(line.replace(" ", "")) <= 1


@settings(max_examples=200, deadline=None)
@given(TEXT, st.floats(20, 400), st.floats(8, 120), st.booleans(), st.sampled_from([0.0, 10.0, 18.0]))
def test_a_layout_fits_its_box_at_the_floor_or_above(text: str, width: float, height: float, multiline: bool,
                                                     size: float) -> None:
    placed = layout_text(text, width, height, FONT, Style(size=size), multiline=multiline, floor=6.0)
    if placed is None:
        return
    chosen, lines = placed
    assert chosen >= 6.0
    inner_w, inner_h = width - 2 * PAD, height - 2 * PAD
    span = FONT.ascent - FONT.descent
    assert chosen * span + (len(lines) - 1) * chosen * LEADING <= inner_h + 1e-6
    assert all(FONT.width(line, chosen) <= inner_w + 1e-6 or len(line.strip()) <= 1 for line in lines)
