"""A 127.0.0.1 port on this machine whose every connection is carried through the Docker engine's
own API connection, for an engine whose published ports this machine cannot reach (engine.py).

Each accepted connection gets an upstream from `open_upstream` (relay.py: an `exec` of
`socat STDIO TCP:service:port` in the sandbox's relay, its socket hijacked). What goes up is raw
stdin; what comes back is Docker's multiplexed stream (tty off: a TTY would mangle binary protocols
such as PostgreSQL's), unframed here. Nothing is published on any network.
"""

from __future__ import annotations

import logging
import selectors
import socket
import ssl
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
    def fileno(self) -> int: ...


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
        try:
            _pump(client, upstream, self._name)
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


def _pump(client: socket.socket, upstream: Upstream, name: str) -> None:
    """Both directions in one thread: a TLS socket must not be read and written at once from two
    (OpenSSL forbids it; seen as dropped connections under load)."""
    frames = Frames()
    with selectors.DefaultSelector() as ready, suppress(OSError):
        ready.register(client, selectors.EVENT_READ, "up")
        ready.register(upstream, selectors.EVENT_READ, "down")
        while ready.get_map():
            # TLS may hold decrypted bytes that no select reports: read those first.
            pending = getattr(upstream, "pending", lambda: 0)()
            ways = ["down"] if pending else [key.data for key, _ in ready.select()]
            if "down" in ways and not _down(upstream, client, frames, name):
                return  # the service's side ended: so does the client's
            if "up" in ways and not _up(client, upstream):
                ready.unregister(client)  # the client's end of input, passed on


def _up(client: socket.socket, upstream: Upstream) -> bool:
    """This machine's bytes up to the service, raw; False at the client's end of input."""
    data = client.recv(CHUNK)
    if data:
        upstream.sendall(data)
        return True
    if isinstance(upstream, ssl.SSLSocket):  # TLS has no half-close: its shutdown drops the
        _close(upstream)                     # encryption, so the exec ends instead
    else:
        upstream.shutdown(socket.SHUT_WR)  # socat sees end of input and closes its side
    return False


def _down(upstream: Upstream, client: socket.socket, frames: Frames, name: str) -> bool:
    """The service's bytes back, out of Docker's frames; socat's complaints to the log."""
    data = upstream.recv(CHUNK)
    for stream, payload in frames.feed(data):
        if stream == STDOUT:
            client.sendall(payload)
        elif payload.strip():
            _LOG.info("%s: %s", name, payload.decode(errors="replace").strip())
    return bool(data)


def _close(end: Any) -> None:
    # Shut down first: a bare close does not wake a thread blocked reading the same socket.
    with suppress(OSError):
        end.shutdown(socket.SHUT_RDWR)
    with suppress(OSError):
        end.close()
