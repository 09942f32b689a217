"""Ctrl-C and SIGTERM held back while rehearse cleans up or writes its reports."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from rehearse.errors import Terminated


@contextmanager
def shielded() -> Iterator[None]:
    """Finish the block, then act on any Ctrl-C or SIGTERM that came during it."""
    received: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        received.append(signum)

    previous = {sig: signal.signal(sig, hold) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if signal.SIGTERM in received:
        raise Terminated()
    if received:
        raise KeyboardInterrupt()
