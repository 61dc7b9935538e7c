"""Errors of the certification tracker, all `ScDocsError`s so the CLI reports them in one place."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import ClassVar

from sc_docs.errors import ScDocsError


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """Return ` Did you mean 'x'?` for the closest of `choices`, or an empty string."""
    options = sorted(choices)
    # People type the start of a long slug or key ("acme", "msa"): prefer a completion.
    near = [o for o in options if name and o.startswith(name.lower())][:1]
    near = near or difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return f" Did you mean '{near[0]}'?" if near else ""


class TrackerError(ScDocsError):
    """Root of the tracker's errors: bad input to a tracker command (exit 1)."""


class RequirementsFileError(TrackerError):
    """`requirements.yaml` is missing, unreadable or breaks its model."""


class UnknownApplicantError(TrackerError):
    """No applicant with that slug is registered."""

    def __init__(self, slug: str, known: Iterable[str]) -> None:
        super().__init__(f"no applicant '{slug}' in the tracker.{did_you_mean(slug, known)}")
        self.slug = slug


class UnknownRequirementError(TrackerError):
    """The requirement key is not in the requirements file."""

    def __init__(self, key: str, known: Iterable[str]) -> None:
        super().__init__(f"no requirement '{key}'.{did_you_mean(key, known)}")
        self.key = key


class DatabaseLockedError(TrackerError):
    """Another process held the database longer than the busy timeout."""


class DatabaseUnreadableError(TrackerError):
    """The file is not a tracker database (not SQLite, corrupt, or made by a newer sc-docs)."""

    exit_code: ClassVar[int] = 2
