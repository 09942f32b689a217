"""A mysqldump file cut into per-table ranges for parallel clients, or left whole."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from rehearse.database.dumpsplit import DumpPlan, fed_bytes, load_script, pieces, plan_dump

HEADER = """/*M!999999\\- enable the sandbox mode */
-- MariaDB dump 10.20-11.8.9-MariaDB, for debian-linux-gnu (x86_64)
--
/*!40101 SET NAMES utf8mb4 */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;
"""
TABLE = """
--
-- Table structure for table `{name}`
--

DROP TABLE IF EXISTS `{name}`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `{name}` (
  `Id` int(11) NOT NULL,
  `Name` text COMMENT 'ends; here',
  PRIMARY KEY (`Id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
/*!40101 SET character_set_client = @saved_cs_client */;

SET @OLD_AUTOCOMMIT=@@AUTOCOMMIT, @@AUTOCOMMIT=0;
LOCK TABLES `{name}` WRITE;
/*!40000 ALTER TABLE `{name}` DISABLE KEYS */;
INSERT INTO `{name}` VALUES
(1,'a;\\nb'),
{rows});
/*!40000 ALTER TABLE `{name}` ENABLE KEYS */;
UNLOCK TABLES;
COMMIT;
SET AUTOCOMMIT=@OLD_AUTOCOMMIT;
"""
TRIGGER = """/*!50003 SET @saved_sql_mode       = @@sql_mode */ ;
/*!50003 SET sql_mode              = 'STRICT_TRANS_TABLES' */ ;
DELIMITER ;;
/*!50003 CREATE*/ /*!50003 TRIGGER `stamp` BEFORE INSERT ON `Small` FOR EACH ROW
SET NEW.`Name` = 'x';
SET NEW.`Id` = NEW.`Id` */;;
DELIMITER ;
/*!50003 SET sql_mode              = @saved_sql_mode */ ;
"""
VIEW = """/*!50001 DROP VIEW IF EXISTS `Shown`*/;
/*!50001 CREATE VIEW `Shown` AS select `Id` from `Big` */;
"""
TRAILER = "/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;\n\n-- Dump completed\n"


def _dump(tmp_path: Path, *, newline: str = "\n", extra: str = "") -> tuple[Path, str]:
    text = (HEADER + TABLE.format(name="Big", rows="(2,'" + "x" * 500 + "')")
            + TABLE.format(name="Small", rows="(2,'y')") + TRIGGER
            + TABLE.format(name="Mid", rows="(2,'" + "z" * 200 + "')") + extra + VIEW + TRAILER)
    path = tmp_path / "store.sql"
    path.write_bytes(text.replace("\n", newline).encode())
    return path, text.replace("\n", newline)


def _plan(path: Path) -> DumpPlan:
    plan = plan_dump(path)
    assert plan is not None
    return plan


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_each_table_is_one_range_the_rest_keeps_dump_order(tmp_path: Path, newline: str) -> None:
    path, text = _dump(tmp_path, newline=newline)
    plan = _plan(path)
    data = text.encode()
    assert data[:plan.header[1]].endswith(b"FOREIGN_KEY_CHECKS=0 */;" + newline.encode())
    tables = [b"".join(data[s:e] for s, e in spans) for spans in plan.tables]
    assert [t.split(b"`")[1] for t in tables] == [b"Big", b"Mid", b"Small"]  # largest first
    small = tables[2]
    assert small.rstrip().endswith(b"SET AUTOCOMMIT=@OLD_AUTOCOMMIT;")  # no trigger SETs
    assert b"'a;\\nb'" in small
    rest = b"".join(data[s:e] for s, e in plan.rest)
    assert rest.startswith(b"/*!50003 SET @saved_sql_mode")
    assert rest.index(b"TRIGGER `stamp`") < rest.index(b"CREATE VIEW") < rest.index(b"Dump comp")
    covered = sorted([plan.header, *plan.rest, *(s for spans in plan.tables for s in spans)])
    assert covered[0][0] == 0 and covered[-1][1] == len(data)
    assert all(a[1] == b[0] for a, b in pairwise(covered))  # no gap


@pytest.mark.parametrize("extra", [
    "USE `other`;\n",
    "/*!40000 CREATE DATABASE `x` */;\n",
    "SET @@GLOBAL.GTID_PURGED=/*!80000 '+'*/ 'abc:1-5';\n",
    "/*!40101 SET SQL_MODE='NO_BACKSLASH_ESCAPES' */;\n",
    "UPDATE `Big` SET `Name` = 'changed';\n",
])
def test_a_dump_that_is_not_safe_to_cut_restores_whole(tmp_path: Path, extra: str) -> None:
    path, _ = _dump(tmp_path, extra=extra)
    assert plan_dump(path) is None


def test_a_file_not_written_by_mysqldump_restores_whole(tmp_path: Path) -> None:
    path = tmp_path / "hand.sql"
    path.write_text("CREATE TABLE t (a text);\nINSERT INTO t VALUES ('two\nlines;\n');\n")
    assert plan_dump(path) is None


def test_tables_are_dealt_largest_first_to_the_least_loaded() -> None:
    plan = DumpPlan((0, 10), (((100, 190),), ((10, 70),), ((70, 100),)), ())
    assert plan.streams(2) == [[(100, 190)], [(10, 70), (70, 100)]]
    assert plan.streams(4) == [[(100, 190)], [(10, 70)], [(70, 100)]]
    assert fed_bytes(plan, 2) == 90 + 90 + 2 * 10 + 10  # header once per client, rest's too


def test_neighbouring_statements_join_up_to_the_piece_size() -> None:
    assert pieces([(0, 4), (4, 8), (8, 12), (20, 22)], limit=8) == [(0, 8), (8, 12), (20, 22)]


def test_the_script_loads_tables_at_once_and_stops_all_at_the_first_failure(
        tmp_path: Path) -> None:
    path, _ = _dump(tmp_path)
    script = load_script(_plan(path), "/backup/store.sql", "mysql db", 2)
    assert script.count("| c &") == 2 and "wait -n" in script and "kill --" in script
    assert script.rstrip().endswith("| c")  # the rest, after every table
    assert 'echo "fed $2"' in script


def test_the_pages_read_are_let_go_every_release_bytes(tmp_path: Path) -> None:
    """A 1 GB dump planned through its mapping stayed resident whole (1059 MiB in the bench):
    every RELEASE bytes read are given back, and a page asked again reads the file again."""
    import mmap

    from rehearse.database import dumpsplit

    path = tmp_path / "dump.sql"
    path.write_bytes(b"x" * (3 * mmap.PAGESIZE))
    with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as text:
        assert dumpsplit._release(text, 0, dumpsplit.RELEASE - 1) == 0  # not yet
        small = mmap.PAGESIZE + 10
        original, dumpsplit.RELEASE = dumpsplit.RELEASE, mmap.PAGESIZE
        try:
            assert dumpsplit._release(text, 0, small) == mmap.PAGESIZE  # page-aligned
        finally:
            dumpsplit.RELEASE = original
        assert text[:4] == b"xxxx"  # let go, read again from the file
