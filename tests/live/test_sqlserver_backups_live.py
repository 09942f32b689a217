"""Issue 18's cases on a real SQL Server, wherever its image is already on the machine (tests
never pull it; here they skip with that reason). Backups are made inside the container, so no
.bak file is needed; each case checks the line rehearse gives, not the raw server message."""

from __future__ import annotations

import os
import platform
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from rehearse.database.backup import inspect_backup
from rehearse.database.engines.base import Credentials, SqlDatabase, new_password
from rehearse.database.engines.sqlserver import SqlServer
from rehearse.database.mssql_diagnose import explain
from rehearse.database.mssql_restore import restore_database
from rehearse.database.mssql_tsql import DATA_DIR, Certificate
from rehearse.database.storedb import QueryError
from rehearse.errors import BadInputError, EnvironmentNotReadyError
from rehearse.sandbox.labels import new_run_id
from rehearse.sandbox.service import Mount, Service, ServiceSpec, run_service
from tests.live.test_sqlserver_live import IMAGE
from tests.live.test_sqlserver_live import _image_present as image_present

pytestmark = pytest.mark.live
ENGINE = SqlServer()
# The same skip as the other SQL Server live tests: only where the image is already here.
_image_present = image_present


@contextmanager
def server(spec: ServiceSpec | None = None, credentials: Credentials | None = None) -> Iterator[
        tuple[Service, SqlDatabase, Credentials]]:
    credentials = credentials or ENGINE.credentials(new_password())
    spec = spec or ENGINE.service_spec(IMAGE, credentials, "2g")
    with run_service(spec, new_run_id()) as service:
        master = ENGINE.open(service.endpoint, credentials, database="master")
        try:
            yield service, master, credentials
        finally:
            master.close()


def make_store(master: SqlDatabase) -> None:
    master.execute("CREATE DATABASE shop")
    master.execute("ALTER DATABASE shop SET RECOVERY FULL")
    master.execute("CREATE TABLE shop.dbo.Product (Id int)")


def count(master: SqlDatabase, database: str) -> int:
    return int(master.query(f"SELECT COUNT(*) FROM [{database}].dbo.Product")[1][0][0])


def test_a_full_differential_and_log_chain_restores_in_order() -> None:
    with server() as (_, master, credentials):
        make_store(master)
        steps = [("DATABASE", "full.bak", ""), ("DATABASE", "diff.bak", " WITH DIFFERENTIAL"),
                 ("LOG", "log1.trn", ""), ("LOG", "log2.trn", "")]
        for n, (what, name, options) in enumerate(steps, start=1):
            master.execute(f"INSERT INTO shop.dbo.Product VALUES ({n})")
            master.execute(f"BACKUP {what} shop TO DISK = '{DATA_DIR}/{name}'{options}")
        devices = [f"{DATA_DIR}/{name}" for _, name, _ in reversed(steps)]
        restore_database(master, "restored", devices, (), credentials.password)
        assert count(master, "restored") == 4
        with pytest.raises(BadInputError, match=r"a log backup is missing between .*diff.bak"):
            restore_database(master, "gap", devices[:1] + devices[2:], (), credentials.password)


def test_a_striped_backup_needs_every_stripe() -> None:
    with server() as (_, master, credentials):
        make_store(master)
        stripes = [f"{DATA_DIR}/stripe{n}.bak" for n in (1, 2, 3)]
        master.execute("BACKUP DATABASE shop TO " + ", ".join(f"DISK = '{s}'" for s in stripes))
        restore_database(master, "restored", stripes, (), credentials.password)
        with pytest.raises(BadInputError, match=r"family 2 is missing \(Msg 3132\)"):
            restore_database(master, "partial", [stripes[0], stripes[2]], (),
                             credentials.password)


def test_an_encrypted_backup_restores_with_the_certificate_files() -> None:
    with server() as (_, master, credentials):
        make_store(master)
        folder = "/var/opt/mssql/data"
        master.execute(f"CREATE MASTER KEY ENCRYPTION BY PASSWORD = '{credentials.password}'")
        master.execute("CREATE CERTIFICATE prod_cert WITH SUBJECT = 'production'")
        master.execute(f"BACKUP CERTIFICATE prod_cert TO FILE = '{folder}/prod.cer' WITH PRIVATE "
                       f"KEY (FILE = '{folder}/prod.pvk', ENCRYPTION BY PASSWORD = 'Pvk-pw 123')")
        master.execute(f"BACKUP DATABASE shop TO DISK = '{folder}/enc.bak' WITH ENCRYPTION "
                       "(ALGORITHM = AES_256, SERVER CERTIFICATE = prod_cert)")
        master.execute("DROP CERTIFICATE prod_cert")
        with pytest.raises(BadInputError, match="Msg 33111"):
            restore_database(master, "restored", [f"{folder}/enc.bak"], (), credentials.password)
        certificate = Certificate("prod_copy", f"{folder}/prod.cer", f"{folder}/prod.pvk",
                                  "Pvk-pw 123")
        restore_database(master, "restored", [f"{folder}/enc.bak"], (certificate,),
                         credentials.password)


def test_full_text_is_missing_and_explained_as_msg_7609() -> None:
    with server() as (_, master, _):
        make_store(master)
        try:
            master.execute("USE shop; CREATE FULLTEXT CATALOG nopCommerceFullTextCatalog")
        except QueryError as error:
            known = explain(str(error))
            assert known is not None and "Msg 7609" in known.message
        else:
            pytest.skip("this image has the full-text component (mssql-server-fts)")


def test_too_little_memory_is_explained_when_it_happens_anyway() -> None:
    credentials = ENGINE.credentials(new_password())
    spec = replace(ENGINE.service_spec(IMAGE, credentials, "2g"), memory="1500m",
                   ready_timeout=60.0)
    with pytest.raises(EnvironmentNotReadyError, match="needs at least 2000 MB"), server(spec):
        pass


def test_a_password_against_the_policy_is_explained() -> None:
    credentials = ENGINE.credentials("short")
    spec = replace(ENGINE.service_spec(IMAGE, credentials, "2g"), ready_timeout=60.0)
    with pytest.raises(BadInputError, match="refused the sa password"), server(spec):
        pass


def test_an_unreadable_backup_is_refused_before_start_and_copied_in_when_asked(
        tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir(mode=0o777)
    out.chmod(0o777)  # the server (uid 10001) writes its backup here
    credentials = ENGINE.credentials(new_password())
    spec = ENGINE.service_spec(IMAGE, credentials, "2g")
    spec = replace(spec, mounts=(Mount(str(out), "/out", read_only=False),))
    with server(spec, credentials) as (_, master, _):
        make_store(master)
        master.execute("BACKUP DATABASE shop TO DISK = '/out/shop.bak'")
    if os.getuid() == 10001:
        pytest.skip("runs as uid 10001: every file it writes is readable to the server")
    host_copy = tmp_path / "shop.bak"
    host_copy.write_bytes((out / "shop.bak").read_bytes())  # owned by this user
    host_copy.chmod(0o600)
    backup = inspect_backup(host_copy)
    with pytest.raises(BadInputError, match="could not read"):
        ENGINE.service_spec(IMAGE, credentials, "2g", backup)
    spec = ENGINE.service_spec(IMAGE, credentials, "2g", replace(backup, copy_in=True))
    with run_service(spec, new_run_id()) as sandbox:
        ENGINE.restore(sandbox, replace(backup, copy_in=True), credentials)
    assert oct(host_copy.stat().st_mode & 0o777) == "0o600"


@pytest.mark.skipif(platform.machine().lower() in ("x86_64", "amd64"),
                    reason="an amd64 host: the arm64 refusal is covered by the unit tests")
def test_arm64_hosts_are_told_before_any_pull() -> None:
    with pytest.raises(EnvironmentNotReadyError, match="amd64 only"), server():
        pass
