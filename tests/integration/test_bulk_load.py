"""The restore runs as a bulk load, and the sandbox is durable again before any upgrade step:
the settings are read from the live server, during the restore and after it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rehearse.catalog import Provider
from rehearse.database import bulkload, restore
from rehearse.database.backup import inspect_backup
from rehearse.database.engines import ENGINES
from rehearse.database.restore import restored
from rehearse.database.storedb import baseline
from rehearse.sandbox.labels import new_run_id
from rehearse.sandbox.service import Service
from rehearse.version import Version
from tests.storegen import LOCAL_IMAGES, StoreShape, make_backup

pytestmark = pytest.mark.docker

# Read from a new session: the one pg_restore or mysql opens sees the same.
LIVE = {
    Provider.POSTGRESQL: ("SELECT current_setting('fsync'), current_setting('synchronous_commit'),"
                          " current_setting('full_page_writes'), current_setting('autovacuum')"),
    Provider.MYSQL: ("SELECT @@innodb_flush_log_at_trx_commit, @@innodb_doublewrite, "
                     "@@innodb_stats_auto_recalc"),
}
DURING = {Provider.POSTGRESQL: ("off", "off", "off", "off"), Provider.MYSQL: ("0", "OFF", "0")}
AFTER = {Provider.POSTGRESQL: ("on", "on", "on", "on"), Provider.MYSQL: ("1", "ON", "1")}


def _live(provider: Provider, service: Service, credentials: Any) -> tuple[str, ...]:
    db = ENGINES[provider].open(service.endpoint, credentials)
    try:
        return tuple(str(value) for value in db.query(LIVE[provider])[1][0])
    finally:
        db.close()


@pytest.mark.parametrize("provider", [Provider.POSTGRESQL, Provider.MYSQL])
def test_the_restore_runs_without_durability_and_the_upgrade_with_it(
        provider: Provider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shape = StoreShape(Version(4, 60), provider)
    backup = inspect_backup(make_backup(shape, tmp_path))
    engine = ENGINES[provider]
    seen: list[tuple[str, ...]] = []
    real_restore = engine.restore

    def watched(service: Service, *args: Any, **kwargs: Any) -> None:
        seen.append(_live(provider, service, args[1]))
        real_restore(service, *args, **kwargs)

    monkeypatch.setattr(engine, "restore", watched)
    with restored(backup, LOCAL_IMAGES[provider], new_run_id(), memory="2g") as sandbox:
        assert seen == [DURING[provider]]
        assert _live(provider, sandbox.service, sandbox.credentials) == AFTER[provider]
        assert baseline(sandbox.db).counts["Product"] == shape.rows("Product")
        assert sandbox.bulk_load is not None
        note = sandbox.notes()[0]
        assert note.startswith("the restore ran as a bulk load (")
        assert "durability was switched back on before the upgrade" in note
        if provider is Provider.MYSQL:
            _, rows = sandbox.db.query("SELECT @@innodb_buffer_pool_size")
            assert int(rows[0][0]) == 1 << 30  # half of the 2g limit, kept
            assert "--innodb-buffer-pool-size=1024M" in note
            assert "innodb_log_file_size" not in note  # measured: no faster, 2 s to grow
            # Loaded without automatic statistics, then analyzed: not the 0 rows of an empty
            # table that the statistics would say until the table is written again.
            _, rows = sandbox.db.query(
                "SELECT n_rows FROM mysql.innodb_table_stats "
                "WHERE database_name = DATABASE() AND table_name = 'Product'")
            assert int(rows[0][0]) > 0
        else:
            assert ("fsync", "on") in sandbox.bulk_load.after


WAL = "SELECT current_setting('wal_level'), current_setting('max_wal_senders')"


def _wal(service: Service, credentials: Any) -> tuple[str, ...]:
    db = ENGINES[Provider.POSTGRESQL].open(service.endpoint, credentials)
    try:
        return tuple(str(value) for value in db.query(WAL)[1][0])
    finally:
        db.close()


def _pg_backup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
               seen: list[tuple[str, ...]]) -> tuple[Any, StoreShape]:
    """A small store, restored as a large one would be (restart settings asked for), the WAL
    settings of a new session noted as the restore starts."""
    monkeypatch.setattr(bulkload, "RESTART_FROM_BYTES", 0)
    engine = ENGINES[Provider.POSTGRESQL]
    real_restore = engine.restore

    def watched(service: Service, *args: Any, **kwargs: Any) -> None:
        seen.append(_wal(service, args[1]))
        real_restore(service, *args, **kwargs)

    monkeypatch.setattr(engine, "restore", watched)
    shape = StoreShape(Version(4, 60), Provider.POSTGRESQL)
    return inspect_backup(make_backup(shape, tmp_path)), shape


def test_a_large_postgresql_restore_writes_no_wal_and_the_upgrade_runs_on_replica(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, ...]] = []
    backup, shape = _pg_backup(tmp_path, monkeypatch, seen)
    with restored(backup, LOCAL_IMAGES[Provider.POSTGRESQL], new_run_id(),
                  memory="2g") as sandbox:
        assert seen == [("minimal", "0")]  # the server restarted before pg_restore began
        # ... and again after it: the session rehearse goes on with sees the image's own
        assert _wal(sandbox.service, sandbox.credentials) == ("replica", "10")
        assert sandbox.db.query(WAL)[1][0] == ("replica", "10")
        assert baseline(sandbox.db).counts["Product"] == shape.rows("Product")
        assert sandbox.bulk_load is not None and sandbox.bulk_load.restarted
        note = sandbox.notes()[0]
        assert "wal_level=minimal, max_wal_senders=0" in note
        assert "restarted for it and again after it" in note
        assert "wal_level=replica, max_wal_senders=10" in note


def test_a_server_that_could_not_start_on_minimal_wal_is_not_restarted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """WAL archiving on (an image's configuration): minimal would stop the server starting
    again, so the restore runs on replica, without a restart."""
    seen: list[tuple[str, ...]] = []
    backup, shape = _pg_backup(tmp_path, monkeypatch, seen)
    monkeypatch.setattr(restore, "start_options",
                        lambda *_: ("postgres", "-c", "archive_mode=on",
                                    "-c", "archive_command=/bin/true"))
    with restored(backup, LOCAL_IMAGES[Provider.POSTGRESQL], new_run_id(),
                  memory="2g") as sandbox:
        assert seen == [("replica", "10")]
        assert baseline(sandbox.db).counts["Product"] == shape.rows("Product")
        assert sandbox.bulk_load is not None and not sandbox.bulk_load.restarted
        assert "wal_level" not in sandbox.notes()[0]
