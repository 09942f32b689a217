"""A PostgreSQL restore reports how far it is, from pg_restore's own items."""

from __future__ import annotations

from pathlib import Path

import pytest

from rehearse.catalog import Provider
from rehearse.database.backup import inspect_backup
from rehearse.database.restore import restored
from rehearse.sandbox.labels import new_run_id
from rehearse.version import Version
from tests import images
from tests.storegen import StoreShape, make_backup

pytestmark = pytest.mark.docker


def test_a_custom_format_restore_reports_its_progress_up_to_100(tmp_path: Path) -> None:
    make_backup(StoreShape(Version(4, 50), Provider.POSTGRESQL), tmp_path)
    seen: list[int] = []
    backup = inspect_backup(tmp_path / "store.dump")
    with restored(backup, images.POSTGRES, new_run_id(), "1g", on_progress=seen.append) as db:
        assert db.db.query('SELECT COUNT(*) FROM "Product"')[1] == [(100,)]
    assert seen == sorted(set(seen)) and seen[-1] == 100 and len(seen) >= 5
