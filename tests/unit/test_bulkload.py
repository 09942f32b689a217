"""The bulk load's rules, over a server that answers from a dict: what is set, what is put
back, and a server that keeps a bulk-load value stops the run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from rehearse.catalog import Provider
from rehearse.database.backup import Backup, BackupFormat
from rehearse.database.bulkload import (
    RESTART,
    RESTART_FROM_BYTES,
    pays_restart,
    restore_as_bulk_load,
    restore_settings,
    start_options,
)
from rehearse.database.mssql_tsql import transfer_for
from rehearse.errors import EnvironmentNotReadyError

GIB = 1 << 30


class Server:
    """Settings as a dict; `refuse` are not set; `stuck` are not put back."""

    def __init__(self, values: dict[str, str], refuse: frozenset[str] = frozenset(),
                 stuck: frozenset[str] = frozenset()) -> None:
        self.values, self.refuse, self.stuck = values, refuse, stuck
        self.during: dict[str, str] = {}

    def settings(self, db: Any, names: Sequence[str]) -> dict[str, str]:
        return {name: self.values[name] for name in names if name in self.values}

    def tune(self, db: Any, settings: Mapping[str, str]) -> tuple[str, ...]:
        taken = tuple(name for name in settings if name in self.values
                      and name not in self.refuse)
        self.values.update({name: settings[name] for name in taken})
        return taken

    def untune(self, db: Any, before: Mapping[str, str]) -> None:
        self.values.update({k: v for k, v in before.items() if k not in self.stuck})


def test_settings_apply_for_the_restore_and_are_read_back_after_it() -> None:
    server = Server({"fsync": "on", "autovacuum": "on", "other": "x"},
                    refuse=frozenset({"autovacuum"}))
    load, _ = restore_as_bulk_load(server, None,
                                   {"fsync": "off", "autovacuum": "off", "gone": "1"},
                                   lambda: server.during.update(server.values))
    assert server.during == {"fsync": "off", "autovacuum": "on", "other": "x"}
    assert server.values == {"fsync": "on", "autovacuum": "on", "other": "x"}
    assert load.during == (("fsync", "off"),)  # only what the server took is reported
    assert load.after == (("fsync", "on"),)
    assert "bulk load (fsync=off); durability was switched back on" in load.note()


class Restarting(Server):
    """Settings in RESTART change what SHOW says only at the next start, as PostgreSQL's."""

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__(values)
        self.pending: dict[str, str] = {}
        self.sessions: list[str] = []

    def tune(self, db: Any, settings: Mapping[str, str]) -> tuple[str, ...]:
        self.pending.update({k: v for k, v in settings.items() if k in RESTART})
        return super().tune(db, {k: v for k, v in settings.items() if k not in RESTART}) + \
            tuple(k for k in settings if k in RESTART)

    def untune(self, db: Any, before: Mapping[str, str]) -> None:
        self.pending.update({k: v for k, v in before.items() if k in RESTART})
        super().untune(db, {k: v for k, v in before.items() if k not in RESTART})

    def restart(self, db: Any) -> Any:
        self.sessions.append(f"closed {db}")
        self.values.update(self.pending)
        self.pending.clear()
        return f"session {len(self.sessions)}"


def test_a_setting_that_takes_a_restart_applies_through_two_restarts() -> None:
    server = Restarting({"fsync": "on", "wal_level": "replica", "max_wal_senders": "10"})
    load, db = restore_as_bulk_load(server, "session 0", {"fsync": "off", **RESTART},
                                    lambda: server.during.update(server.values), server.restart)
    assert server.during == {"fsync": "off", "wal_level": "minimal", "max_wal_senders": "0"}
    assert server.values == {"fsync": "on", "wal_level": "replica", "max_wal_senders": "10"}
    assert server.sessions == ["closed session 0", "closed session 1"]
    assert db == "session 2"  # the run goes on with the session opened after the last start
    assert dict(load.during) == server.during and load.restarted
    assert "wal_level=minimal" in load.note() and "wal_level=replica" in load.note()
    assert "restarted for it and again after it" in load.note()


def test_without_a_way_to_restart_no_restart_setting_is_asked_for() -> None:
    server = Restarting({"fsync": "on", "wal_level": "replica", "max_wal_senders": "10"})
    load, db = restore_as_bulk_load(server, "session 0", {"fsync": "off", **RESTART},
                                    lambda: server.during.update(server.values))
    assert server.during["wal_level"] == "replica" and not server.pending
    assert db == "session 0" and not load.restarted and "restarted" not in load.note()
    assert load.during == (("fsync", "off"),)


def test_a_restart_is_asked_for_large_pg_restore_archives_only(tmp_path: Path) -> None:
    def backup(size: int, form: BackupFormat = BackupFormat.PG_CUSTOM) -> Backup:
        path = tmp_path / f"{size}-{form}"
        with path.open("wb") as file:
            file.truncate(size)  # sparse: the size is what counts
        return Backup(path, form, compressed=False)

    assert pays_restart(backup(RESTART_FROM_BYTES))
    assert not pays_restart(backup(RESTART_FROM_BYTES - 1))
    assert not pays_restart(backup(4 * GIB, BackupFormat.PG_SQL))  # psql: no one transaction
    small = restore_settings(Provider.POSTGRESQL, 4 * GIB)
    assert not RESTART.keys() & small.keys()
    assert restore_settings(Provider.POSTGRESQL, 4 * GIB, restart=True) == {**small, **RESTART}
    assert not RESTART.keys() & restore_settings(Provider.MYSQL, 4 * GIB, restart=True).keys()


def test_a_server_that_keeps_a_bulk_load_value_stops_the_run() -> None:
    server = Server({"fsync": "on"}, stuck=frozenset({"fsync"}))
    with pytest.raises(EnvironmentNotReadyError, match=r"kept its bulk-load settings .*fsync=off"):
        restore_as_bulk_load(server, None, {"fsync": "off"}, lambda: None)


def test_a_failed_restore_is_not_masked_by_the_settings() -> None:
    server = Server({"fsync": "on"})

    def broken() -> None:
        raise EnvironmentNotReadyError("restore failed")

    with pytest.raises(EnvironmentNotReadyError, match="restore failed"):
        restore_as_bulk_load(server, None, {"fsync": "off"}, broken)


@pytest.mark.parametrize(("memory", "expected"), [
    (4 * GIB, "256MB"), (2 * GIB, "128MB"), (None, "64MB"), (512 << 20, "64MB"),
    (64 * GIB, "1024MB")])
def test_postgresql_index_memory_is_a_share_of_the_limit(memory: int | None,
                                                         expected: str) -> None:
    settings = restore_settings(Provider.POSTGRESQL, memory)
    assert settings["maintenance_work_mem"] == expected
    assert {settings[k] for k in ("fsync", "synchronous_commit", "full_page_writes")} == {"off"}


def test_mysql_gets_no_flush_per_commit_and_a_buffer_pool_of_half_the_limit() -> None:
    assert restore_settings(Provider.MYSQL, GIB)["innodb_flush_log_at_trx_commit"] == "0"
    assert start_options(Provider.MYSQL, 4 * GIB) == ("--innodb-buffer-pool-size=2048M",)
    assert start_options(Provider.MYSQL, None) == ()
    assert start_options(Provider.POSTGRESQL, 4 * GIB) == ()
    assert restore_settings(Provider.SQLSERVER, 4 * GIB) == {}


@pytest.mark.parametrize(("memory", "buffers"), [
    (4 * GIB, 64), (2 * GIB, 32), (GIB, 16), (256 << 20, 8), (64 * GIB, 64), (None, 32)])
def test_sql_server_restore_buffers_are_a_sixteenth_of_the_limit(memory: int | None,
                                                                buffers: int) -> None:
    transfer = transfer_for(memory)
    assert transfer.buffers == buffers
    assert transfer.buffers * transfer.max_transfer <= max(memory or 0, 2 * GIB) // 8
    assert transfer.max_transfer % (64 << 10) == 0 and transfer.max_transfer <= 4 << 20
