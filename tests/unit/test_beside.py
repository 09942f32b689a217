"""Reads of the store side by side: each on a session of its own, or one after another on the
caller's where the engine opens none."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from rehearse.database.beside import side_by_side
from rehearse.database.storedb import Database


class Sessions:
    """Stands in for a connection: says which session and thread each read ran on."""

    def __init__(self, opens: bool, name: str = "caller") -> None:
        self.sessions = opens
        self.name = name
        self.opened: list[Sessions] = []
        self.closed = False

    @contextmanager
    def session(self) -> Iterator[Sessions]:
        other = Sessions(False, f"session {len(self.opened) + 1}")
        self.opened.append(other)
        try:
            yield other
        finally:
            other.closed = True


def where(db: Database, label: str) -> tuple[str, str, bool]:
    session: Sessions = db  # type: ignore[assignment]
    return label, session.name, threading.current_thread() is threading.main_thread()


def test_reads_run_beside_the_caller_each_on_a_session_closed_after() -> None:
    db = Sessions(True)
    with side_by_side(db) as beside:  # type: ignore[arg-type]
        found = [beside(where, label) for label in ("catalogue", "slugs", "resources")]
    results = [future.result() for future in found]
    assert [label for label, _, _ in results] == ["catalogue", "slugs", "resources"]
    assert sorted(name for _, name, _ in results) == ["session 1", "session 2", "session 3"]
    assert not any(on_main for _, _, on_main in results)
    assert all(session.closed for session in db.opened)


def test_without_sessions_the_reads_run_at_once_on_the_callers_connection() -> None:
    db = Sessions(False)
    with side_by_side(db) as beside:  # type: ignore[arg-type]
        found = beside(where, "catalogue")
        assert found.done()
    assert found.result() == ("catalogue", "caller", True)
    assert db.opened == []


def test_a_failed_read_fails_where_its_result_is_asked() -> None:
    def broken(db: Database) -> None:
        raise RuntimeError("the server went away")

    with side_by_side(Sessions(True)) as beside:  # type: ignore[arg-type]
        found = beside(broken)
    with pytest.raises(RuntimeError, match="went away"):
        found.result()
