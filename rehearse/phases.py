"""The phases of a rehearsal, each a function of the run's state (`Run`)."""


from __future__ import annotations

import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from rehearse import catalog
from rehearse.catalog import Mechanism
from rehearse.checks import run_checks
from rehearse.checks.context import CheckContext, CheckSettings
from rehearse.console import Terminal
from rehearse.database.backup import Backup, require_provider, sha256
from rehearse.database.engines import ENGINES
from rehearse.database.engines.base import new_password
from rehearse.database.neutralize import neutralize
from rehearse.database.pick import BackupPick, pick_backup, require_fresh
from rehearse.database.restore import SandboxDatabase, restored
from rehearse.database.scriptrun import run_script
from rehearse.database.storedb import (
    Baseline,
    baseline,
    check_declared,
    detect_version,
    newest_log_id,
)
from rehearse.errors import (
    BadInputError,
    RehearsalFailedError,
)
from rehearse.planner import Plan, Step, make_plan
from rehearse.results import (
    CheckResult,
    MigrationTiming,
    Status,
    StepResult,
)
from rehearse.sandbox import firewall
from rehearse.sandbox.network import private_network
from rehearse.scenario import Scenario
from rehearse.store.app import AppSpec, AppStartFailedError
from rehearse.store.appdata import (
    Files,
    read_folder,
    read_plugins,
    read_settings,
    renamed_plugins,
)
from rehearse.store.step import AppStepResult, DatabaseAddress, app_step
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
    plan: Plan | None = None
    backup: Backup | None = None
    backup_sha256: str = ""
    network: str | None = None
    sandbox: SandboxDatabase | None = None
    before: Baseline | None = None
    log_id_before: int = 0
    app_data: Files = field(default_factory=dict)
    pictures: Files = field(default_factory=dict)
    files_version: Version = field(default_factory=lambda: Version(0, 0))
    plugins_before: tuple[str, ...] = ()
    store_url: str | None = None
    steps: list[StepResult] = field(default_factory=list)
    checks: tuple[CheckResult, ...] = ()
    logs: dict[str, str] = field(default_factory=dict)
    kept: str = ""
    safety: tuple[str, ...] = ()
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
    require_provider(run.backup, scenario.store.provider)
    run.backup_sha256 = sha256(run.backup.path)
    run.app_data = read_folder(scenario.store.app_data)
    read_settings(run.app_data)  # fails early, with a hint, when the settings are missing
    run.files_version = scenario.source_version
    run.plugins_before = _plugins_after_renames(run)
    if scenario.store.pictures is not None:
        run.pictures = read_folder(scenario.store.pictures)
    for step in run.plan.steps:
        if step.kind is Mechanism.SQL_SCRIPT:
            _script_path(run, step)


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
    if not firewall.available():
        run.out.status("    warning: the sandbox can still open connections to this host's own "
                       "services; run as root (with iptables) to block them")
    run.network = run.stack.enter_context(private_network(run.run_id))


def restore(run: Run) -> None:
    assert run.backup is not None
    scenario = run.scenario
    password = new_password()
    run.out.add_secret(password)  # before anything could print it
    run.sandbox = run.stack.enter_context(restored(
        run.backup, scenario.images.database, run.run_id, scenario.limits.database_memory,
        run.network, on_progress=lambda p: run.out.percent("restored", p),
        pull=scenario.images.pull, password=password))


def take_baseline(run: Run) -> None:
    detection = detect_version(run.db.db)
    check_declared(detection, run.scenario.source_version)
    run.before = baseline(run.db.db)
    run.log_id_before = newest_log_id(run.db.db)
    if run.before.missing:
        run.out.status(f"    tables not in this store: {', '.join(run.before.missing)}")


def make_safe(run: Run) -> None:
    """Before any app starts: no mail out, no scheduled jobs, personal data if asked."""
    run.safety = neutralize(run.db.db, run.scenario.anonymize)
    for change in run.safety:
        run.out.status(f"    {change}")


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
                                      started, error.message))
        raise
    run.steps.append(_step_result(step.source, step.target, step.kind, Status.PASS, started,
                                  f"{len(result.batches)} batches"))


def _app_step(run: Run, source: Version, target: Version, keep_running: bool) -> None:
    scenario = run.scenario
    engine = ENGINES[scenario.store.provider]
    spec = AppSpec(target, store_image(run, target), run.app_data, run.network,
                   scenario.limits.store_memory, scenario.timeouts.app_start,
                   scenario.app_environment, run.pictures, scenario.images.pull)
    address = DatabaseAddress(scenario.store.provider, run.db.service.name, engine.port,
                              run.db.credentials)
    log_name = f"store-{target}.log"
    started = time.monotonic()
    run.out.status(f"    starting {spec.image}")
    starting = app_step(spec, run.files_version, address, run.db.db, run.run_id,
                        on_line=lambda line: _app_line(run, line))
    try:
        if keep_running:  # the last app serves the smoke checks; the run's stack stops it
            service, result = run.stack.enter_context(starting)
            endpoint = service.endpoint
            run.store_url = f"http://{endpoint.host}:{endpoint.port}"
        else:
            with starting as (_, result):
                pass
    except AppStartFailedError as error:
        run.logs[log_name] = error.log
        run.steps.append(_step_result(source, target, Mechanism.APP_MIGRATION, Status.FAIL,
                                      started, error.message, log=log_name))
        raise
    _record_app_step(run, source, target, result, started, log_name)


def _record_app_step(run: Run, source: Version, target: Version, result: AppStepResult,
                     started: float, log_name: str) -> None:
    run.logs[log_name] = result.start.log
    run.app_data, run.files_version = result.app_data, target
    timings = tuple(MigrationTiming(m.name, m.seconds) for m in result.start.migrations)
    run.steps.append(_step_result(source, target, Mechanism.APP_MIGRATION, Status.PASS, started,
                                  f"{len(timings)} migrations", timings, result.changes,
                                  log_name))


def _app_line(run: Run, line: str) -> None:
    text = line.strip()
    if text.endswith(" migrating"):
        name = text.split()[-2]
        run.out.status(f"    migrating {'.'.join(name.split('.')[-2:])}")
    run.out.detail(f"    | {text}")


def store_image(run: Run, target: Version) -> str:
    template = run.scenario.images.nopcommerce
    if template is None:
        return catalog.image_for(target)
    return template.replace("{version}", str(target.line)).replace("{tag}", str(target))


def _step_result(source: Version, target: Version, kind: Mechanism, status: Status,
                 started: float, detail: str, migrations: tuple[MigrationTiming, ...] = (),
                 changes: tuple[str, ...] = (), log: str | None = None) -> StepResult:
    return StepResult(str(source), str(target), kind.value, status,
                      time.monotonic() - started, detail, migrations, changes, log)


def smoke_checks(run: Run) -> None:
    assert run.before is not None and run.plan is not None
    settings = run.scenario.checks
    context = CheckContext(
        base_url=run.store_url, db=run.db.db, source=run.plan.source, target=run.plan.target,
        before=run.before, after=baseline(run.db.db), log_id_before=run.log_id_before,
        plugins_before=run.plugins_before,
        plugins_after=tuple(p.system_name for p in read_plugins(run.app_data)),
        expected_shrinking=frozenset(
            t for r in catalog.lines_after(run.plan.source, run.plan.target)
            for t in r.expected_shrinking_tables),
        settings=CheckSettings(settings.pages, settings.search,
                               settings.admin.email if settings.admin else None,
                               settings.admin.password if settings.admin else None,
                               settings.max_row_loss_percent, settings.ignore_tables))
    run.checks = run_checks(context, on_result=lambda r: run.out.status(
        f"    {MARKS[r.status]} {r.id}: {r.summary}"))
    failed = [r.id for r in run.checks if r.status in (Status.FAIL, Status.ERROR)]
    if failed:
        noun = "check" if len(failed) == 1 else "checks"
        raise RehearsalFailedError(f"{len(failed)} smoke {noun} failed: {', '.join(failed)}",
                                   hint="the report lists each check's evidence")


MARKS = {Status.PASS: "✓", Status.FAIL: "✗", Status.WARN: "!", Status.SKIP: "-",
          Status.ERROR: "✗"}

