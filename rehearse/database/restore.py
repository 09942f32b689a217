"""A sandbox database with the store's backup restored into it, removed on exit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from rehearse.catalog import Provider
from rehearse.catalog_tables import all_core_tables
from rehearse.database.backup import Backup
from rehearse.database.bulkload import (
    BulkLoad,
    pays_restart,
    restore_as_bulk_load,
    restore_settings,
    start_options,
)
from rehearse.database.engines import ENGINES
from rehearse.database.engines.base import Credentials, Engine, SqlDatabase, new_password
from rehearse.database.mssql_diagnose import memory_bytes
from rehearse.database.production import (
    Server,
    lower_case_store,
    official_image,
    parse_server,
    production_server,
    same_major,
)
from rehearse.database.storedb import QueryError
from rehearse.sandbox.service import Service, run_service

# MySQL 8 accepts lower_case_table_names only when the data directory is initialised; the
# official images (and rehearse's test image) pass server options to that first start.
LOWER_CASE_OPTION = "--lower-case-table-names=1"
_VERSION_SQL = {
    Provider.MYSQL: "SELECT VERSION()",
    Provider.POSTGRESQL: "SHOW server_version",
    Provider.SQLSERVER: "SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128))",
}
_ENGINE_NAMES = {Provider.MYSQL: "mysql", Provider.POSTGRESQL: "postgres",
                 Provider.SQLSERVER: "sqlserver"}


@dataclass(frozen=True)
class SandboxDatabase:
    service: Service
    db: SqlDatabase
    credentials: Credentials
    image: str = ""
    server: Server | None = None  # what the sandbox runs
    production: Server | None = None  # what made the backup, when the backup says
    options: tuple[str, ...] = ()
    bulk_load: BulkLoad | None = None

    def notes(self) -> tuple[str, ...]:
        """What a report must say about the sandbox database: options set, majors that differ."""
        found = [self.bulk_load.note()] if self.bulk_load else []
        if LOWER_CASE_OPTION in self.options:
            found.append("the sandbox database runs with lower_case_table_names=1: the backup's "
                         "nopCommerce tables are lower case (a dump made on Windows)")
        if self.production and self.server and not same_major(self.production, self.server):
            found.append(f"warning: production runs {self.production.describe()}, the sandbox "
                         f"{self.server.describe()}: results may differ from production")
        return tuple(found)


def server_options(backup: Backup) -> tuple[str, ...]:
    if backup.provider is Provider.MYSQL and lower_case_store(backup, all_core_tables()):
        return (LOWER_CASE_OPTION,)
    return ()


def sandbox_image(backup: Backup, image: str | None) -> str:
    """The user's image wins; else the official image of production's major; else the
    engine's default."""
    if image:
        return image
    production = production_server(backup)
    return official_image(production) if production else ENGINES[backup.provider].default_image


@contextmanager
def restored(backup: Backup, image: str | None, run_id: str, memory: str | None = "4g",
             network: str | None = None,
             on_progress: Callable[[int], None] | None = None,
             pull: bool = True, password: str | None = None,
             ready_timeout: float | None = None) -> Iterator[SandboxDatabase]:
    engine = ENGINES[backup.provider]
    credentials = engine.credentials(password or new_password())
    limit = memory_bytes(memory) if memory else None
    chosen, options = sandbox_image(backup, image), server_options(backup)
    started_with = start_options(backup.provider, limit)
    spec = engine.service_spec(chosen, credentials, memory, backup)
    spec = replace(spec, network=network, pull=pull, command=options + started_with,
                   ready_timeout=ready_timeout or spec.ready_timeout)
    with run_service(spec, run_id) as service:
        db, bulk = _restore(engine, service, backup, credentials, limit, on_progress)
        try:
            bulk = replace(bulk, kept=started_with) if bulk else None
            yield SandboxDatabase(service, db, credentials, chosen,
                                  running_server(db, backup.provider),
                                  production_server(backup), options, bulk)
        finally:
            db.close()


def _restore(engine: Engine, service: Service, backup: Backup, credentials: Credentials,
             memory: int | None, on_progress: Callable[[int], None] | None,
             ) -> tuple[SqlDatabase, BulkLoad | None]:
    """The restore, as a bulk load where the engine has settings for one (SQL Server's are
    RESTORE's own options: its database does not exist before the restore)."""
    wanted = restore_settings(backup.provider, memory, pays_restart(backup))
    if not wanted:
        engine.restore(service, backup, credentials, on_progress)
        return engine.open(service.endpoint, credentials), None

    db = engine.open(service.endpoint, credentials)

    def restart(old: SqlDatabase) -> SqlDatabase:
        nonlocal db
        old.close()  # a clean stop waits for every session
        service.restart()
        db = engine.open(service.endpoint, credentials)
        return db

    try:
        bulk, db = restore_as_bulk_load(engine, db, wanted, lambda: engine.restore(
            service, backup, credentials, on_progress), restart)
    except BaseException:
        db.close()
        raise
    return db, bulk


def running_server(db: SqlDatabase, provider: Provider) -> Server | None:
    try:
        _, rows = db.query(_VERSION_SQL[provider])
    except QueryError:
        return None
    return parse_server(str(rows[0][0]), _ENGINE_NAMES[provider]) if rows else None
