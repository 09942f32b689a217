"""Everything rehearse can judge before a container starts (`rehearse check`, and the first
thing `rehearse run` does): inputs, App_Data conversion per app step, images, disk, survival."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from rehearse import catalog
from rehearse.catalog import Mechanism
from rehearse.database.backup import Backup, require_provider
from rehearse.database.pick import pick_backup
from rehearse.errors import RehearseError
from rehearse.planner import Plan, make_plan
from rehearse.scenario import Scenario
from rehearse.status import CheckResult, Status
from rehearse.store.appdata import Files, prepare, read_folder, read_plugins, renamed_plugins
from rehearse.store.site import app_data_folder, pictures_folder, store_files
from rehearse.store.survival import NOT_LOADED, Fate, StoreFiles, Survival, judge
from rehearse.version import Version

# Restoring needs the backup's data and log files beside it; migrations grow both (inferred).
DISK_FACTOR = 2.0
ImageCheck = Callable[[str], bool | None]  # None: no Docker engine to ask


@dataclass(frozen=True)
class Preflight:
    plan: Plan
    checks: tuple[CheckResult, ...]
    survival: Survival
    store: StoreFiles

    @property
    def breaks(self) -> bool:
        return self.survival.breaks or any(c.status is Status.FAIL for c in self.checks)


def app_steps(plan: Plan) -> tuple[Version, ...]:
    """The versions that start as apps (a final script step is followed by its app start)."""
    starts = tuple(s.target for s in plan.steps if s.kind is Mechanism.APP_MIGRATION)
    last = plan.steps[-1] if plan.steps else None
    if last is not None and last.kind is Mechanism.SQL_SCRIPT and \
            catalog.release(plan.target).linux_container:
        starts += (plan.target,)
    return starts


def store_image(scenario: Scenario, target: Version) -> str:
    """The image of an app step: the scenario's template, else the official one."""
    template = scenario.images.nopcommerce
    if template is None:
        return catalog.image_for(target)
    return template.replace("{version}", str(target.line)).replace("{tag}", str(target))


def preflight(scenario: Scenario, image_for: Callable[[Version], str], has_image: ImageCheck,
              theme: str | None = None) -> Preflight:
    store = scenario.store
    plan = make_plan(scenario.source_version, scenario.target_version, store.provider,
                     scenario.stepwise)
    app_data = read_folder(app_data_folder(store.app_data, store.site))
    plugins, _ = renamed_plugins(read_plugins(app_data), scenario.source_version,
                                 scenario.target_version)
    files = store_files(store.site, scenario.upgrade.plugins, scenario.upgrade.theme,
                        tuple((p.system_name, p.version) for p in plugins), theme or store.theme)
    steps = app_steps(plan)
    # A missing or wrong backup is bad input (exit 2), not something the upgrade would break.
    backup = pick_backup(store.backup).backup  # a glob: the newest readable match
    checks = [CheckResult("backup", Status.PASS, 0.0, _backup(scenario, backup))]
    for step in steps:
        checks.append(_timed(f"app-data {step}", partial(_conversion, app_data, scenario, step)))
        checks.append(_timed(f"image {step}", partial(_image, image_for(step), has_image)))
    checks += [_timed("disk", lambda: _disk(scenario, backup)),
               _timed("pictures", lambda: _pictures(scenario))]
    survival = judge(files, steps)
    return Preflight(plan, tuple(checks) + survival_checks(survival), survival, files)


def _timed(name: str, check: Callable[[], tuple[Status, str]]) -> CheckResult:
    started = time.monotonic()
    try:
        status, summary = check()
    except RehearseError as error:
        status, summary = Status.FAIL, f"{error.message} ({error.hint})"
    return CheckResult(name, status, time.monotonic() - started, summary)


def _backup(scenario: Scenario, backup: Backup) -> str:
    require_provider(backup, scenario.store.provider)
    return f"{backup.format.value} ({_size(backup.path) / 2**20:.1f} MiB)"


def _size(path: Path) -> int:
    """A backup's bytes: a file's, or a dump project folder's files together."""
    if path.is_dir():
        return sum(p.stat().st_size for p in path.iterdir() if p.is_file())
    return path.stat().st_size


def _conversion(app_data: Files, scenario: Scenario, version: Version) -> tuple[Status, str]:
    prepared = prepare(app_data, scenario.source_version, version, "Server=sandbox")
    return Status.PASS, "; ".join(prepared.changes[1:]) or "read as is"


def _image(image: str, has_image: ImageCheck) -> tuple[Status, str]:
    found = has_image(image)
    if found is None:
        return Status.SKIP, f"{image}: no Docker engine to ask"
    return (Status.PASS, image) if found else (Status.WARN, f"{image} is not on this machine: "
                                                            "the run pulls it (or fails offline)")


def _disk(scenario: Scenario, backup: Backup) -> tuple[Status, str]:
    folder = scenario.report.output
    while not folder.exists():
        folder = folder.parent
    free = shutil.disk_usage(folder).free
    need = _size(backup.path) * DISK_FACTOR
    text = f"{free / 2**30:.1f} GiB free, about {need / 2**30:.2f} GiB needed"
    return (Status.PASS if free >= need else Status.FAIL), text


def _pictures(scenario: Scenario) -> tuple[Status, str]:
    store = scenario.store
    folder = store.pictures or (pictures_folder(store.site, scenario.source_version)
                                if store.site else None)
    if folder is None or not folder.is_dir():
        return Status.SKIP, "no pictures folder (pictures stored in the database)"
    count = sum(1 for p in Path(folder).rglob("*") if p.is_file())
    return Status.PASS, f"{count} files in {folder}"


def survival_checks(survival: Survival) -> tuple[CheckResult, ...]:
    """Start-up blockers and a theme that falls back fail; plugins that will not load warn."""
    results = [CheckResult(f"startup {step}", Status.FAIL if problems else Status.PASS, 0.0,
                           "; ".join(problems) or "no descriptor stops the start")
               for step, problems in survival.startup]
    for plugin in survival.plugins:
        lost = [(step, j) for step, j in plugin.steps if j.fate in NOT_LOADED]
        if lost:
            step, judgement = lost[-1]
            results.append(CheckResult(f"plugin {plugin.system_name}", Status.WARN, 0.0,
                                       f"{judgement.fate.value} in {step}: {judgement.reason}"))
    for step, judgement in survival.theme.steps:
        if judgement.fate in (Fate.FALLS_BACK, Fate.BREAKS_STARTUP):
            results.append(CheckResult(f"theme {step}", Status.FAIL, 0.0, judgement.reason))
    return tuple(results)
