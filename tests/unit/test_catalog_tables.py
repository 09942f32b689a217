"""The core table list per release line: whole, without duplicates, growing as migrations add."""

from __future__ import annotations

from itertools import pairwise

import pytest

from rehearse.catalog import RELEASES, release
from rehearse.catalog_tables import ADDED, all_core_tables, core_tables
from rehearse.version import Version

LISTED = [r.line for r in RELEASES if r.line >= Version(4, 30)]


@pytest.mark.parametrize("line", LISTED, ids=str)
def test_each_line_lists_its_tables_once(line: Version) -> None:
    tables = core_tables(line)
    assert tables is not None and len(tables) == len(set(tables))
    assert {"Setting", "Product", "Order", "GenericAttribute", "MigrationVersionInfo"} <= set(
        tables)


def test_lines_only_grow_and_each_addition_cites_its_migration() -> None:
    for older, newer in pairwise(LISTED):
        assert set(core_tables(older) or ()) <= set(core_tables(newer) or ())
    for line, names, source in ADDED:
        release(line)  # a known release line
        assert names and "Migration" in source
        assert not set(names) & set(core_tables(Version(4, 30)) or ())
    assert set(core_tables(Version(4, 90)) or ()) == all_core_tables()


def test_before_4_30_nothing_is_catalogued() -> None:
    assert core_tables(Version(4, 20)) is None
    assert core_tables(Version(4, 70, 3)) == core_tables(Version(4, 70))
