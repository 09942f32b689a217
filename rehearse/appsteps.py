"""The upgrade phase: each step of the plan, an upgrade script run on the sandbox database or
an app of the step's version started on it; and the app starts other phases ask for."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager

from rehearse import catalog, whole
from rehearse.catalog import Mechanism
from rehearse.database.engines import ENGINES
from rehearse.database.scriptrun import run_script
from rehearse.errors import RehearsalFailedError
from rehearse.phases import Run, script_path, store_image
from rehearse.planner import Step
from rehearse.results import STAND_IN_LABEL, ImagesUsed, MigrationTiming, Status, StepResult
from rehearse.sandbox import host
from rehearse.sandbox.service import Service
from rehearse.store.app import AppSpec, AppStartFailedError
from rehearse.store.step import AppStepResult, DatabaseAddress, app_step
from rehearse.version import Version


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
    path = script_path(run, step)
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


def _starting(run: Run, target: Version, carry: bool = False) -> AbstractContextManager[
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
                    on_line=lambda line: _app_line(run, line), carry=carry)


@contextmanager
def started_app(run: Run, version: Version) -> Iterator[tuple[str, AppStepResult]]:
    """An app of `version` for the length of the block; its App_Data is not carried on."""
    with _starting(run, version) as (service, result):
        yield _url(service), result


def _url(service: Service) -> str:
    return f"http://{service.endpoint.host}:{service.endpoint.port}"


def serve(run: Run, target: Version, carry: bool = False) -> AppStepResult:
    """Start `target` and leave it up for the checks (the run's stack stops it at teardown)."""
    run.app_stack = run.stack.enter_context(ExitStack())
    service, result = run.app_stack.enter_context(_starting(run, target, carry))
    run.store_url = _url(service)
    return result


def _app_step(run: Run, source: Version, target: Version, keep_running: bool) -> None:
    log_name = f"store-{target}.log"
    image = store_image(run, target)
    started = time.monotonic()
    try:
        if keep_running:
            result = serve(run, target, carry=True)
            assert run.store_url is not None
            whole.after_start(run, target, run.store_url)
        else:
            with _starting(run, target, carry=True) as (service, result):
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


def _step_result(source: Version, target: Version, kind: Mechanism, status: Status,
                 started: float, detail: str, migrations: tuple[MigrationTiming, ...] = (),
                 changes: tuple[str, ...] = (), log: str | None = None,
                 images: ImagesUsed | None = None) -> StepResult:
    return StepResult(str(source), str(target), kind.value, status,
                      time.monotonic() - started, detail, migrations, changes, log, images)
