"""Generated stores, dumped with the engines' own tools, restored and inspected as backups."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from rehearse.catalog import Provider
from rehearse.database.backup import BackupFormat, inspect_backup, require_provider, sha256
from rehearse.database.restore import restored
from rehearse.database.scriptrun import run_script
from rehearse.database.storedb import baseline, check_declared, detect_version
from rehearse.errors import BadInputError, RehearsalFailedError
from rehearse.sandbox import cleanup
from rehearse.sandbox.labels import new_run_id
from rehearse.version import Version
from tests.storegen import LOCAL_IMAGES, StoreShape, make_backup

pytestmark = pytest.mark.docker

SHAPES = {
    "postgresql-4.50": StoreShape(Version(4, 50), Provider.POSTGRESQL),
    "mysql-4.30-lowercase": StoreShape(Version(4, 30), Provider.MYSQL, lower_case_tables=True),
}


@pytest.fixture(scope="module")
def backups(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    made = {}
    for name, shape in SHAPES.items():
        made[name] = make_backup(shape, tmp_path_factory.mktemp(name))
    return made


@pytest.mark.parametrize("name", list(SHAPES))
def test_restore_detects_version_and_counts_rows(backups: dict[str, Path], name: str) -> None:
    shape, path = SHAPES[name], backups[name]
    before = sha256(path)
    backup = inspect_backup(path)
    assert backup.provider is shape.provider
    run_id = new_run_id()
    with restored(backup, LOCAL_IMAGES[shape.provider], run_id, memory="2g") as sandbox:
        detection = detect_version(sandbox.db)
        assert detection.version == shape.version
        check_declared(detection, shape.version)
        with pytest.raises(BadInputError, match=r"store, not 4\.40 as declared"):
            check_declared(detection, Version(4, 40))
        found = baseline(sandbox.db)
        assert found.counts["Product"] == shape.rows("Product")
        assert found.counts["Order"] == shape.rows("Order")  # `order` quoted, any case
        assert found.missing == ()
        assert "New tables and columns added for Widgets.MyCustom" in found.newest_migrations
    assert sha256(path) == before
    assert cleanup.leftover_containers(run_id) == []


def test_gzipped_mysql_dump_restores(backups: dict[str, Path], tmp_path: Path) -> None:
    packed = tmp_path / "store.sql.gz"
    with backups["mysql-4.30-lowercase"].open("rb") as raw, gzip.open(packed, "wb") as out:
        shutil.copyfileobj(raw, out)
    backup = inspect_backup(packed)
    assert (backup.format, backup.compressed) == (BackupFormat.MYSQL_SQL, True)
    with restored(backup, images_for(Provider.MYSQL), new_run_id(), memory="2g") as sandbox:
        assert detect_version(sandbox.db).version == Version(4, 30)


def test_plain_gzipped_pg_dump_restores(tmp_path: Path) -> None:
    shape = StoreShape(Version(4, 80), Provider.POSTGRESQL)
    backup = inspect_backup(make_backup(shape, tmp_path, plain_gzip=True))
    assert (backup.format, backup.compressed) == (BackupFormat.PG_SQL, True)
    with restored(backup, images_for(Provider.POSTGRESQL), new_run_id(), memory="1g") as sandbox:
        assert detect_version(sandbox.db).version == Version(4, 80)
        assert baseline(sandbox.db).counts["Customer"] == shape.rows("Customer")


def images_for(provider: Provider) -> str:
    return LOCAL_IMAGES[provider]


def test_truncated_backup_is_a_clear_error_and_leaves_nothing(
        backups: dict[str, Path], tmp_path: Path) -> None:
    whole = backups["postgresql-4.50"].read_bytes()
    broken = tmp_path / "broken.dump"
    broken.write_bytes(whole[: len(whole) // 2])
    before = sha256(broken)
    run_id = new_run_id()
    with pytest.raises(BadInputError, match=r"restoring broken.dump failed: .+"), restored(
            inspect_backup(broken), images_for(Provider.POSTGRESQL), run_id, memory="1g"):
        pass
    assert sha256(broken) == before
    assert cleanup.leftover_containers(run_id) == []


def test_backup_of_the_wrong_engine_is_refused(backups: dict[str, Path]) -> None:
    backup = inspect_backup(backups["postgresql-4.50"])
    with pytest.raises(BadInputError, match="is a PostgreSQL backup, but the store is declared "
                                            "as MySQL"):
        require_provider(backup, Provider.MYSQL)


def test_a_database_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    shape = StoreShape(Version(4, 50), Provider.POSTGRESQL, omit_tables=("Product", "Setting"))
    path = make_backup(shape, tmp_path)
    backup = inspect_backup(path)
    with (
        restored(backup, images_for(Provider.POSTGRESQL), new_run_id(), memory="1g") as sandbox,
        pytest.raises(BadInputError, match="not a nopCommerce store"),
    ):
        detect_version(sandbox.db)


def test_missing_key_tables_are_reported_not_a_crash(tmp_path: Path) -> None:
    shape = StoreShape(Version(4, 60), Provider.MYSQL, omit_tables=("QueuedEmail", "Picture"))
    path = make_backup(shape, tmp_path)
    with restored(inspect_backup(path), images_for(Provider.MYSQL), new_run_id(),
                  memory="1g") as sandbox:
        found = baseline(sandbox.db)
        assert set(found.missing) == {"QueuedEmail", "Picture"}
        assert detect_version(sandbox.db).version == Version(4, 60)


SCRIPTS = {
    Provider.POSTGRESQL: ('CREATE TABLE "Upgraded" ("Id" integer)\nGO\n'
                          'INSERT INTO "Upgraded" VALUES (1);\nINSERT INTO "Upgraded" VALUES (2)\n'
                          "GO\n"),
    Provider.MYSQL: ("CREATE TABLE Upgraded (Id int)\nGO\n"
                     "INSERT INTO Upgraded VALUES (1);\nINSERT INTO Upgraded VALUES (2)\nGO\n"),
}


@pytest.mark.parametrize("name", list(SHAPES))
def test_upgrade_scripts_run_batch_by_batch_and_failures_name_the_batch(
        backups: dict[str, Path], name: str, tmp_path: Path) -> None:
    provider = SHAPES[name].provider
    good = tmp_path / "upgrade.sql"
    good.write_text("\ufeff" + SCRIPTS[provider], encoding="utf-8")
    bad = tmp_path / "bad.sql"
    bad.write_text(SCRIPTS[provider] + "-- third batch\nSELECT * FROM NoSuchTable\nGO\n",
                   encoding="utf-8")
    with restored(inspect_backup(backups[name]), images_for(provider), new_run_id(),
                  memory="2g") as sandbox:
        result = run_script(sandbox.db, good, "4.20-4.30/upgrade.sql")
        assert [b.number for b in result.batches] == [1, 2]
        assert sandbox.db.query(f"SELECT COUNT(*) FROM {sandbox.db.quote('Upgraded')}")[1] == [
            (2,)]
        sandbox.db.execute(f"DROP TABLE {sandbox.db.quote('Upgraded')}")
        with pytest.raises(RehearsalFailedError) as caught:
            run_script(sandbox.db, bad, "bad.sql")
    message = caught.value.message
    # The comment line 6 is not what failed: line 7 is (issue 13 §7).
    assert "bad.sql failed at batch 3/3 (line 7: 'SELECT * FROM NoSuchTable'; lines 6-7)" in message
    assert "nosuchtable" in message.lower()
    assert "half-upgraded" in caught.value.hint


def test_a_mysql_8_dump_into_mariadb_names_the_collation_problem(tmp_path: Path) -> None:
    dump = tmp_path / "mysql8.sql"
    dump.write_text(
        "-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n"
        "CREATE TABLE `product` (`Id` int NOT NULL, PRIMARY KEY (`Id`))"
        " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci;\n", encoding="utf-8")
    with (
        pytest.raises(BadInputError, match="dumped by MySQL 8") as caught,
        restored(inspect_backup(dump), images_for(Provider.MYSQL), new_run_id(), memory="1g"),
    ):
        pass
    assert "MySQL 8 image" in caught.value.hint
