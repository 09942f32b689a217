"""The tunnel's framing: raw bytes up, Docker's multiplexed frames down, ends of file passed on."""

from __future__ import annotations

import os
import socket
import struct
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rehearse.sandbox.tunnel import STDERR, STDOUT, Frames, Tunnel


def frame(stream: int, payload: bytes) -> bytes:
    return struct.pack(">BxxxL", stream, len(payload)) + payload


def test_frames_come_out_whole_whatever_the_chunks() -> None:
    wire = frame(STDOUT, b"R\x00\x00\x00\x08") + frame(STDERR, b"socat: refused\n") + frame(
        STDOUT, b"")
    frames = Frames()
    out = [f for byte in wire for f in frames.feed(bytes([byte]))]
    assert out == [(STDOUT, b"R\x00\x00\x00\x08"), (STDERR, b"socat: refused\n"), (STDOUT, b"")]
    assert frames.pending == 0


@given(st.lists(st.tuples(st.sampled_from([STDOUT, STDERR]), st.binary(max_size=300)),
                max_size=8), st.lists(st.integers(1, 50), min_size=1))
def test_any_split_of_any_frames_reads_back_the_same(payloads: list[tuple[int, bytes]],
                                                     cuts: list[int]) -> None:
    wire = b"".join(frame(s, p) for s, p in payloads)
    frames, out, at, index = Frames(), [], 0, 0
    while at < len(wire):
        size = cuts[index % len(cuts)]
        out += frames.feed(wire[at:at + size])
        at, index = at + size, index + 1
    assert out == payloads


class FakeExec:
    """The engine's side of an `exec` of socat: raw stdin in, every chunk echoed back upper-cased
    as stdout frames, a complaint on stderr, and the end once stdin ends."""

    def __init__(self) -> None:
        self.ours, self.theirs = socket.socketpair()
        self.received = b""
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while data := self.theirs.recv(7):
            self.received += data
            reply = frame(STDOUT, data.upper())
            self.theirs.sendall(reply[:3])  # a header cut in two
            self.theirs.sendall(reply[3:] + frame(STDERR, b"noise\n"))
        self.theirs.close()


def test_a_connection_is_carried_both_ways_and_ended() -> None:
    execs: list[FakeExec] = []

    def open_upstream() -> socket.socket:
        execs.append(FakeExec())
        return execs[-1].ours

    tunnel = Tunnel(open_upstream)
    try:
        message = os.urandom(5000).replace(b"\x00", b"x").lower()
        with socket.create_connection(("127.0.0.1", tunnel.port), timeout=5) as client:
            client.sendall(message)
            client.shutdown(socket.SHUT_WR)  # the end of input reaches the exec…
            back = b""
            while data := client.recv(4096):  # …and its end comes back as ours
                back += data
        assert back == message.upper()
        assert execs[0].received == message
        with socket.create_connection(("127.0.0.1", tunnel.port), timeout=5) as second:
            second.sendall(b"ok")
            assert second.recv(2) == b"OK"
        assert len(execs) == 2  # one exec per connection
    finally:
        tunnel.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", tunnel.port), timeout=1)


def test_a_connection_the_engine_refuses_is_closed_not_hung() -> None:
    def refuse() -> socket.socket:
        raise OSError("no such container")

    tunnel = Tunnel(refuse)
    try:
        with socket.create_connection(("127.0.0.1", tunnel.port), timeout=5) as client:
            assert client.recv(10) == b""
    finally:
        tunnel.close()
