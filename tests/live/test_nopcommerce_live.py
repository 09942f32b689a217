"""The real nopCommerce image upgrading a real store, wherever both are on the machine.

REHEARSE_LIVE_STORE_BACKUP   the store's backup (PostgreSQL or MySQL dump, SQL Server .bak)
REHEARSE_LIVE_STORE_APP_DATA a copy of its App_Data folder
REHEARSE_LIVE_FROM / _TO     its version and the target (for example 4.60 and 4.70)
Images are never pulled: the database's and nopCommerce's must already be local.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rehearse.catalog import resolve
from rehearse.database.backup import inspect_backup
from rehearse.database.engines import ENGINES
from rehearse.database.restore import restored
from rehearse.database.storedb import check_declared, detect_version
from rehearse.planner import make_plan
from rehearse.sandbox import host
from rehearse.sandbox.labels import new_run_id
from rehearse.sandbox.network import private_network
from rehearse.store.app import AppSpec
from rehearse.store.appdata import read_folder
from rehearse.store.step import DatabaseAddress, run_app_step

pytestmark = pytest.mark.live
NEEDED = ("REHEARSE_LIVE_STORE_BACKUP", "REHEARSE_LIVE_STORE_APP_DATA", "REHEARSE_LIVE_FROM",
          "REHEARSE_LIVE_TO")


def _local(image: str) -> bool:
    return bool(host.client().images.list(name=image))


@pytest.mark.skipif(not all(os.environ.get(n) for n in NEEDED),
                    reason="no real store given (set " + ", ".join(NEEDED) + ")")
def test_a_real_store_upgrades_with_the_official_image() -> None:
    backup = inspect_backup(Path(os.environ["REHEARSE_LIVE_STORE_BACKUP"]))
    source = resolve(os.environ["REHEARSE_LIVE_FROM"])
    target = resolve(os.environ["REHEARSE_LIVE_TO"])
    plan = make_plan(source, target, backup.provider, stepwise=False)
    engine = ENGINES[backup.provider]
    needed = [engine.default_image] + [s.image for s in plan.steps if s.image]
    missing = [image for image in needed if not _local(image)]
    if missing:
        pytest.skip(f"images not on this machine (never pulled by tests): {missing}")
    files, files_version = read_folder(Path(os.environ["REHEARSE_LIVE_STORE_APP_DATA"])), source
    run_id = new_run_id()
    with private_network(run_id) as network, restored(backup, None, run_id, "4g", network) as db:
        check_declared(detect_version(db.db), source)
        where = DatabaseAddress(backup.provider, db.service.name, engine.port, db.credentials)
        for step in plan.steps:
            assert step.image is not None
            spec = AppSpec(step.target, step.image, files, network, memory="4g")
            result = run_app_step(spec, files_version, where, db.db, run_id)
            files, files_version = result.app_data, step.target
        assert detect_version(db.db).version == target.line
