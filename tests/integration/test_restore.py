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
from rehearse.database.storedb import (
    baseline,
    check_declared,
    detect_version,
    require_whole,
)
from rehearse.errors import BadInputError, RehearsalFailedError
from rehearse.sandbox import cleanup
from rehearse.sandbox.labels import new_run_id
from rehearse.version import Version
from tests import images
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
        # The dump names the server that made it, and the sandbox runs the same major.
        assert sandbox.production is not None and sandbox.server is not None
        assert sandbox.production.major == sandbox.server.major
        lower = ("--lower-case-table-names=1",) if shape.lower_case_tables else ()
        assert sandbox.options == lower
        assert detection.missing == ()
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


def test_a_store_without_setting_is_told_by_its_version_and_refused_by_name(
        tmp_path: Path) -> None:
    shape = StoreShape(Version(4, 50), Provider.POSTGRESQL, omit_tables=("Product", "Setting"))
    backup = inspect_backup(make_backup(shape, tmp_path))
    with restored(backup, images_for(Provider.POSTGRESQL), new_run_id(), memory="1g") as sandbox:
        detection = detect_version(sandbox.db)
    assert detection.version == Version(4, 50)
    assert detection.missing == ("Product", "Setting")
    with pytest.raises(BadInputError, match=r"lacks tables nopCommerce 4\.50 needs: Product, "
                                            "Setting"):
        require_whole(detection)


def test_a_database_without_any_nopcommerce_table_is_not_a_store(tmp_path: Path) -> None:
    dump = tmp_path / "other.sql"
    dump.write_text("-- PostgreSQL database dump\n"
                    'CREATE TABLE "Invoice" ("Id" integer);\n', encoding="utf-8")
    with (
        restored(inspect_backup(dump), images_for(Provider.POSTGRESQL), new_run_id(),
                 memory="1g") as sandbox,
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
        "CREATE TABLE `Product` (`Id` int NOT NULL, PRIMARY KEY (`Id`))"
        " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci;\n", encoding="utf-8")
    with (
        pytest.raises(BadInputError, match="dumped by MySQL 8") as caught,
        restored(inspect_backup(dump), images.OLD_MARIADB, new_run_id(), memory="1g"),
    ):
        pass
    assert "MySQL 8 image" in caught.value.hint
    assert "MariaDB 11.4.5 or later" in caught.value.hint


# What MySQL 8 writes (mysqldump 8.0 on a Windows server): 0900 collations, lower-case names,
# version comments that only MySQL 8.0.16+ (and MariaDB, which reads /*!8xxxx as its own
# 8.x-or-later check) evaluate.
MYSQL8_DUMP = """-- MySQL dump 10.13  Distrib 8.0.36, for Win64 (x86_64)
--
-- Host: localhost    Database: nopcommerce
-- ------------------------------------------------------
-- Server version\t8.0.36

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!50503 SET NAMES utf8mb4 */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;
DROP TABLE IF EXISTS `product`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
CREATE TABLE `product` (
  `Id` int NOT NULL AUTO_INCREMENT,
  `Name` varchar(400) COLLATE utf8mb4_0900_as_cs NOT NULL,
  `Deleted` tinyint(1) NOT NULL,
  PRIMARY KEY (`Id`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci;
/*!40101 SET character_set_client = @saved_cs_client */;
LOCK TABLES `product` WRITE;
/*!40000 ALTER TABLE `product` DISABLE KEYS */;
INSERT INTO `product` VALUES (1,'Levi\\'s 501',0),(2,'Crème brûlée',0);
/*!40000 ALTER TABLE `product` ENABLE KEYS */;
UNLOCK TABLES;
/*!80016 ALTER TABLE `product` COMMENT 'made by MySQL 8.0.16 or later' */;
/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;
"""


def test_a_mysql_8_dump_restores_into_mariadb_11_8_unchanged(tmp_path: Path) -> None:
    dump = tmp_path / "mysql8.sql"
    dump.write_text(MYSQL8_DUMP, encoding="utf-8")
    before = dump.read_bytes()
    with restored(inspect_backup(dump), images.MARIADB, new_run_id(), memory="1g") as sandbox:
        assert sandbox.options == ("--lower-case-table-names=1",)
        _, rows = sandbox.db.query("SELECT Name FROM Product ORDER BY Id")  # exact case works
        assert [r[0] for r in rows] == ["Levi's 501", "Crème brûlée"]
        _, collation = sandbox.db.query(
            "SELECT TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_NAME='product'")
        assert collation[0][0] == "utf8mb4_0900_ai_ci"
        assert sandbox.production is not None and sandbox.production.describe() == "MySQL 8.0.36"
        assert sandbox.server is not None and sandbox.server.engine == "mariadb"
        assert any("lower_case_table_names=1" in note for note in sandbox.notes())
        assert any("production runs MySQL 8.0.36" in note for note in sandbox.notes())
    assert dump.read_bytes() == before
