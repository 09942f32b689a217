"""The backup is hashed once, beside the restore; "unchanged" at the end is the files' stamps,
and a written file is read again so its content decides."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rehearse.console import Terminal
from rehearse.database import backupdigest
from rehearse.database.backup import BackupFormat, inspect_backup, sha256
from rehearse.database.backupdigest import digested_alongside, digests, stamp
from rehearse.database.backupset import inspect_backup_set
from rehearse.lifecycle import _backup_facts, _Outcome
from rehearse.phases import Run
from rehearse.results import Verdict
from rehearse.scenario import load

DUMP = "-- MySQL dump 10.13\n/*!40101 SET NAMES utf8mb4 */;\n"


def folder_backup(tmp_path: Path) -> Path:
    folder = tmp_path / "Dump20240101"
    folder.mkdir()
    for name in ("shop_product.sql", "shop_order.sql"):
        (folder / name).write_text(DUMP + f"-- {name}\n")
    return folder


def test_one_read_gives_the_whole_and_each_files_digest(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    backup = inspect_backup_set(folder_backup(tmp_path))
    assert backup.format is BackupFormat.MYSQL_SQL and len(backup.parts) == 2
    reads: list[str] = []
    real = backupdigest.file_sha256
    monkeypatch.setattr(backupdigest, "file_sha256",
                        lambda path, stop: reads.append(path.name) or real(path, stop))
    found = digests(backup)
    assert found.whole == sha256(backup.path)  # the same formula as before
    assert found.parts == {p.name: sha256(p) for p in backup.parts}
    assert sorted(reads) == ["shop_order.sql", "shop_product.sql"]  # each file once


def test_the_digest_is_ready_when_the_block_ends_and_dropped_when_it_fails(
        tmp_path: Path) -> None:
    path = tmp_path / "shop.sql"
    path.write_text(DUMP * 1000)
    backup = inspect_backup(path)
    with digested_alongside(backup) as found:
        pass
    assert found.whole == sha256(path)
    with pytest.raises(RuntimeError), digested_alongside(backup) as failed:
        raise RuntimeError("the restore failed")
    assert failed.whole == ""


def test_a_write_moves_the_stamp_even_with_the_mtime_put_back(tmp_path: Path) -> None:
    path = tmp_path / "shop.sql"
    path.write_text(DUMP)
    backup = inspect_backup(path)
    before = stamp(backup)
    path.read_bytes()
    assert stamp(backup) == before  # reading is no change
    info = path.stat()
    path.write_text(DUMP.replace("utf8mb4", "latin1 "))  # same size
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))  # mtime put back: ctime moves
    assert stamp(backup) != before


def test_a_new_file_in_a_dump_folder_moves_the_stamp(tmp_path: Path) -> None:
    folder = folder_backup(tmp_path)
    backup = inspect_backup_set(folder)
    before = stamp(backup)
    (folder / "shop_extra.sql").write_text(DUMP)
    assert stamp(backup) != before


def run_with_backup(tmp_path: Path) -> tuple[Run, Path]:
    path = tmp_path / "shop.sql"
    path.write_text(DUMP)
    scenario = tmp_path / "shop.yaml"
    scenario.write_text('store: {version: "4.50", provider: mysql, backup: shop.sql, '
                        'app_data: App_Data}\ntarget: "4.60"\n')
    run = Run(load(scenario), scenario, "r1", tmp_path / "out", Terminal())
    run.backup = inspect_backup(path)
    run.backup_stamp = stamp(run.backup)
    run.backup_sha256 = sha256(path)
    return run, path


def test_an_untouched_backup_is_unchanged_by_its_stamp_without_a_second_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run, path = run_with_backup(tmp_path)
    monkeypatch.setattr(backupdigest, "file_sha256", lambda *_: pytest.fail("read again"))
    outcome = _Outcome()
    facts = _backup_facts(run, outcome)
    assert facts["unchanged"] == "true" and facts["sha256_before"] == sha256(path)
    assert "ctime" in facts["compared"] and "sha256_after" not in facts
    assert outcome.verdict is Verdict.PASS


def test_a_touched_backup_is_read_again_and_its_content_decides(tmp_path: Path) -> None:
    run, path = run_with_backup(tmp_path)
    path.touch()
    facts = _backup_facts(run, _Outcome())
    assert (facts["unchanged"], facts["sha256_after"]) == ("true", run.backup_sha256)
    path.write_text(DUMP + "-- more\n")
    outcome = _Outcome()
    facts = _backup_facts(run, outcome)
    assert facts["unchanged"] == "false" and facts["sha256_after"] == sha256(path)
    assert outcome.verdict is Verdict.ERROR and "changed during the rehearsal" in outcome.error


def test_a_written_backup_with_no_digest_to_compare_is_a_change(tmp_path: Path) -> None:
    run, path = run_with_backup(tmp_path)
    run.backup_sha256 = ""  # the restore failed before the hash was taken
    path.write_text(DUMP + "-- more\n")
    facts = _backup_facts(run, _Outcome())
    assert facts["unchanged"] == "false" and "sha256_before" not in facts
