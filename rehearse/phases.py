"""The phases of a rehearsal, each a function of the run's state (`Run`)."""


from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rehearse import catalog, whole
from rehearse.catalog import Mechanism, Provider
from rehearse.checks import run_checks
from rehearse.checks.context import CheckContext, CheckSettings, Storefront
from rehearse.checks.preflight import Preflight
from rehearse.checks.preflight import store_image as scenario_image
from rehearse.console import Terminal
from rehearse.database import datasnap
from rehearse.database.backup import Backup, CertificateFiles, require_provider
from rehearse.database.backupdigest import Stamp, digested_alongside, stamp
from rehearse.database.backupset import inspect_backup_set
from rehearse.database.customers460 import Moved
from rehearse.database.engines import ENGINES
from rehearse.database.engines.base import new_password
from rehearse.database.fulltext import WARNING as FULL_TEXT_WARNING
from rehearse.database.fulltext import uses_full_text
from rehearse.database.neutralize import neutralize
from rehearse.database.pick import BackupPick, pick_backup, require_fresh
from rehearse.database.restore import SandboxDatabase, restored
from rehearse.database.sandbox_admin import SandboxAdmin
from rehearse.database.scriptrun import read_script, run_script
from rehearse.database.storedb import (
    Baseline,
    baseline,
    check_declared,
    detect_version,
    newest_log_id,
    require_whole,
)
from rehearse.database.storesafe import make_store_safe
from rehearse.errors import (
    BadInputError,
    RehearsalFailedError,
)
from rehearse.planner import Plan, Step, make_plan
from rehearse.results import (
    STAND_IN_LABEL,
    CheckResult,
    ImagesUsed,
    MigrationTiming,
    Status,
    StepResult,
)
from rehearse.sandbox import firewall, host
from rehearse.sandbox.network import private_network
from rehearse.sandbox.service import Service
from rehearse.scenario import Scenario
from rehearse.store.app import AppSpec, AppStartFailedError
from rehearse.store.appdata import (
    Files,
    read_folder,
    read_plugins,
    read_settings,
    renamed_plugins,
)
from rehearse.store.preflight import app_versions, check_app_data
from rehearse.store.site import app_data_folder
from rehearse.store.step import AppStepResult, DatabaseAddress, app_step
from rehearse.store.survival import Survival
from rehearse.version import Version


@dataclass
class Run:
    """The state a rehearsal builds up, phase by phase."""

    scenario: Scenario
    scenario_path: Path
    run_id: str
    output: Path
    out: Terminal
    stack: ExitStack = field(default_factory=ExitStack)
    as_is: bool = False  # --as-is: SSL, hosts and the closed store left as they are
    plan: Plan | None = None
    backup: Backup | None = None
    backup_stamp: Stamp | None = None  # at check inputs: what "unchanged" is measured against
    backup_sha256: str = ""  # read once, beside the restore
    backup_parts_sha256: dict[str, str] = field(default_factory=dict)
    network: str | None = None
    sandbox: SandboxDatabase | None = None
    before: Baseline | None = None
    log_id_before: int = 0
    app_data: Files = field(default_factory=dict)
    pictures: Files = field(default_factory=dict)
    files_version: Version = field(default_factory=lambda: Version(0, 0))
    plugins_before: tuple[str, ...] = ()
    preflight: Preflight | None = None
    survival: Survival | None = None
    admin: SandboxAdmin | None = None
    store_url: str | None = None
    steps: list[StepResult] = field(default_factory=list)
    checks: tuple[CheckResult, ...] = ()
    logs: dict[str, str] = field(default_factory=dict)
    kept: str = ""
    safety: tuple[str, ...] = ()
    storefront: Storefront | None = None
    data_before: datasnap.DataSnapshot | None = None
    customers_before: Moved | None = None
    app_stack: ExitStack = field(default_factory=ExitStack)  # the app serving the checks
    allow_host_access: bool = False
    exposure: str = ""
    database: ImagesUsed | None = None
    warnings: tuple[str, ...] = ()
    backup_pick: BackupPick | None = None
    rollback: str = ""
    expected: dict[str, float] = field(default_factory=dict)  # phase seconds, from history

    @property
    def db(self) -> SandboxDatabase:
        assert self.sandbox is not None, "the restore phase has not run"
        return self.sandbox


def check_inputs(run: Run) -> None:
    scenario = run.scenario
    run.plan = make_plan(scenario.source_version, scenario.target_version,
                         scenario.store.provider, scenario.stepwise)
    if run.plan.nothing_to_do:
        raise BadInputError(f"the store is already at {scenario.target}: nothing to rehearse",
                            hint="set target to a later version")
    run.backup_pick = pick_backup(scenario.store.backup)
    for skipped in run.backup_pick.unreadable:
        run.out.status(f"    warning: skipped {skipped.path}: {skipped.why}")
    require_fresh(run.backup_pick, scenario.checks.max_backup_age)
    run.backup = run.backup_pick.backup
    store = scenario.store
    if store.more_backups or store.certificates or store.copy_backup:  # SQL Server sets
        run.backup = inspect_backup_set(
            run.backup.path, store.more_backups,
            tuple(CertificateFiles(c.certificate, c.private_key, c.password)
                  for c in store.certificates), store.copy_backup)
    run.app_data = read_folder(app_data_folder(scenario.store.app_data, scenario.store.site))
    # App_Data, scenario and backup must name one provider: the backup alone named when only it
    # is off, all three when App_Data disagrees too.
    if _app_data_provider(run.app_data) in (None, scenario.store.provider):
        require_provider(run.backup, scenario.store.provider)
    check_app_data(run.app_data, scenario.source_version, app_versions(run.plan),
                   scenario.store.provider, run.backup.provider, scenario.app_environment)
    run.backup_stamp = stamp(run.backup)
    run.files_version = scenario.source_version
    run.plugins_before = _plugins_after_renames(run)
    if scenario.store.pictures is not None:
        run.pictures = read_folder(scenario.store.pictures)
    for step in run.plan.steps:
        if step.kind is Mechanism.SQL_SCRIPT:
            read_script(_script_path(run, step))  # a GO sqlcmd rejects stops the run here
    ENGINES[scenario.store.provider].check_client()  # before any container starts
    whole.judge_survival(run)


def _app_data_provider(files: Files) -> Provider | None:
    try:
        return read_settings(files).provider
    except BadInputError:
        return None  # check_app_data says what is wrong with it


def _plugins_after_renames(run: Run) -> tuple[str, ...]:
    plugins, _ = renamed_plugins(read_plugins(run.app_data), run.scenario.source_version,
                          run.scenario.target_version)
    return tuple(p.system_name for p in plugins)


def _script_path(run: Run, step: Step) -> Path:
    folder = run.scenario.scripts
    if folder is None:
        raise BadInputError(f"the plan runs upgrade scripts ({step.script}) but the scenario "
                            "names no scripts folder",
                            hint="set scripts: to the folder of nopCommerce's upgrade scripts")
    path = folder / str(step.script)
    if not path.is_file():
        raise BadInputError(f"upgrade script {path} is missing",
                            hint="unpack nopCommerce's UpgradeScripts zip of each version "
                                 "into the scripts folder")
    return path


def start_sandbox(run: Run) -> None:
    why = firewall.problem()
    if why is not None and run.allow_host_access:
        run.exposure = (f"host access allowed (--allow-host-access): the sandbox could reach "
                        f"this host's own services ({why})")
        run.out.status(f"    warning: {run.exposure}")
    run.network = run.stack.enter_context(private_network(run.run_id, run.allow_host_access))


def restore(run: Run) -> None:
    assert run.backup is not None
    scenario = run.scenario
    password = new_password()
    run.out.add_secret(password)  # before anything could print it
    with digested_alongside(run.backup) as digests:
        run.sandbox = run.stack.enter_context(restored(
            run.backup, scenario.images.database, run.run_id, scenario.limits.database_memory,
            run.network, on_progress=lambda p: run.out.percent("restored", p),
            pull=scenario.images.pull, password=password,
            ready_timeout=scenario.timeouts.database_start))
    run.backup_sha256, run.backup_parts_sha256 = digests.whole, digests.parts
    server = run.sandbox.server
    run.database = ImagesUsed(run.sandbox.image, server.describe() if server else "")
    run.warnings = run.sandbox.notes()
    for note in run.warnings:
        run.out.status(f"    {note}")


def take_baseline(run: Run) -> None:
    detection = detect_version(run.db.db)
    check_declared(detection, run.scenario.source_version)
    require_whole(detection)
    run.before = baseline(run.db.db)
    run.log_id_before = newest_log_id(run.db.db)
    whole.judge_theme(run)
    if run.before.missing:
        run.out.status(f"    tables not in this store: {', '.join(run.before.missing)}")
    if uses_full_text(run.db.db):
        run.out.status(f"    warning: {FULL_TEXT_WARNING}")


def make_safe(run: Run) -> None:
    """Before any app starts: no mail out, no scheduled jobs, personal data if asked, and the
    store answering the sandbox's address without redirects or login blockers."""
    run.safety = (neutralize(run.db.db, run.scenario.anonymize)
                  + make_store_safe(run.db.db, run.as_is) + whole.sandbox_admin(run))
    for change in run.safety:
        run.out.status(f"    {change}")
    # The upgrade is judged against the made-safe copy: rows make safe removed (a customer's
    # MFA choice) are not the upgrade's losses.
    run.before = baseline(run.db.db)


def upgrade(run: Run) -> None:
    assert run.plan is not None
    steps = list(run.plan.steps)
    for index, step in enumerate(steps):
        last = index == len(steps) - 1
        if step.kind is Mechanism.SQL_SCRIPT:
            _script_step(run, step)
        else:
            _app_step(run, step.source, step.target, keep_running=last)
    final = catalog.release(run.plan.target)
    if steps[-1].kind is Mechanism.SQL_SCRIPT and final.linux_container:
        _app_step(run, run.plan.target, run.plan.target, keep_running=True)


def _script_step(run: Run, step: Step) -> None:
    path = _script_path(run, step)
    started = time.monotonic()
    try:
        result = run_script(run.db.db, path, str(step.script), on_batch=lambda b, total: (
            run.out.detail(f"    batch {b.number}/{total} {b.seconds:.2f}s")))
    except RehearsalFailedError as error:
        run.steps.append(_step_result(step.source, step.target, step.kind, Status.FAIL,
                                      started, error.message, images=run.database))
        raise
    run.steps.append(_step_result(step.source, step.target, step.kind, Status.PASS, started,
                                  f"{len(result.batches)} batches", images=run.database))


def _starting(run: Run, target: Version) -> AbstractContextManager[
        tuple[Service, AppStepResult]]:
    scenario = run.scenario
    engine = ENGINES[scenario.store.provider]
    spec = AppSpec(target, store_image(run, target), run.app_data, run.network,
                   scenario.limits.store_memory, scenario.timeouts.app_start,
                   scenario.app_environment, run.pictures, scenario.images.pull,
                   *whole.store_folders(run, target))
    address = DatabaseAddress(scenario.store.provider, run.db.service.name, engine.port,
                              run.db.credentials)
    run.out.status(f"    starting {spec.image}")
    return app_step(spec, run.files_version, address, run.db.db, run.run_id,
                    on_line=lambda line: _app_line(run, line))


@contextmanager
def started_app(run: Run, version: Version) -> Iterator[tuple[str, AppStepResult]]:
    """An app of `version` for the length of the block; its App_Data is not carried on."""
    with _starting(run, version) as (service, result):
        yield _url(service), result


def _url(service: Service) -> str:
    return f"http://{service.endpoint.host}:{service.endpoint.port}"


def serve(run: Run, target: Version) -> AppStepResult:
    """Start `target` and leave it up for the checks (the run's stack stops it at teardown)."""
    run.app_stack = run.stack.enter_context(ExitStack())
    service, result = run.app_stack.enter_context(_starting(run, target))
    run.store_url = _url(service)
    return result


def _app_step(run: Run, source: Version, target: Version, keep_running: bool) -> None:
    log_name = f"store-{target}.log"
    image = store_image(run, target)
    started = time.monotonic()
    try:
        if keep_running:
            result = serve(run, target)
            assert run.store_url is not None
            whole.after_start(run, target, run.store_url)
        else:
            with _starting(run, target) as (service, result):
                whole.after_start(run, target, _url(service))
    except AppStartFailedError as error:
        run.logs[log_name] = error.log
        run.steps.append(_step_result(source, target, Mechanism.APP_MIGRATION, Status.FAIL,
                                      started, error.message, log=log_name,
                                      images=_images(run, image)))
        raise
    _record_app_step(run, source, target, result, started, log_name, _images(run, image))


def _images(run: Run, app_image: str) -> ImagesUsed:
    """The step's images; a stand-in is known by its label, never by its name."""
    digest, labels = host.image_facts(app_image)
    database = run.database or ImagesUsed()
    return ImagesUsed(database.database_image, database.database_server, app_image, digest,
                      labels.get(STAND_IN_LABEL) == "true")


def _record_app_step(run: Run, source: Version, target: Version, result: AppStepResult,
                     started: float, log_name: str, images: ImagesUsed) -> None:
    run.logs[log_name] = result.start.log
    run.app_data, run.files_version = result.app_data, target
    run.safety += result.made_safe  # outside services off; tasks and mail again after start
    for change in result.made_safe:
        run.out.status(f"    {change}")
    timings = tuple(MigrationTiming(m.name, m.seconds) for m in result.start.migrations)
    run.steps.append(_step_result(source, target, Mechanism.APP_MIGRATION, Status.PASS, started,
                                  f"{len(timings)} migrations", timings, result.changes,
                                  log_name, images))


def _app_line(run: Run, line: str) -> None:
    text = line.strip()
    if text.endswith(" migrating"):
        name = text.split()[-2]
        run.out.status(f"    migrating {'.'.join(name.split('.')[-2:])}")
    run.out.detail(f"    | {text}")


def store_image(run: Run, target: Version) -> str:
    return scenario_image(run.scenario, target)


def _step_result(source: Version, target: Version, kind: Mechanism, status: Status,
                 started: float, detail: str, migrations: tuple[MigrationTiming, ...] = (),
                 changes: tuple[str, ...] = (), log: str | None = None,
                 images: ImagesUsed | None = None) -> StepResult:
    return StepResult(str(source), str(target), kind.value, status,
                      time.monotonic() - started, detail, migrations, changes, log, images)


def smoke_checks(run: Run) -> None:
    assert run.before is not None and run.plan is not None
    settings = run.scenario.checks
    context = CheckContext(
        base_url=run.store_url, db=run.db.db, source=run.plan.source, target=run.plan.target,
        before=run.before, after=baseline(run.db.db), log_id_before=run.log_id_before,
        plugins_before=run.plugins_before,
        plugins_after=tuple(p.system_name for p in read_plugins(run.app_data)),
        expected_shrinks=tuple(
            shrink for r in catalog.lines_after(run.plan.source, run.plan.target)
            for shrink in r.expected_shrinks),
        settings=CheckSettings(settings.pages, settings.search,
                               *whole.admin_credentials(run),
                               settings.max_row_loss_percent, settings.ignore_tables,
                               settings.store_diff.allow),
        storefront=run.storefront, data_before=run.data_before,
        customers_before=run.customers_before,
        data_after=datasnap.take(run.db.db) if run.data_before else None)
    run.checks += run_checks(context, on_result=lambda r: run.out.status(
        f"    {MARKS[r.status]} {r.id}: {r.summary}"))
    run.logs.update(context.attachments)
    failed = [r.id for r in run.checks if r.status in (Status.FAIL, Status.ERROR)
              and not r.id.startswith(_PREFLIGHT)]
    if failed:
        noun = "check" if len(failed) == 1 else "checks"
        raise RehearsalFailedError(f"{len(failed)} smoke {noun} failed: {', '.join(failed)}",
                                   hint="the report lists each check's evidence")


_PREFLIGHT = ("backup", "app-data ", "disk", "pictures", "startup ", "plugin ", "theme ")
MARKS = {Status.PASS: "✓", Status.FAIL: "✗", Status.WARN: "!", Status.SKIP: "-",
          Status.ERROR: "✗"}

