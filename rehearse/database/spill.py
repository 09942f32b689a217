"""Pairs of 64-bit numbers (a row's id and hash, a resource's key and value hash) kept in an
anonymous temporary file and read back a batch at a time: a 1 GB store's catalogue, slugs and
locale resources cost disk instead of ~45 MiB per snapshot (issue 17 §4)."""

from __future__ import annotations

import tempfile
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import BinaryIO, TypeVar

PAIRS = 32_768  # pairs per read or write: 512 KiB
ITEM = array("q").itemsize
BUCKETS = 256
CHUNK = 256  # pairs a bucket gathers before they go to the scratch file: 1 MiB for all 256
T = TypeVar("T")


class Pairs:
    """Written once, in the order they are to be read; then read from the start as often as
    needed. The file has no name (removed by the system even if the process is killed)."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close(), its owner's
        self._buffer = array("q")
        self._count = 0

    def add(self, first: int, second: int) -> None:
        self._buffer.append(first)
        self._buffer.append(second)
        if len(self._buffer) >= 2 * PAIRS:
            self._flush()

    def extend(self, pairs: Iterable[tuple[int, int]]) -> None:
        for first, second in pairs:
            self.add(first, second)

    def extend_rows(self, rows: Sequence[Sequence[int]]) -> None:
        """A fetch of two-number rows at once (an engine's stream: a few thousand)."""
        self._buffer.extend(chain.from_iterable(rows))
        if len(self._buffer) >= 2 * PAIRS:
            self._flush()

    def __len__(self) -> int:
        return self._count + len(self._buffer) // 2

    def __iter__(self) -> Iterator[tuple[int, int]]:
        for chunk in self.chunks():
            yield from zip(chunk[0::2], chunk[1::2], strict=True)

    def chunks(self) -> Iterator[array[int]]:
        """The pairs flat (first, second, first, …), PAIRS of them at a time."""
        self._flush()
        size = 2 * PAIRS * ITEM
        for offset in range(0, 2 * self._count * ITEM, size):
            self._file.seek(offset)  # each read where it belongs: two readers may take turns
            chunk = array("q")
            chunk.frombytes(self._file.read(size))
            yield chunk

    def same(self, other: Pairs) -> bool:
        """The same pairs in the same order: chunks compared whole, no pair looked at alone."""
        return len(self) == len(other) and all(
            mine == theirs for mine, theirs in zip(self.chunks(), other.chunks(), strict=True))

    def close(self) -> None:
        self._file.close()

    @property
    def closed(self) -> bool:
        return self._file.closed

    def _flush(self) -> None:
        self._file.seek(0, 2)
        self._buffer.tofile(self._file)
        self._count += len(self._buffer) // 2
        del self._buffer[:]


@dataclass(frozen=True)
class Spilled:
    """A part of a snapshot kept in `stored`, read back in order a batch at a time."""

    stored: Pairs

    def __len__(self) -> int:
        return len(self.stored)

    def pairs(self) -> Iterator[tuple[int, int]]:
        return iter(self.stored)

    def close(self) -> None:
        self.stored.close()


def merged(old: Iterator[tuple[int, T]],
           new: Iterator[tuple[int, T]]) -> Iterator[tuple[int, T | None, T | None]]:
    """A merge walk over two streams ascending by key: (key, old's value, new's value), None on
    the side that lacks the key."""
    a, b = next(old, None), next(new, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a[0] < b[0]):
            assert a is not None
            yield a[0], a[1], None
            a = next(old, None)
        elif a is None or b[0] < a[0]:
            yield b[0], None, b[1]
            b = next(new, None)
        else:
            yield a[0], a[1], b[1]
            a, b = next(old, None), next(new, None)


def ascending(pairs: Iterable[tuple[int, int]], shift: int) -> Iterator[tuple[int, int]]:
    """`pairs` sorted, whatever their order in and however many: a bucket sort through a
    scratch file, 256 buckets by the first number's bits from `shift` up (it must leave 8), each
    sorted on its own. Memory holds one bucket and a chunk of each, never the whole."""
    with tempfile.TemporaryFile() as scratch:
        buffers = [array("q") for _ in range(BUCKETS)]
        chunks: list[list[tuple[int, int]]] = [[] for _ in range(BUCKETS)]  # (offset, bytes)
        for first, second in pairs:
            buffer = buffers[first >> shift]
            buffer.append(first)
            buffer.append(second)
            if len(buffer) >= 2 * CHUNK:
                chunks[first >> shift].append(_written(scratch, buffer))
        for buffer, written in zip(buffers, chunks, strict=True):
            bucket = _read(scratch, written) + buffer
            del buffer[:]
            yield from sorted(zip(bucket[0::2], bucket[1::2], strict=True))


def _written(scratch: BinaryIO, buffer: array[int]) -> tuple[int, int]:
    offset = scratch.seek(0, 2)
    buffer.tofile(scratch)
    del buffer[:]
    return offset, scratch.tell() - offset


def _read(scratch: BinaryIO, chunks: list[tuple[int, int]]) -> array[int]:
    found = array("q")
    for offset, size in chunks:
        scratch.seek(offset)
        found.frombytes(scratch.read(size))
    return found
