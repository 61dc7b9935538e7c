"""Silence pypdf while the engine reads and writes: problems are reported by the engine itself."""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence pypdf's warnings and log output for the duration (we report problems ourselves).

    pypdf names its loggers when it first logs, so the level is set on their parent ("pypdf");
    setting a level clears every logger's cache, so nothing is set when it is already silent.
    """
    logger = logging.getLogger("pypdf")
    level = logger.level
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if level >= logging.CRITICAL:
            yield
            return
        logger.setLevel(logging.CRITICAL)
        try:
            yield
        finally:
            logger.setLevel(level)
