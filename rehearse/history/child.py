"""The run history, read and written by child processes (`python -m rehearse.history.child`,
pickled questions on stdin, a pickled answer to each on stdout): a rehearsal never loads the
history's database library (SQLAlchemy and Alembic, ~25 MiB) itself, so its peak memory stays
under 100 MiB (issue 17 §4). Parent and child are the same program: pickle carries the records."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
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
    """The store's history for one rehearsal, kept by one child started now: it loads its
    library and reads the newest runs while the rehearsal goes on, then waits to record
    tonight's (no second child to start and load the library again at the end). `past` waits
    for its answer; `answered` says whether it would wait."""

    def __init__(self, url: str | None, store: str, last: int) -> None:
        self._child = _started()
        _ask(self._child, ("read", url, store, last))  # its password never on a command line
        reader = ThreadPoolExecutor(1, thread_name_prefix="history")
        self._answer = reader.submit(_load, self._child)
        reader.shutdown(wait=False)
        self._past: Past | None = None

    def answered(self) -> bool:
        return self._answer.done()

    def past(self) -> Past:
        if self._past is None:
            answer = self._answer.result()
            self._past = answer if isinstance(answer, Past) else Past("", "", [], NO_ANSWER)
        return self._past

    def record(self, url: str, run: RunRecord) -> str:
        """Keep `run` in the history at `url`: what went wrong, or ''. The child then ends."""
        self.past()  # its first answer read before the second is asked
        return _recorded(self._child, url, run)

    def close(self) -> None:
        """No record wanted: the child ends (after its answer, which may still be coming)."""
        self.past()
        _ended(self._child)


def record(url: str, run: RunRecord) -> str:
    """Keep `run` in the history at `url`, by a child of its own: what went wrong, or ''."""
    return _recorded(_started(), url, run)


def medians(past: list[RunRecord], last: int) -> dict[str, float]:
    """The median time of each phase over the `last` passing runs among `past`."""
    passing = [r.seconds_of(PHASE) for r in past if r.passed][:last]
    names = {name for phases in passing for name in phases}
    return {n: median([p[n] for p in passing if n in p]) for n in names}


def _started() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)


def _ask(child: subprocess.Popen[bytes], question: tuple[object, ...]) -> None:
    assert child.stdin is not None
    with suppress(BrokenPipeError):  # the child is gone: _load finds no answer
        child.stdin.write(pickle.dumps(question))
        child.stdin.flush()


def _load(child: subprocess.Popen[bytes]) -> object:
    """The child's next answer, or None when it ended without one."""
    assert child.stdout is not None
    try:
        return pickle.load(child.stdout)
    except (EOFError, pickle.UnpicklingError):
        return None


def _recorded(child: subprocess.Popen[bytes], url: str, run: RunRecord) -> str:
    _ask(child, ("record", url, run))
    answer = _load(child)
    _ended(child)
    return answer if isinstance(answer, str) else NO_ANSWER


def _ended(child: subprocess.Popen[bytes]) -> None:
    """No more questions: the child reads the end of its input and exits."""
    assert child.stdin is not None and child.stdout is not None
    with suppress(BrokenPipeError):
        child.stdin.close()
    child.stdout.close()
    child.wait()


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

    while True:  # one question after another, until the parent closes the pipe
        try:
            kind, *question = pickle.load(sys.stdin.buffer)
        except EOFError:  # every answer flushed, every database closed: the interpreter's own
            os._exit(0)  # unloading of SQLAlchemy would keep the parent waiting ~0.25 s
        answer = _read(*question) if kind == "read" else _record(*question)
        pickle.dump(answer, sys.stdout.buffer)
        sys.stdout.buffer.flush()


if __name__ == "__main__":
    from rehearse.history import child  # Past pickled under its importable name, not __main__

    child.main()
