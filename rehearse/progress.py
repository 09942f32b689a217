"""Live progress of a long phase: elapsed time, the engine's percentage where it reports one,
and what the history expects; on a terminal a live bar, in CI logs a line a minute."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from rehearse.console import Terminal

INTERVAL = 60.0  # CI logs: one line a minute


def clock(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def remaining(elapsed: float, expected: float | None, percent: float | None) -> str:
    """The engine's percentage first (it knows this backup), else the history's usual time."""
    if percent is not None and 0 < percent < 100:
        return f"about {clock(elapsed / percent * (100 - percent))} left"
    if expected is None:
        return ""
    if elapsed <= expected:
        return f"about {clock(expected - elapsed)} left (usually {clock(expected)})"
    return f"{clock(elapsed - expected)} longer than usual ({clock(expected)})"


def line(label: str, elapsed: float, expected: float | None, percent: float | None) -> str:
    parts = [f"{label}: {clock(elapsed)} elapsed"]
    if percent is not None:
        parts.append(f"{percent:.0f}%")
    parts.append(remaining(elapsed, expected, percent))
    return "    … " + ", ".join(part for part in parts if part)


@contextmanager
def progress(out: Terminal, label: str, expected: float | None) -> Iterator[None]:
    """While the block runs: `out.percent(p)` moves the bar; the rest happens by itself."""
    console = out.live_console()
    shown = _bar(console, label, expected) if console else _ticker(out.status, label, expected)
    with shown as on_percent:
        out.on_percent = on_percent
        try:
            yield
        finally:
            out.on_percent = None


class _Remaining(ProgressColumn):
    def render(self, task: Task) -> Text:
        percent = task.percentage if task.total else None
        return Text(remaining(task.elapsed or 0.0, task.fields.get("expected"), percent),
                    style="dim")


@contextmanager
def _bar(console: Console, label: str,
         expected: float | None) -> Iterator[Callable[[float], None]]:
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               TaskProgressColumn(), TimeElapsedColumn(), _Remaining())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=None, expected=expected)
        yield lambda percent: bar.update(task, total=100, completed=percent)


@contextmanager
def _ticker(emit: Callable[[str], None], label: str, expected: float | None,
            interval: float = INTERVAL) -> Iterator[Callable[[float], None]]:
    started, stop = time.monotonic(), threading.Event()
    latest: list[float] = []

    def tick() -> None:
        while not stop.wait(interval):
            emit(line(label, time.monotonic() - started, expected,
                      latest[-1] if latest else None))

    thread = threading.Thread(target=tick, name=f"progress {label}", daemon=True)
    thread.start()
    try:
        yield latest.append
    finally:
        stop.set()
        thread.join()
