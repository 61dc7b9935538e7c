"""Ctrl-C that waits for the current piece of work: asked for once, it is noted; twice, it stops.

A batch checks `requested` between packets, so the packet being written when the user presses
Ctrl-C is finished and recorded, never left on disk but missing from the report. Signals reach only
the main thread: elsewhere (a batch run by the web workspace's worker thread) nothing changes.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any


class DeferredInterrupt:
    """Whether Ctrl-C was pressed while the work ran."""

    def __init__(self) -> None:
        self.requested = False

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:  # pressed again: the user does not want to wait
            raise KeyboardInterrupt
        self.requested = True


@contextmanager
def deferred_interrupt() -> Iterator[DeferredInterrupt]:
    """Note Ctrl-C instead of raising it while the block runs; the previous handler comes back after."""
    state = DeferredInterrupt()
    previous: Any = None
    installed = False
    if threading.current_thread() is threading.main_thread():
        try:
            previous = signal.signal(signal.SIGINT, state.handle)
            installed = True
        except (ValueError, OSError):  # an embedding program that does not allow it
            installed = False
    try:
        yield state
    finally:
        if installed:
            signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)
