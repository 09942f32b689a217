"""The run log: every phase, and the traceback of anything that went wrong, in the report
folder (the terminal shows tracebacks only with --debug). Redacted like everything else."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

FILE = "rehearse.log"
_STEPS = logging.getLogger("rehearse.steps")  # each step's seconds: where a phase's time goes


class _Redacting(logging.Formatter):
    def __init__(self, redact: Callable[[str], str]) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self._redact(super().format(record))


@contextmanager
def run_log(folder: Path, redact: Callable[[str], str]) -> Iterator[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILE
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(_Redacting(redact))
    logger = logging.getLogger("rehearse")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield path
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
        handler.close()


@contextmanager
def timed(step: str) -> Iterator[None]:
    """`step` and its seconds in the run log (debug), whether it ends or fails."""
    started = time.monotonic()
    try:
        yield
    finally:
        took(step, time.monotonic() - started)


def took(step: str, seconds: float) -> None:
    _STEPS.debug("%s took %.2f s", step, seconds)
