"""Hashes kept in temporary files: read back whole and in order, merged, sorted, and removed."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import pytest

from rehearse.database import spill


@pytest.fixture
def temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_pairs_come_back_in_order_across_many_batches_and_leave_no_file(temp: Path) -> None:
    count = 2 * spill.PAIRS + 7  # two full batches and a short last one
    stored = spill.Pairs()
    stored.extend((n, -n) for n in range(count))
    assert len(stored) == count
    assert list(stored) == [(n, -n) for n in range(count)]
    assert list(stored)[-1] == (count - 1, 1 - count)  # read again, from the start
    assert list(temp.iterdir()) == []  # no name in the folder, even while open
    stored.close()
    assert stored.closed


def test_the_merge_walk_pairs_keys_from_both_sides() -> None:
    cases = [
        ([(1, "a"), (3, "c")], [(1, "A"), (2, "B")], [(1, "a", "A"), (2, None, "B"),
                                                      (3, "c", None)]),
        ([], [(5, "e")], [(5, None, "e")]),
        ([(5, "e")], [], [(5, "e", None)]),
        ([], [], []),
    ]
    for old, new, expected in cases:
        assert list(spill.merged(iter(old), iter(new))) == expected, (old, new)


def test_any_order_in_comes_out_sorted_however_many_chunks(temp: Path) -> None:
    shift = 55  # the keys' top 8 bits choose the bucket, as reshash's do
    draw = random.Random(17)
    pairs = [(draw.randrange(1 << 63), draw.randrange(-50, 50)) for _ in range(40_000)]
    pairs += [(pairs[0][0], 99), (pairs[0][0], -99)]  # one key twice: both kept, by value
    assert list(spill.ascending(pairs, shift)) == sorted(pairs)
    assert list(temp.iterdir()) == []


def test_pairs_are_the_same_only_when_every_pair_and_its_place_match(temp: Path) -> None:
    count = 2 * spill.PAIRS + 7  # a difference in the last, short batch must show too
    stored = [spill.Pairs() for _ in range(4)]
    stored[0].extend((n, -n) for n in range(count))
    stored[1].extend((n, -n) for n in range(count))
    stored[2].extend((n, -n if n != count - 1 else 0) for n in range(count))
    stored[3].extend((n, -n) for n in range(count - 1))
    assert stored[0].same(stored[1])
    assert stored[0].same(stored[0])  # two readers of one file take turns
    assert not stored[0].same(stored[2])
    assert not stored[0].same(stored[3])
    for pairs in stored:
        pairs.close()
