"""SQL Server for real, wherever its image is already on the machine (never pulled by tests).

Set REHEARSE_LIVE_MSSQL_BAK to a nopCommerce .bak to also rehearse its restore.
"""

from __future__ import annotations

import os
from contextlib import closing
from pathlib import Path

import pytest

from rehearse.catalog import Provider
from rehearse.database.backup import inspect_backup
from rehearse.database.engines.base import new_password
from rehearse.database.engines.sqlserver import SqlServer
from rehearse.database.restore import restored
from rehearse.database.scriptrun import run_script
from rehearse.database.storedb import baseline, detect_version
from rehearse.sandbox.labels import new_run_id
from rehearse.sandbox.service import run_service
from tests.integration.test_engine_hashing import create, same_changes, same_fingerprint

pytestmark = pytest.mark.live
IMAGE = os.environ.get("REHEARSE_LIVE_MSSQL_IMAGE", SqlServer.default_image)


@pytest.fixture(autouse=True)
def _image_present() -> None:
    from rehearse.errors import RehearseError
    from rehearse.sandbox import host

    try:
        present = bool(host.client().images.list(name=IMAGE))
    except RehearseError as error:
        pytest.skip(f"no Docker: {error.message}")
    if not present:
        pytest.skip(f"SQL Server image {IMAGE} is not on this machine (tests never pull it)")


def test_upgrade_script_batches_run_on_sql_server(tmp_path: Path) -> None:
    engine = SqlServer()
    credentials = engine.credentials(new_password())
    spec = engine.service_spec(IMAGE, credentials, memory="2g")
    script = tmp_path / "upgrade.sql"
    script.write_text("\ufeffCREATE TABLE Upgraded (Id int)\nGO\nPRINT 'step two'\n"
                      "INSERT INTO Upgraded VALUES (1)\nGO 2\n", encoding="utf-8")
    with run_service(spec, new_run_id()) as service:
        db = engine.open(service.endpoint, credentials, database="master")
        try:
            result = run_script(db, script, "test/upgrade.sql")
            assert "step two" in " ".join(result.batches[1].messages)
            assert db.query("SELECT COUNT(*) FROM Upgraded")[1] == [(2,)]
        finally:
            db.close()


def test_rows_hashed_by_sql_server_show_the_same_changes_as_rehearse_hashing_them() -> None:
    engine = SqlServer()
    credentials = engine.credentials(new_password())
    spec = engine.service_spec(IMAGE, credentials, memory="2g")
    with run_service(spec, new_run_id()) as service:
        with closing(engine.open(service.endpoint, credentials, database="master")) as master:
            master.execute(f"CREATE DATABASE {credentials.database}")
        with closing(engine.open(service.endpoint, credentials)) as db:
            assert db.hashing is not None  # the images are 2019 and later
            create(Provider.SQLSERVER, db)
            same_fingerprint(db)
            same_changes(Provider.SQLSERVER, db)


@pytest.mark.skipif(not os.environ.get("REHEARSE_LIVE_MSSQL_BAK"),
                    reason="REHEARSE_LIVE_MSSQL_BAK names no .bak to restore")
def test_a_real_bak_restores_and_is_recognised() -> None:
    backup = inspect_backup(Path(os.environ["REHEARSE_LIVE_MSSQL_BAK"]))
    with restored(backup, IMAGE, new_run_id()) as sandbox:
        detection = detect_version(sandbox.db)
        assert detection.version or detection.at_most
        assert baseline(sandbox.db).counts.get("Product", 0) >= 0
