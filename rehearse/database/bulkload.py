"""A restore run as a bulk load: a disposable sandbox needs no durability while it is written.
The server's own values are read first, put back after the restore and read back again, so every
upgrade step and migration is timed on a durable server (the maintenance-window estimate)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from rehearse.catalog import Provider
from rehearse.database.backup import Backup, BackupFormat
from rehearse.errors import EnvironmentNotReadyError

if TYPE_CHECKING:  # engines import this module's data: no import back at run time
    from rehearse.database.engines.base import SqlDatabase

MIB = 1 << 20
GIB = 1 << 30
MAX_JOBS = 4  # pg_restore --jobs: the engine's processors, at most this many
# PostgreSQL "Populating a Database" (docs §14.4): every one reloadable.
_POSTGRESQL = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
               "autovacuum": "off", "max_wal_size": "8GB", "checkpoint_timeout": "1h"}
# These two take a server restart. With wal_level=minimal a COPY into a table created or
# truncated in the same transaction writes no WAL (pg_restore --jobs wraps each table's data in
# one, TRUNCATE first, for this reason; minimal wants max_wal_senders=0). The 1 GB bench dump
# (2.7 GB restored, 2 cores), pg_restore alone, alternated: 31.8 and 29.9 s with the reloadable
# settings, 27.5 and 25.9 s with these as well; a rehearsal's two restarts took 0.5 and 1.7 s.
RESTART = {"wal_level": "minimal", "max_wal_senders": "0"}
# The archive from which two restarts pay: they cost ~1 s, minimal saves ~3.5 s per GB of dump.
RESTART_FROM_BYTES = 512 * MIB
# Dynamic in MariaDB 10.11+/11.x and MySQL 8.0.30+; a server that refuses one restores without
# it. A larger redo log is left out, measured on a 318 MB dump: growing it took 2 s and the restore
# was no faster; shrinking it back wrote every page of the buffer pool first (13 s).
# Statistics recounted at every 10 % growth of a table cost a 256 MB load more processor time
# than its inserts (measured: 4 s of 7.6 s in MariaDB's background threads); the tables are
# analyzed once after the restore instead (MySQL.untune).
_MYSQL = {"innodb_flush_log_at_trx_commit": "0", "innodb_doublewrite": "OFF",
          "innodb_stats_auto_recalc": "OFF"}
# Left out, from the 1 GB bench dump's CPU figures: a larger redo log can only save the page
# cleaner's share (0.4 s of mysqld's 15.7 s); innodb_autoinc_lock_mode=2 has nothing to relieve
# (each table loads on one connection, with its own Ids); skip-log-bin would also change the
# upgrade, and the restore's session already writes no binary log.


class Tuning(Protocol):
    """What an engine offers a bulk load; the SQL stays in the engine."""

    def settings(self, db: SqlDatabase, names: Sequence[str]) -> dict[str, str]:
        ...

    def tune(self, db: SqlDatabase, settings: Mapping[str, str]) -> tuple[str, ...]:
        """Set each for the whole server; the names the server took, once they apply."""
        ...

    def untune(self, db: SqlDatabase, before: Mapping[str, str]) -> None:
        """Put the server's own values back, once they apply."""
        ...


@dataclass(frozen=True)
class BulkLoad:
    during: tuple[tuple[str, str], ...]  # what the restore ran with
    after: tuple[tuple[str, str], ...]  # the same settings, read back from the server after it
    kept: tuple[str, ...] = ()  # start options that stay (not durability: memory)
    restarted: bool = False  # the server restarted before the restore and after it

    def note(self) -> str:
        text = f"the restore ran as a bulk load ({_pairs(self.during)}); "
        if self.restarted:
            text += "the server was restarted for it and again after it; "
        text += (f"durability was switched back on before the upgrade and read back: "
                 f"{_pairs(self.after)}")
        if self.kept:
            text += f"; kept for the upgrade: {', '.join(self.kept)}"
        return text


def _pairs(settings: Sequence[tuple[str, str]]) -> str:
    return ", ".join(f"{name}={value}" for name, value in settings)


def pays_restart(backup: Backup) -> bool:
    """A pg_restore archive of RESTART_FROM_BYTES or more. psql runs a plain dump statement by
    statement, each in its own transaction, so minimal would save it nothing."""
    return (backup.format is BackupFormat.PG_CUSTOM
            and sum(path.stat().st_size for path in backup.files) >= RESTART_FROM_BYTES)


def restore_settings(provider: Provider, memory: int | None,
                     restart: bool = False) -> dict[str, str]:
    """What the restore runs with; `memory` is the sandbox's limit in bytes; `restart`: the
    settings that take one too (pays_restart)."""
    if provider is Provider.POSTGRESQL:
        # Each pg_restore job (up to MAX_JOBS) builds its own indexes: a quarter of the limit.
        share = (memory or GIB) // 4 // MAX_JOBS
        return {**_POSTGRESQL, "maintenance_work_mem": f"{max(64, min(1024, share // MIB))}MB",
                **(RESTART if restart else {})}
    if provider is Provider.MYSQL:
        return dict(_MYSQL)
    return {}  # SQL Server: the RESTORE statement's own options (mssql_tsql.Transfer)


def start_options(provider: Provider, memory: int | None) -> tuple[str, ...]:
    """Server options at start: a MySQL buffer pool of half the limit (InnoDB's 128 MB default
    makes a 1 GB load write pages out over and over)."""
    if provider is Provider.MYSQL and memory:
        return (f"--innodb-buffer-pool-size={memory // 2 // MIB}M",)
    return ()


def restore_as_bulk_load(engine: Tuning, db: SqlDatabase, wanted: Mapping[str, str],
                         restore: Callable[[], None],
                         restart: Callable[[SqlDatabase], SqlDatabase] | None = None,
                         ) -> tuple[BulkLoad, SqlDatabase]:
    """Tune, restore, put back; a server that keeps a bulk-load value is an error, because
    the upgrade's timings would be wrong. A setting in RESTART is asked for only where
    `restart` (the server stopped and started, a new session returned) is given, and applies
    through it, before the restore and again after it. The session to go on with is returned."""
    if restart is None:
        wanted = {name: value for name, value in wanted.items() if name not in RESTART}
    before = engine.settings(db, tuple(wanted))
    applied = engine.tune(db, wanted)
    again = restart if RESTART.keys() & set(applied) else None  # only for a setting it took
    if again is not None:
        db = again(db)
    during = engine.settings(db, applied)  # what the restore really runs with
    restore()
    back = {name: before[name] for name in applied}
    engine.untune(db, back)
    if again is not None:
        db = again(db)
    after = engine.settings(db, tuple(back))
    if after != back:
        stuck = ", ".join(f"{name}={after.get(name)}" for name in back
                          if after.get(name) != back[name])
        raise EnvironmentNotReadyError(
            f"the sandbox database kept its bulk-load settings after the restore ({stuck})",
            hint="the image may pin these settings: run without images.database, or report it")
    return BulkLoad(tuple(during.items()), tuple(after.items()),
                    restarted=again is not None), db
