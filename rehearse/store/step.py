"""An app-migration step end to end: App_Data prepared, the app started on the sandbox database,
its migrations confirmed from the database, App_Data carried on to the next step."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from rehearse import catalog
from rehearse.catalog import Provider
from rehearse.database.engines.base import Credentials
from rehearse.database.neutralize import after_app_start
from rehearse.database.storedb import Database, applied_updates
from rehearse.errors import RehearsalFailedError
from rehearse.runlog import timed
from rehearse.sandbox.service import Service
from rehearse.store.app import APP_DATA, AppSpec, AppStart, running_app
from rehearse.store.appdata import Files, prepare, sandbox_connection_string
from rehearse.version import Version


@dataclass(frozen=True)
class DatabaseAddress:
    """Where the app finds the sandbox database on the rehearsal's network."""

    provider: Provider
    host: str
    port: int
    credentials: Credentials


@dataclass(frozen=True)
class AppStepResult:
    start: AppStart
    changes: tuple[str, ...]
    app_data: Files  # as the app left it, for the next step; empty when not carried on
    made_safe: tuple[str, ...] = ()


@contextmanager
def app_step(spec: AppSpec, files_version: Version, database: DatabaseAddress, db: Database,
             run_id: str, on_line: Callable[[str], None] | None = None, carry: bool = True,
             ) -> Iterator[tuple[Service, AppStepResult]]:
    """The step's app, left running inside the block (the last step serves the smoke checks).
    `spec.app_data` is in the format `files_version` wrote; the result is in the target's, read
    back from the app only when `carry` (an app started to be looked at carries nothing on)."""
    creds = database.credentials
    connection = sandbox_connection_string(database.provider, database.host, database.port,
                                           creds.database, creds.user, creds.password,
                                           spec.version)
    prepared = prepare(spec.app_data, files_version, spec.version, connection)
    with running_app(replace(spec, app_data=prepared.files), run_id, on_line) as (service, start):
        with timed(f"nopCommerce {spec.version}: migrations confirmed, made safe"):
            _check_recorded(db, spec.version)
            made_safe = tuple(f"{spec.version} App_Data: {c}" for c in prepared.made_safe)
            made_safe += tuple(f"after {spec.version} started: {c}" for c in after_app_start(db))
            app_data = service.read_folder(APP_DATA) if carry else {}
        yield service, AppStepResult(start, prepared.changes, app_data, made_safe)


def run_app_step(spec: AppSpec, files_version: Version, database: DatabaseAddress,
                 db: Database, run_id: str,
                 on_line: Callable[[str], None] | None = None) -> AppStepResult:
    with app_step(spec, files_version, database, db, run_id, on_line) as (_, result):
        return result


def _check_recorded(db: Database, target: Version) -> None:
    release = catalog.release(target)
    if release.migration_label is None:
        return
    if target.line not in applied_updates(db):
        raise RehearsalFailedError(
            f"nopCommerce {target} started, but the database records no "
            f"'nopCommerce version {release.migration_label}. Update …' migrations",
            hint="the app did not migrate this database: check the image really is "
                 f"{target} (#5799: a mislabelled tag once shipped other code)")
