"""Readiness on the server's own log signal: MySQL's and MariaDB's real server only (the init
server says port 0), a signal over two lines, and after a restart only what that start wrote."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from rehearse.database.engines.mysql import _READY
from rehearse.sandbox.service import ServiceSpec, _Ready, _started_at

INIT = (b"[Note] mysqld: ready for connections.\n"
        b"Version: '11.8.3-MariaDB'  socket: '/run/s'  port: 0\n")
REAL = (b"[Note] mysqld: ready for connections.\n"
        b"Version: '11.8.3-MariaDB'  socket: '/run/s'  port: 3306  mariadb.org binary\n")


class Stream:
    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks, self.closed = chunks, False

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.chunks)

    def close(self) -> None:
        self.closed = True


class Container:
    """A container whose log, from `since`, is the chunks written after that time."""

    def __init__(self, written: list[tuple[float, bytes]]) -> None:
        self.written = written
        self.asked: list[float | None] = []

    def get_wrapped_container(self) -> Container:
        return self

    def logs(self, stream: bool, follow: bool, since: float | None = None) -> Stream:
        self.asked.append(since)
        return Stream([chunk for at, chunk in self.written if since is None or at >= since])


def _ready(since: float | None = None) -> _Ready:
    return _Ready(ServiceSpec("m", 3306, "database", ready_log=_READY, ready_timeout=2),
                  since)


def test_the_init_server_is_not_taken_for_the_real_one() -> None:
    with pytest.raises(RuntimeError, match="exited before it was ready"):
        _ready().wait_until_ready(Container([(1.0, INIT)]))  # type: ignore[arg-type]


def test_a_signal_over_two_lines_in_separate_chunks_after_many_lines_is_seen() -> None:
    noise = [(1.0, f"[Note] line {n}\n".encode()) for n in range(5000)]
    first, second = REAL.split(b"\n", 1)
    container = Container([(1.0, INIT), *noise, (2.0, first + b"\n"), (2.0, second)])
    _ready().wait_until_ready(container)  # type: ignore[arg-type]


def test_after_a_restart_the_first_start_s_signal_does_not_count() -> None:
    container = Container([(1.0, REAL), (5.0, b"[Note] InnoDB: Starting shutdown\n")])
    with pytest.raises(RuntimeError, match="exited before it was ready"):
        _ready(since=4.0).wait_until_ready(container)  # type: ignore[arg-type]
    assert container.asked == [4.0]
    container.written.append((6.0, REAL))
    _ready(since=4.0).wait_until_ready(container)  # type: ignore[arg-type]


@pytest.mark.parametrize(("stamp", "expected"), [
    ("2026-12-02T15:22:54.964123456Z", 1796224974.964123456),
    ("2026-12-02T15:22:54Z", 1796224974.0)])
def test_the_start_time_is_read_in_the_engine_s_clock(stamp: str, expected: float) -> None:
    attrs: dict[str, Any] = {"State": {"StartedAt": stamp}}
    assert _started_at(attrs) == pytest.approx(expected, abs=1e-6)
