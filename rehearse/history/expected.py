"""Each phase's usual time for one store, read by a child process (`python -m
rehearse.history.expected`, a JSON question on stdin and the answer on stdout): a rehearsal
asks at its start but loads the history's database library (SQLAlchemy and Alembic, ~20 MiB)
only at its end, to record the run, so its peak memory stays under 100 MiB (issue 17 §4)."""

from __future__ import annotations

import json
import subprocess
import sys
from statistics import median

from rehearse.errors import RehearseError
from rehearse.history.records import PHASE, RunRecord

TIMEOUT = 30.0  # a history that does not answer in time only costs the progress its estimate


class Expected:
    """The child's answer, asked for by `answer`: it loads its library meanwhile. Empty when
    the history cannot be read (said after the run, where the history is compared)."""

    def __init__(self, url: str | None, store: str, last: int) -> None:
        self._child = subprocess.Popen(
            [sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True)
        # On stdin, not the command line, where any user could read the URL's password.
        self._question = json.dumps({"url": url, "store": store, "last": last})
        self._found: dict[str, float] | None = None

    def answer(self) -> dict[str, float]:
        if self._found is None:
            try:
                answer, _ = self._child.communicate(self._question, timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self._child.kill()
                answer = ""
            self._found = json.loads(answer) if self._child.wait() == 0 else {}
        return self._found


def medians(past: list[RunRecord], last: int) -> dict[str, float]:
    """The median time of each phase over the `last` passing runs among `past`."""
    passing = [r.seconds_of(PHASE) for r in past if r.passed][:last]
    names = {name for phases in passing for name in phases}
    return {n: median([p[n] for p in passing if n in p]) for n in names}


def recent(url: str, store: str, last: int) -> list[RunRecord]:
    """Enough of the newest runs to find `last` passing ones among them, most nights."""
    from rehearse.history.database import opened

    with opened(url) as history:
        return history.runs(store, last=max(3 * last, 30))


def main() -> int:
    from rehearse.history.database import history_url  # before the question comes: the slow part

    question = json.loads(sys.stdin.read())
    try:
        past = recent(history_url(question["url"]), str(question["store"]), question["last"])
    except RehearseError:
        return 1
    print(json.dumps(medians(past, question["last"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
