"""The run's state (`Run`) and the phases before the upgrade, each a function of it; the upgrade
is in appsteps.py, the smoke checks in smoke.py."""


from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from rehearse import whole
from rehearse.catalog import Mechanism, Provider
from rehearse.checks.context import Storefront
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
from rehearse.database.scriptrun import read_script
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
)
from rehearse.history.child import Reading
from rehearse.planner import Plan, Step, make_plan
from rehearse.results import (
    CheckResult,
    ImagesUsed,
    Status,
    StepResult,
)
from rehearse.sandbox import host
from rehearse.sandbox.network import guard_problem, private_network
from rehearse.scenario import Scenario
from rehearse.store.appdata import (
    Files,
    read_folder,
    read_plugins,
    read_settings,
    renamed_plugins,
)
from rehearse.store.preflight import app_versions, check_app_data
from rehearse.store.site import app_data_folder
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
    # A phase's usual seconds, from the history (for progress); None while unknown.
    expected: Callable[[str], float | None] = field(default=lambda _: None)
    history: Reading | None = None  # the store's past runs, read by a child from the start

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
            read_script(script_path(run, step))  # a GO sqlcmd rejects stops the run here
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


def script_path(run: Run, step: Step) -> Path:
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
    why = guard_problem()
    if why is not None and run.allow_host_access:
        where = "its Docker engine's host" if host.engine().tunnelled else "this host"
        run.exposure = (f"host access allowed (--allow-host-access): the sandbox could reach "
                        f"{where}'s own services ({why})")
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


def store_image(run: Run, target: Version) -> str:
    return scenario_image(run.scenario, target)


MARKS = {Status.PASS: "✓", Status.FAIL: "✗", Status.WARN: "!", Status.SKIP: "-",
          Status.ERROR: "✗"}

