"""A restore reports how far it is, from the restoring tool's own output."""

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


@pytest.mark.parametrize(("provider", "image", "product", "steps"),
                         [(Provider.POSTGRESQL, images.POSTGRES, '"Product"', 5),
                          (Provider.MYSQL, images.MARIADB, "Product", 1)], ids=str)
def test_a_restore_reports_its_progress_up_to_100(tmp_path: Path, provider: Provider,
                                                  image: str, product: str, steps: int) -> None:
    """PostgreSQL by pg_restore's items; MySQL by the bytes dd fed (a small file: at its end)."""
    path = make_backup(StoreShape(Version(4, 60), provider), tmp_path)
    seen: list[int] = []
    backup = inspect_backup(path)
    with restored(backup, image, new_run_id(), "1g", on_progress=seen.append) as db:
        assert db.db.query(f"SELECT COUNT(*) FROM {product}")[1] == [(100,)]
    assert seen == sorted(set(seen)) and seen[-1] == 100 and len(seen) >= steps
