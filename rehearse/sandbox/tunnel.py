"""A 127.0.0.1 port on this machine whose every connection is carried through the Docker engine's
own API connection, for an engine whose published ports this machine cannot reach (engine.py).

Each accepted connection gets an upstream from `open_upstream` (relay.py: an `exec` of
`socat STDIO TCP:service:port` in the sandbox's relay, its socket hijacked). What goes up is raw
stdin; what comes back is Docker's multiplexed stream (tty off: a TTY would mangle binary protocols
such as PostgreSQL's), unframed here. Nothing is published on any network.
"""

from __future__ import annotations

import logging
import socket
import struct
import threading
from collections.abc import Callable
from contextlib import suppress
from typing import Any, Protocol

_LOG = logging.getLogger("rehearse")
HEADER = struct.Struct(">BxxxL")  # stream (1 stdout, 2 stderr), three zero bytes, size
STDOUT, STDERR = 1, 2
CHUNK = 65536


class Upstream(Protocol):
    def sendall(self, data: bytes, /) -> Any: ...
    def recv(self, size: int, /) -> bytes: ...
    def shutdown(self, how: int, /) -> Any: ...
    def close(self) -> Any: ...


class Frames:
    """Docker's multiplexed output, unframed: (stream, payload) as each frame completes."""

    def __init__(self) -> None:
        self._pending = bytearray()

    def feed(self, data: bytes) -> list[tuple[int, bytes]]:
        self._pending += data
        frames = []
        while len(self._pending) >= HEADER.size:
            stream, size = HEADER.unpack_from(self._pending)
            end = HEADER.size + size
            if len(self._pending) < end:
                break
            frames.append((stream, bytes(self._pending[HEADER.size:end])))
            del self._pending[:end]
        return frames

    @property
    def pending(self) -> int:
        return len(self._pending)


class Tunnel:
    """Listens on 127.0.0.1 until closed; closing ends every connection it carries."""

    def __init__(self, open_upstream: Callable[[], Upstream], name: str = "tunnel") -> None:
        self._open = open_upstream
        self._name = name
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._server.getsockname()[1])
        self._live: set[Any] = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, name=name, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:  # closed
                return
            threading.Thread(target=self._carry, args=(client,), name=self._name,
                             daemon=True).start()

    def _carry(self, client: socket.socket) -> None:
        upstream: Upstream | None = None
        try:
            upstream = self._open()
        except OSError as error:  # the engine's API errors are OSErrors too (requests)
            _LOG.warning("%s: could not open the way in: %s", self._name, error)
        finally:
            if upstream is None:  # one refused connection, never a hung client
                _close(client)
        if upstream is None:
            return
        self._track(client, upstream)
        threading.Thread(target=_up, args=(client, upstream), name=self._name,
                         daemon=True).start()
        try:
            _down(upstream, client, self._name)
        finally:
            self._forget(client, upstream)

    def _track(self, *ends: Any) -> None:
        with self._lock:
            self._live.update(ends)

    def _forget(self, *ends: Any) -> None:
        with self._lock:
            self._live.difference_update(ends)
        for end in ends:
            _close(end)

    def close(self) -> None:
        _close(self._server)
        with self._lock:
            ends, self._live = list(self._live), set()
        for end in ends:
            _close(end)


def _up(client: socket.socket, upstream: Upstream) -> None:
    """This machine's bytes up to the service, raw; the client's end of file passed on."""
    try:
        while data := client.recv(CHUNK):
            upstream.sendall(data)
        upstream.shutdown(socket.SHUT_WR)  # socat sees end of input and closes its side
    except OSError:
        _close(upstream)


def _down(upstream: Upstream, client: socket.socket, name: str) -> None:
    """The service's bytes back, out of Docker's frames; socat's complaints to the log."""
    frames = Frames()
    with suppress(OSError):
        while data := upstream.recv(CHUNK):
            for stream, payload in frames.feed(data):
                if stream == STDOUT:
                    client.sendall(payload)
                elif payload.strip():
                    _LOG.info("%s: %s", name, payload.decode(errors="replace").strip())


def _close(end: Any) -> None:
    # Shut down first: a bare close does not wake a thread blocked reading the same socket.
    with suppress(OSError):
        end.shutdown(socket.SHUT_RDWR)
    with suppress(OSError):
        end.close()
