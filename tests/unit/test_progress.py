"""Progress of long phases: the engine's percentage or the history's usual time, and a line a
minute where no terminal shows a live bar (CI logs)."""

from __future__ import annotations

import time

import pytest

from rehearse.console import Terminal
from rehearse.progress import _ticker, line, progress, remaining


@pytest.mark.parametrize(
    ("elapsed", "expected", "percent", "text"),
    [(60, None, 25, "about 3 min 00 s left"),
     (60, 300, None, "about 4 min 00 s left (usually 5 min 00 s)"),
     (400, 300, None, "1 min 40 s longer than usual (5 min 00 s)"),
     (60, 300, 50, "about 1 min 00 s left"),  # the engine knows this backup better
     (60, None, None, ""), (60, None, 0, ""), (60, None, 100, "")],
)
def test_remaining(elapsed: float, expected: float | None, percent: float | None,
                   text: str) -> None:
    assert remaining(elapsed, expected, percent) == text


def test_a_line_says_elapsed_percent_and_what_is_left() -> None:
    assert line("restore", 125, None, 40) == (
        "    … restore: 2 min 05 s elapsed, 40%, about 3 min 08 s left")
    assert line("upgrade", 9, None, None) == "    … upgrade: 9 s elapsed"


def test_without_a_terminal_a_line_comes_every_interval_with_the_latest_percent() -> None:
    lines: list[str] = []
    with _ticker(lines.append, "restore", 600.0, interval=0.05) as on_percent:
        on_percent(30.0)
        time.sleep(0.18)
    count = len(lines)
    time.sleep(0.1)
    assert count >= 2 and len(lines) == count  # it stops with the block
    assert lines[-1].startswith("    … restore: 0 s elapsed, 30%, about 0 s left")


def test_percent_reaches_the_active_progress_and_is_printed_without_a_terminal(
        capsys: pytest.CaptureFixture[str]) -> None:
    out = Terminal()
    seen: list[float] = []
    with progress(out, "restore", None):
        assert out.live_console() is None  # pytest's stderr is no terminal
        out.on_percent = seen.append  # what the ticker installed, observed
        out.percent("restored", 55)
    assert seen == [55] and out.on_percent is None
    assert "restored 55%" in capsys.readouterr().err
