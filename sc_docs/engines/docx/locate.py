"""Say where in the original document a compile or render problem is: part, paragraph, text.

Jinja reports lines of the generated source, which has one line per paragraph of the part; the
line map ties each line back to the paragraph that starts it, so a message can quote the text
the user sees in Word around the failing tag. All of this runs only on failure.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any, Final

import jinja2
import jinja2.sandbox

from .environment import ValueProblem
from .paths import UNDEFINED_NAME, last_name, lookup, resolves, suggest

_XML_TAG: Final = re.compile(r"<[^>]*>")


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a part's Jinja source: where it starts in the original document."""

    paragraph: int | None  # 1-based paragraph number in the part, if known
    own: str  # text of the paragraph that starts the line
    rest: str  # text of what follows it on the line (tags of removed paragraphs, rows)


def _norm(text: str) -> str:
    text = text.translate({0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"'})
    text = re.sub(r"([{%])(?:tr|tc|p|r)\s", r"\1 ", text)
    return re.sub(r"\s+", "", text)


def line_map(source: str, original: list[str]) -> list[Line]:
    """Map each line of the Jinja source to a paragraph of the original part, in order."""
    wanted = [_norm(t) for t in original]
    lines = [Line(None, "", "")]
    j = 0
    for chunk in source.split("\n")[1:]:
        end = chunk.find("</w:p>")
        own_xml, rest_xml = (chunk, "") if end < 0 else (chunk[: end + 6], chunk[end + 6 :])
        own = html.unescape(_XML_TAG.sub("", own_xml))
        rest = html.unescape(_XML_TAG.sub("", rest_xml))
        key = _norm(own)
        found = next((k for k in range(j, len(wanted)) if wanted[k] == key), None)
        if found is None and key:
            # docxtpl joins paragraphs when a tag is left open: match on the first of them.
            found = next(
                (k for k in range(j, len(wanted)) if wanted[k] and key.startswith(wanted[k])), None
            )
        if found is not None:
            j = found + 1
            lines.append(Line(found + 1, own, rest))
        else:
            lines.append(Line(None, own, rest))
    return lines


def snippet(text: str, needle: str | None, width: int = 60) -> str:
    text = " ".join(text.split())
    at = text.find(needle) if needle else -1
    if at < 0:
        return text if len(text) <= 2 * width else text[: 2 * width] + " ..."
    start = max(0, at - width)
    end = min(len(text), at + len(needle or "") + width)
    return ("... " if start else "") + text[start:end] + (" ..." if end < len(text) else "")


def _needle_pattern(needle: str) -> re.Pattern[str]:
    return re.compile(r"\{[{%][^{}]*?" + re.escape(needle) + r"[^{}]*?[}%]\}")


def tag_containing(text: str, needle: str | None) -> str | None:
    """Return the tag in `text` mentioning `needle` (to centre the snippet on it)."""
    if not needle:
        return None
    found = _needle_pattern(needle).search(" ".join(text.split()))
    return found.group() if found else needle




def syntax_location(exc: jinja2.TemplateSyntaxError, source: str) -> tuple[int | None, str | None]:
    """Return the line and a word to look for; for a missing end tag, the unclosed block's."""
    if "Unexpected end of template" in (exc.message or ""):
        opened = _unclosed_block(source)
        if opened is not None:
            return opened
    m = re.search(r"'([^']+)'", exc.message or "")
    return exc.lineno, (m.group(1) if m else None)


_BLOCK_TAG: Final = re.compile(r"\{%[-+]?\s*(\w+)([^%]*)")
_OPENERS: Final = {"for", "if", "macro", "call", "filter", "with", "raw", "autoescape", "block", "set"}


def _unclosed_block(source: str) -> tuple[int, str] | None:
    """Return `(line, keyword)` of the innermost block tag that is never closed."""
    stack: list[tuple[int, str]] = []
    for m in _BLOCK_TAG.finditer(source):
        word = m.group(1)
        if word == "set" and "=" in m.group(2):
            continue
        if word in _OPENERS:
            stack.append((source.count("\n", 0, m.start()) + 1, word))
        elif word.startswith("end") and stack and stack[-1][1] == word[3:]:
            stack.pop()
    return stack[-1] if stack else None


def where(part: str, lines: list[Line], lineno: int | None, needle: str | None) -> str:
    """Return `part, paragraph N: "...text...": ` for a source line, or just `part: `."""
    if lineno is None or not 1 <= lineno <= len(lines):
        return f"{part}: "
    line = lines[lineno - 1]
    text, number = line.own, line.paragraph
    if needle and needle not in line.own and needle in line.rest:
        # The tag came from a paragraph docxtpl folded away ({%p %}, {%tr %}): it follows.
        text = line.rest
        number = number + 1 if number is not None else None
    elif not needle and not line.own.strip():
        text = line.rest
    label = f"{part}, paragraph {number}" if number else f"{part}"
    quoted = snippet(text, tag_containing(text, needle))
    return f"{label}: " + (f"{quoted!r}: " if quoted else "")


def explain(exc: BaseException, context: Any, candidates: list[str]) -> tuple[str | None, str]:
    """Return `(needle, message)` for a render failure; `candidates` are the paths read on the
    failing line, `needle` the word to centre the quoted text on."""
    needle: str | None = None
    if isinstance(exc, jinja2.UndefinedError):
        m = UNDEFINED_NAME.search(str(exc))
        name = (m.group("a") or m.group("b")) if m else None
        missing = [p for p in candidates if not resolves(context, p)]
        named = [p for p in missing if name and last_name(p) == name]
        path = (named or missing or [name or "?"])[0]
        needle = last_name(path) if path != "?" else name
        return needle, f"undefined variable {path!r}{suggest(context, path)}"
    if isinstance(exc, ValueProblem):
        culprits = [
            p
            for p in candidates
            if any(
                v is exc.value or (isinstance(v, str) and v == exc.value)
                for v in lookup(context, p)
            )
        ]
        culprit = culprits[0] if culprits else None
        needle = last_name(culprit) if culprit else None
        what = f"value of {culprit!r} {exc.reason}" if culprit else f"a value {exc.reason}"
        if exc.value is not None and exc.show:
            what += f": {str(exc.value)[:60]!r}"
        return needle, what
    if isinstance(exc, jinja2.sandbox.SecurityError):
        return None, f"refused by the sandbox: {exc}"
    if isinstance(exc, jinja2.TemplateError):
        return None, str(exc.message or exc)
    return None, f"{type(exc).__name__}: {exc}"
