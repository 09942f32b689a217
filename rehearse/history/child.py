"""The run history, read and written by child processes (`python -m rehearse.history.child`, a
pickled question on stdin, a pickled answer on stdout): a rehearsal never loads the history's
database library (SQLAlchemy and Alembic, ~25 MiB) itself, so its peak memory stays under
100 MiB (issue 17 §4). Parent and child are the same program: pickle carries the records."""

from __future__ import annotations

import pickle
import subprocess
import sys
from dataclasses import dataclass, field
from statistics import median

from rehearse.errors import RehearseError
from rehearse.history.records import PHASE, RunRecord

NO_ANSWER = "the history's child process did not answer"


@dataclass(frozen=True)
class Past:
    """A store's newest runs, newest first, or why they could not be read."""

    url: str  # the history's URL: the scenario's, REHEARSE_HISTORY_URL's or the default
    shown: str  # the URL without its password
    runs: list[RunRecord] = field(default_factory=list)
    error: str = ""


class Reading:
    """The store's newest runs, read by a child started now (it loads its library while the
    rehearsal goes on); `past` waits for its answer."""

    def __init__(self, url: str | None, store: str, last: int) -> None:
        self._child = _started()
        self._question = ("read", url, store, last)  # the URL's password never on a command line
        self._past: Past | None = None

    def past(self) -> Past:
        if self._past is None:
            answer = _answer(self._child, self._question)
            self._past = answer if isinstance(answer, Past) else Past("", "", [], NO_ANSWER)
        return self._past


def record(url: str, run: RunRecord) -> str:
    """Keep `run` in the history at `url`: what went wrong, or ''."""
    answer = _answer(_started(), ("record", url, run))
    return answer if isinstance(answer, str) else NO_ANSWER


def medians(past: list[RunRecord], last: int) -> dict[str, float]:
    """The median time of each phase over the `last` passing runs among `past`."""
    passing = [r.seconds_of(PHASE) for r in past if r.passed][:last]
    names = {name for phases in passing for name in phases}
    return {n: median([p[n] for p in passing if n in p]) for n in names}


def _started() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)


def _answer(child: subprocess.Popen[bytes], question: tuple[object, ...]) -> object:
    answer, _ = child.communicate(pickle.dumps(question))
    return pickle.loads(answer) if child.returncode == 0 and answer else None


def _read(url: str | None, store: str, last: int) -> Past:
    from rehearse.history.database import history_url, opened, shown

    found = history_url(url)
    try:
        with opened(found) as history:
            # Enough of the newest runs to find `last` passing ones among them, most nights.
            return Past(found, shown(found), history.runs(store, last=max(3 * last, 30)))
    except RehearseError as error:
        return Past(found, shown(found), [], error.message)


def _record(url: str, run: RunRecord) -> str:
    from rehearse.history.database import opened

    try:
        with opened(url) as history:
            history.record(run)
    except RehearseError as error:
        return error.message
    return ""


def main() -> None:
    import rehearse.history.database  # noqa: F401 - the slow part, before the question comes

    kind, *question = pickle.loads(sys.stdin.buffer.read())
    answer = _read(*question) if kind == "read" else _record(*question)
    sys.stdout.buffer.write(pickle.dumps(answer))


if __name__ == "__main__":
    from rehearse.history import child  # Past pickled under its importable name, not __main__

    child.main()
