"""Propose a record path for a blank of an official document, from the words around it.

The words that name a CAISO value ("name of scheduling coordinator", "alternate representative")
live in `synonyms.yaml`; when none matches, the schema's own field names and descriptions are
tried. A blank that neither explains is reported as unmapped: nothing is guessed silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal

from sc_docs.sheets.schema import SchemaSet

SECTION = "section"  # target root of a field of the document's own section
Action = Literal["map", "keep", "unmapped"]

_STOP = frozenset(
    "a an and the of for to in on at by or is are be this that its it as with from any all each "
    "here please enter insert type your name's s mm dd yyyy yy us".split()
)


@dataclass(frozen=True)
class Hint:
    """The words around one blank: its own (bracket text, control or field name, tooltip), the
    label just before it, a caption just after it, and the text of nearby lines, nearest first."""

    own: str = ""
    label: str = ""
    caption: str = ""
    around: tuple[str, ...] = ()


@dataclass(frozen=True)
class Target:
    """A proposed value: `root` is `applicant` or `section`; `path` the steps below it."""

    root: str
    path: tuple[str | int, ...]
    schema: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    required: bool = field(default=False, compare=False)
    part: str = ""  # "city_state_zip": only those three of an address, on one line

    @property
    def dotted(self) -> str:
        from sc_docs import fieldpath

        return fieldpath.format([self.root, *self.path])


@dataclass(frozen=True)
class Proposal:
    """What to do with one blank: map it to `target`, keep it for a hand (a signature), or ask."""

    action: Action
    target: Target | None
    reason: str


def _norm(text: str) -> str:
    """Lower-case words with punctuation dropped: the form field phrases are matched in."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower().replace("e-mail", "email")).split())


def _light(text: str) -> str:
    """Lower-case, spaces collapsed, punctuation kept: the form role and keep phrases are matched in."""
    return " ".join(text.lower().split())


def _find(phrase: str, text: str) -> list[int]:
    """Return the end offsets of whole-word occurrences of `phrase` in `text`."""
    pattern = r"(?<![a-z0-9])" + re.escape(phrase) + r"(?![a-z0-9])"
    return [m.end() for m in re.finditer(pattern, text)]


@dataclass(frozen=True)
class Synonyms:
    """The vocabulary of `synonyms.yaml`, as phrase lists."""

    fields: tuple[tuple[str, str, str], ...]  # (phrase, root, dotted path below the root)
    roles: tuple[tuple[str, str], ...]  # (phrase, path of the role object under the record)
    role_fields: tuple[tuple[str, str], ...]  # (phrase, field name)
    keep: tuple[str, ...]


@cache
def load_synonyms(path: Path | None = None) -> Synonyms:
    """Read the vocabulary (default: the bundled `synonyms.yaml`)."""
    import yaml

    raw = yaml.safe_load((path or Path(__file__).with_name("synonyms.yaml")).read_text(encoding="utf-8"))
    fields = []
    for item in raw.get("fields", []):
        root, below = (SECTION, item["section"]) if "section" in item else ("applicant", item["path"].removeprefix("applicant."))
        fields += [(_norm(p), root, below) for p in item["phrases"]]
    roles = [(_light(p), role) for role, phrases in raw.get("roles", {}).items() for p in phrases]
    role_fields = [(_norm(p), name) for name, phrases in raw.get("role_fields", {}).items() for p in phrases]
    by_length = lambda pair: -len(pair[0])  # noqa: E731 - the longest phrase wins
    return Synonyms(
        tuple(sorted(fields, key=by_length)), tuple(roles), tuple(sorted(role_fields, key=by_length)),
        tuple(_light(p) for p in raw.get("keep", [])),
    )


class Proposer:
    """Proposes targets among the applicant section and one document section of a schema set.

    `section` is the name of the document's own section schema, or None for a new document: a
    section field is then taken from whichever document schema describes it (`section_fields`
    collects what a new schema must hold).
    """

    def __init__(self, schemas: SchemaSet, section: str | None, synonyms: Synonyms | None = None) -> None:
        self.schemas = schemas
        self.section = section
        self.words = synonyms or load_synonyms()
        self.section_fields: dict[str, dict[str, Any]] = {}

    # -- targets ------------------------------------------------------------------------------

    def target(self, root: str, path: tuple[str | int, ...]) -> Target | None:
        """Return the target at `path` below `root` if the schema describes it, else None."""
        if root == "applicant":
            schema = self.schemas.subschema(("applicant", *path))
            return None if schema is None else Target(root, path, schema, self._required(("applicant", *path)))
        name = str(path[0])
        if self.section is not None:
            schema = self.schemas.subschema(path, self.section)
            return None if schema is None else Target(root, path, schema, self._required(path, self.section))
        for file in sorted(self.schemas.files):
            if file.endswith(".schema.json") and file != "applicant.schema.json":
                top = self.schemas.files[file].get("properties", {})
                if name in top:
                    schema = self.schemas.subschema((name,), file)
                    if schema is not None:
                        self.section_fields[name] = self.schemas.inline_refs(top[name], file)
                        return Target(root, (name,), schema, False)
        return None

    def _required(self, path: tuple[str | int, ...], base: str | None = None) -> bool:
        """Whether every step of `path` is required, so a template may read it without a default."""
        schema, file = self.schemas.resolve(self.schemas.files[base or "applicant.schema.json"], base or "applicant.schema.json")
        for step in path:
            if isinstance(step, int) or step not in schema.get("required", []):
                return False
            schema, file = self.schemas.resolve(schema.get("properties", {})[step], file)
        return True

    def leaves(self) -> list[Target]:
        """Return every leaf the proposer may choose by name or description (applicant, then section)."""
        if not hasattr(self, "_leaves"):
            self._leaves = list(self._iter_leaves())
        return self._leaves

    def _iter_leaves(self) -> Iterator[Target]:
        for leaf in self.schemas.leaf_fields("applicant.schema.json"):
            parts = tuple(leaf.path.split("."))
            if parts[0] == "applicant" and "[]" not in leaf.path and len(parts) > 1:
                t = self.target("applicant", parts[1:])
                if t is not None:
                    yield t
        if self.section is not None:
            for leaf in self.schemas.leaf_fields(self.section):
                if "[]" not in leaf.path:
                    t = self.target(SECTION, tuple(leaf.path.split(".")))
                    if t is not None:
                        yield t

    # -- proposing ----------------------------------------------------------------------------

    def propose(self, hint: Hint) -> Proposal:
        """Return the proposal for one blank described by `hint`."""
        own, label = _norm(hint.own), _norm(" ".join(hint.label.split()[-7:]))
        caption = _norm(hint.caption) if hint.caption.strip().startswith("(") else ""
        short_label = _light(" ".join(hint.label.split()[-4:]))
        role_field = self._role_field(own) or self._role_field(label)
        named = self._by_name(own) or self._by_name(label)
        if named is not None:
            return Proposal("map", named, "the field's own name")
        # A phrase naming the value itself: in the blank, its label or a caption under it.
        for where, text in (("its own text", own), ("its label", label), ("its caption", caption)):
            found = self._field(text, specific_only=role_field is not None)
            if found:
                return found(where)
        if self._keeps(short_label) or self._keeps(_light(hint.own)):
            return Proposal("keep", None, f"a line signed or dated by hand ({hint.label.strip()[-30:] or hint.own})")
        if role_field:
            role, where = self._role(hint)
            if role == "applicant.signatory" and role_field[1] not in ("name", "title"):
                return Proposal("unmapped", None, f"'{role_field[0]}' in a signature block")
            if role:
                t = self._role_target(role, role_field[1], together=_city_state_zip(own) or _city_state_zip(label))
                if t is not None:
                    return Proposal("map", t, f"'{role_field[0]}' under '{where}'")
                return Proposal("unmapped", None, f"'{role_field[0]}' under '{where}', which this document's schema lacks")
            if _city_state_zip(own) or _city_state_zip(label):
                t = self._role_target("applicant.legal_address", "city", together=True)
                if t is not None:
                    return Proposal("map", t, "city, state and ZIP of the applicant's address")
            found = self._field(own, specific_only=False, only=role_field[0]) or self._field(label, specific_only=False, only=role_field[0])
            if found:
                return found("its label")
            return Proposal("unmapped", None, f"'{role_field[0]}' of whom? no representative or signatory nearby")
        if own or label:
            t = self._by_description(own + " " + label)
            if t is not None:
                return Proposal("map", t, "the schema's description of the field")
        words = (hint.own or hint.label).strip()
        return Proposal("unmapped", None, f"nothing known matches '{words[-40:]}'" if words else "no words around it")

    def _field(self, text: str, *, specific_only: bool, only: str | None = None) -> Any:
        """Return a maker of the proposal for the longest field phrase in `text`, or None."""
        if not text:
            return None
        role_words = {p for p, _ in self.words.role_fields}
        for phrase, root, below in self.words.fields:
            if (specific_only and phrase in role_words) or (only is not None and phrase != only):
                continue
            if _find(phrase, text):
                steps = tuple(below.split("."))
                index = _index_after(phrase, text) if steps[-1] in ("scids",) else None
                t = self.target(root, steps if index is None else (*steps, index))
                if t is not None:
                    return lambda where, t=t, phrase=phrase: Proposal("map", t, f"'{phrase}' in {where}")
        return None

    def _role_field(self, text: str) -> tuple[str, str] | None:
        for phrase, name in self.words.role_fields:
            if text and _find(phrase, text):
                return phrase, name
        return None

    def _keeps(self, text: str) -> bool:
        return any(_find(p, text) for p in self.words.keep)

    def _role(self, hint: Hint) -> tuple[str | None, str]:
        """Return the role whose phrase is nearest before the blank, and the phrase."""
        for text in (hint.own, hint.label, *hint.around):
            light = _light(text)
            best: tuple[int, str, str] | None = None
            for phrase, role in self.words.roles:
                for end in _find(phrase, light):
                    if best is None or end > best[0] or (end == best[0] and len(phrase) > len(best[2])):
                        best = (end, role, phrase)
            if best:
                return best[1], best[2]
        return None, ""

    def _role_target(self, role: str, name: str, together: bool = False) -> Target | None:
        """The field `name` of the person (or address) `role` names: `applicant.x` or `section.x`."""
        root, _, rest = role.partition(".")
        steps = tuple(rest.split("."))
        if name == "address" or together:
            whole = self.target(root, steps)
            if whole is None or not is_address(whole.schema):
                return None
            return replace(whole, part="city_state_zip") if together else whole
        return self.target(root, (*steps, name))

    def _by_name(self, text: str) -> Target | None:
        """Return the field whose own name (two words or more) the text spells out, e.g.
        "Scheduling agent legal name" -> scheduling_agent_name; None if none or two fit."""
        words = set(text.split())
        best: list[tuple[int, Target]] = []
        for t in self.leaves():
            name = set(" ".join(str(p) for p in t.path if isinstance(p, str)).replace("_", " ").split())
            if len(name) >= 2 and name <= words:
                best.append((len(name), t))
        best.sort(key=lambda b: -b[0])
        if not best or (len(best) > 1 and best[0][0] == best[1][0]):
            return None
        return best[0][1]

    def _by_description(self, text: str) -> Target | None:
        """Return the one field whose name and description hold every word of `text`, if any."""
        words = {w for w in _norm(text).split() if w not in _STOP and not w.isdigit()}
        if len(words) < 2:
            return None
        scored = []
        for t in self.leaves():
            vocab = set(_norm(" ".join(map(str, t.path)).replace("_", " ") + " " + str(t.schema.get("description", ""))).split())
            hits = len(words & vocab)
            if hits == len(words):
                name_hits = len(words & set(_norm(" ".join(map(str, t.path)).replace("_", " ")).split()))
                scored.append((name_hits, t))
        if not scored:
            return None
        scored.sort(key=lambda s: -s[0])
        if len(scored) > 1 and scored[0][0] == scored[1][0]:
            return None  # two fields fit equally: a person decides
        return scored[0][1]


def _city_state_zip(text: str) -> bool:
    """Whether `text` asks for at least two of city, state and ZIP in one blank."""
    return sum(bool(_find(w, text)) for w in ("city", "state", "zip")) >= 2


def _index_after(phrase: str, text: str) -> int | None:
    """Return the zero-based index a number after `phrase` asks for ("SCID 2" -> 1), or None."""
    m = re.search(r"(?<![a-z0-9])" + re.escape(phrase) + r"\s*(\d{1,2})(?![0-9])", text)
    return int(m.group(1)) - 1 if m and int(m.group(1)) > 0 else None


def is_address(schema: Mapping[str, Any]) -> bool:
    """Whether `schema` is an object with street, city, state and zip (an address or a contact)."""
    props = schema.get("properties", {})
    return schema.get("type") == "object" and all(k in props for k in ("street", "city", "state", "zip"))


def is_date(schema: Mapping[str, Any]) -> bool:
    return schema.get("format") == "date"


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
