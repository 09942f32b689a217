"""A plain mysqldump restores through parallel connections to exactly what one stream restores:
every table's rows, its views and its triggers (which must not fire on the restored rows)."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path
from typing import Any

import pytest

from rehearse.catalog import Provider
from rehearse.database.backup import inspect_backup
from rehearse.database.dumpsplit import plan_dump
from rehearse.database.engines.base import SqlDatabase
from rehearse.database.restore import restored
from rehearse.sandbox.labels import new_run_id
from rehearse.version import Version
from tests.storegen import LOCAL_IMAGES, StoreShape, make_backup

pytestmark = pytest.mark.docker

# The trigger would rewrite every Sku if it ran before the rows were loaded.
EXTRA = ("CREATE VIEW `PublishedProduct` AS SELECT `Id`, `Name` FROM `Product` "
         "WHERE `Published` = 1",
         "CREATE TRIGGER `SkuStamp` BEFORE INSERT ON `Product` FOR EACH ROW "
         "SET NEW.`Sku` = CONCAT('t-', NEW.`Sku`)")


def _contents(db: SqlDatabase) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for table in db.table_names():
        found[table] = (db.query(f"SELECT COUNT(*) FROM {db.quote(table)}")[1],
                        db.query(f"CHECKSUM TABLE {db.quote(table)}")[1][0][1])
    found["view"] = db.query("SELECT Id, Name FROM PublishedProduct ORDER BY Id")[1]
    found["triggers"] = db.query(
        "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, ACTION_STATEMENT "
        "FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()")[1]
    return found


def test_parallel_restore_matches_one_stream(tmp_path: Path) -> None:
    shape = StoreShape(Version(4, 60), Provider.MYSQL, scale=3, extra_sql=EXTRA)
    dump = make_backup(shape, tmp_path)
    plan = plan_dump(dump)
    assert plan is not None and len(plan.streams(2)) == 2
    text = dump.read_bytes()
    rest = b"".join(text[start:end] for start, end in plan.rest)
    assert b"TRIGGER `SkuStamp`" in rest and b"VIEW `PublishedProduct`" in rest
    gzipped = tmp_path / "one" / "store.sql.gz"  # compressed: restored through one stream
    gzipped.parent.mkdir()
    with dump.open("rb") as source, gzip.open(gzipped, "wb") as target:
        shutil.copyfileobj(source, target)
    contents = []
    for backup in (dump, gzipped):
        with restored(inspect_backup(backup), LOCAL_IMAGES[Provider.MYSQL], new_run_id(),
                      memory="1g") as sandbox:
            contents.append(_contents(sandbox.db))
            _, stamped = sandbox.db.query("SELECT COUNT(*) FROM Product WHERE Sku LIKE 't-%'")
            assert stamped[0][0] == 0
    assert contents[0] == contents[1]
    assert contents[0]["Product"][0][0][0] == shape.rows("Product")
    assert len(contents[0]["view"]) > 0 and len(contents[0]["triggers"]) == 1
