"""store.backup as a glob: the newest readable match, its age, and a limit on that age."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rehearse.database.pick import age_text, parse_age, pick_backup, require_fresh
from rehearse.errors import BadInputError, RehearsalFailedError
from rehearse.scenario import load

NOW = 1_800_000_000.0
HOUR = 3600.0


def dump(folder: Path, name: str, hours_old: float, content: bytes = b"PGDMP" + b"\0" * 64
         ) -> Path:
    path = folder / name
    path.write_bytes(content)
    os.utime(path, (NOW - hours_old * HOUR, NOW - hours_old * HOUR))
    return path


def test_the_newest_match_by_modification_time_is_rehearsed(tmp_path: Path) -> None:
    dump(tmp_path, "shop-20261201.dump", 24 + 5)
    newest = dump(tmp_path, "shop-20261130.dump", 5)  # names do not decide: times do
    dump(tmp_path, "other.dump", 1)
    pick = pick_backup(tmp_path / "shop-*.dump", now=NOW)
    assert (pick.backup.path, pick.matches, pick.unreadable) == (newest, 2, ())
    assert pick.facts()["age"] == "5 h 0 min"


def test_matches_that_cannot_be_read_are_listed_and_skipped(tmp_path: Path) -> None:
    chosen = dump(tmp_path, "shop-1.dump", 10)
    dump(tmp_path, "shop-2.dump", 2, content=b"half a backup, still being copied")
    (tmp_path / "shop-3.dump").mkdir()
    (tmp_path / "shop-4.dump").symlink_to(tmp_path / "gone")
    for name in ("shop-3.dump", "shop-4.dump"):
        os.utime(tmp_path / name, (NOW - HOUR, NOW - HOUR), follow_symlinks=False)
    pick = pick_backup(tmp_path / "shop-*.dump", now=NOW)
    assert pick.backup.path == chosen and pick.matches == 4
    why = {u.path.name: u.why for u in pick.unreadable}
    assert set(why) == {"shop-2.dump", "shop-3.dump", "shop-4.dump"}
    assert why["shop-2.dump"] == "is not a backup rehearse can read"
    assert (why["shop-3.dump"], why["shop-4.dump"]) == (
        "is a folder", "is a link to a file that is gone")
    assert "shop-2.dump (is not a backup rehearse can read)" in pick.facts()["unreadable"]


def test_no_match_and_no_readable_match_are_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError) as caught:
        pick_backup(tmp_path / "shop-*.dump")
    assert caught.value.message == f"no backup matches {tmp_path}/shop-*.dump"
    dump(tmp_path, "shop-1.dump", 1, content=b"nothing")
    with pytest.raises(BadInputError) as caught:
        pick_backup(tmp_path / "shop-*.dump")
    assert "none of the 1 backups matching" in caught.value.message


def test_a_plain_path_is_used_as_it_is_with_its_age(tmp_path: Path) -> None:
    path = dump(tmp_path, "shop[1].dump", 3)  # brackets in a name that exists are not a glob
    pick = pick_backup(tmp_path / "shop[1].dump", now=NOW)
    assert pick.backup.path == path and pick.age_seconds == pytest.approx(3 * HOUR)


@pytest.mark.parametrize(("hours", "fails"), [(25.9, False), (26.1, True)])
def test_a_backup_older_than_max_backup_age_fails_the_run(tmp_path: Path, hours: float,
                                                          fails: bool) -> None:
    dump(tmp_path, "shop-1.dump", hours)
    pick = pick_backup(tmp_path / "shop-*.dump", now=NOW)
    if not fails:
        require_fresh(pick, "26h")
        return
    with pytest.raises(RehearsalFailedError) as caught:
        require_fresh(pick, "26h")
    assert caught.value.message.endswith(
        "shop-1.dump is 1 d 2 h old, older than checks.max_backup_age (26h)")


@pytest.mark.parametrize(("text", "seconds"),
                         [("26h", 26 * HOUR), ("90min", 5400), ("90m", 5400), ("2d", 172800),
                          ("1.5 h", 5400), ("1w", 604800), ("45s", 45)])
def test_ages(text: str, seconds: float) -> None:
    assert parse_age(text) == seconds


@pytest.mark.parametrize(("seconds", "text"), [(59, "1 min"), (7260, "2 h 1 min"),
                                               (90000, "1 d 1 h")])
def test_ages_read_as_text(seconds: float, text: str) -> None:
    assert age_text(seconds) == text


def test_a_bad_age_in_the_scenario_is_named(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text('store: {version: "4.50", provider: postgresql, backup: b, app_data: a}\n'
                    'target: "4.70"\nchecks:\n  max_backup_age: yesterday\n')
    with pytest.raises(BadInputError) as caught:
        load(path)
    assert "checks.max_backup_age: 'yesterday' is not an age" in caught.value.message
