"""The way back, rehearsed: the backup restored into a fresh database, the source version
started on it, its home page and admin asked; timed, for the window's rollback reserve."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager

from rehearse import catalog, whole
from rehearse.checks import pages
from rehearse.checks.context import CheckContext, CheckSettings
from rehearse.checks.table import run_checks
from rehearse.database.engines import ENGINES
from rehearse.database.neutralize import neutralize
from rehearse.database.restore import SandboxDatabase, restored
from rehearse.database.storesafe import make_store_safe
from rehearse.errors import RehearsalFailedError
from rehearse.phases import MARKS, Run, store_image
from rehearse.results import CheckResult, Status
from rehearse.sandbox import cleanup
from rehearse.store.app import AppSpec
from rehearse.store.appdata import read_folder
from rehearse.store.site import app_data_folder
from rehearse.store.step import DatabaseAddress, app_step

CHECKS = (("rollback.home", pages.home), ("rollback.admin", pages.admin_redirect),
          ("rollback.admin-login", pages.admin_login))


def rollback(run: Run) -> None:
    """Restore, start the source version, ask it; everything torn down before the phase ends."""
    if not run.scenario.rollback:
        run.rollback = "not rehearsed (rollback: false)"
        run.out.status(f"    {run.rollback}")
        return
    source = run.scenario.source_version
    with ExitStack() as stack:
        database = stack.enter_context(_fresh_database(run))
        # As the rehearsal's own copy: no mail, no jobs, and answering the sandbox's address.
        safety = (neutralize(database.db, run.scenario.anonymize)
                  + make_store_safe(database.db, run.as_is))
        run.out.status(f"    backup restored into a fresh database, made safe ({len(safety)})")
        if not catalog.release(source).linux_container:
            run.rollback = (f"the backup restored; nopCommerce {source} cannot run in a Linux "
                            "container, so starting it was not rehearsed")
            return
        url = stack.enter_context(_source_store(run, database))
        # Both containers removed at once as the block ends, as the teardown does (their blocks
        # then find them gone): the phase ends after the slower removal, not after both.
        stack.callback(cleanup.remove_containers, _rollback_id(run))
        results = run_checks(_context(run, database, url), on_result=lambda r: (
            run.out.status(f"    {MARKS[r.status]} {r.id}: {r.summary}")), table=CHECKS)
    run.checks += results
    _judge(run, results)


def _fresh_database(run: Run) -> AbstractContextManager[SandboxDatabase]:
    scenario = run.scenario
    assert run.backup is not None
    # A run id of its own: the upgraded store's containers are still up under the run's.
    return restored(run.backup, scenario.images.database, _rollback_id(run),
                    scenario.limits.database_memory, run.network, pull=scenario.images.pull,
                    password=run.db.credentials.password,
                    ready_timeout=scenario.timeouts.database_start)


def _rollback_id(run: Run) -> str:
    return f"{run.run_id}-rollback"


@contextmanager
def _source_store(run: Run, database: SandboxDatabase) -> Iterator[str]:
    """nopCommerce of the source version, with the store's own App_Data, on the fresh copy."""
    scenario = run.scenario
    source = scenario.source_version
    app_data = read_folder(app_data_folder(scenario.store.app_data, scenario.store.site))
    spec = AppSpec(source, store_image(run, source), app_data,
                   run.network, scenario.limits.store_memory, scenario.timeouts.app_start,
                   scenario.app_environment, run.pictures, scenario.images.pull,
                   *whole.store_folders(run, source))  # the site's own plugins and theme
    address = DatabaseAddress(scenario.store.provider, database.service.name,
                              ENGINES[scenario.store.provider].port, database.credentials)
    run.out.status(f"    starting {spec.image}")
    with app_step(spec, source, address, database.db, _rollback_id(run),
                  on_line=lambda line: run.out.detail(f"    | {line.strip()}"),
                  carry=False) as (service, _):
        yield f"http://{service.endpoint.host}:{service.endpoint.port}"


def _context(run: Run, database: SandboxDatabase, url: str) -> CheckContext:
    assert run.before is not None
    admin = run.scenario.checks.admin
    source = run.scenario.source_version
    return CheckContext(
        base_url=url, db=database.db, source=source, target=source, before=run.before,
        after=run.before, log_id_before=0, plugins_before=(), plugins_after=(),
        settings=CheckSettings(admin_email=admin.email if admin else None,
                               admin_password=admin.password if admin else None))


def _judge(run: Run, results: tuple[CheckResult, ...]) -> None:
    source = run.scenario.source_version
    failed = [r.id for r in results if r.status in (Status.FAIL, Status.ERROR)]
    if failed:
        raise RehearsalFailedError(
            f"the way back does not work: {', '.join(failed)} failed on nopCommerce {source} "
            "started on the restored backup",
            hint="restoring the backup and starting the previous version is the upgrade's "
                 "plan B: make it work before upgrading production")
    run.rollback = (f"the backup restored into a fresh database and nopCommerce {source} "
                    "answered its home page and admin")
