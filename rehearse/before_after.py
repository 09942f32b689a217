"""The phases that compare the store with itself: what customers see on the source version,
recorded before the upgrade (compared by the `store.diff` check), and a second start of the
target that must change nothing."""

from __future__ import annotations

import time
from contextlib import closing

from rehearse import catalog
from rehearse.appsteps import serve, started_app
from rehearse.checks import storefront
from rehearse.checks.context import Storefront
from rehearse.checks.sample import draw
from rehearse.database import customers460, datasnap, fingerprint
from rehearse.database.beside import side_by_side
from rehearse.errors import RehearsalFailedError
from rehearse.phases import MARKS, Run
from rehearse.results import CheckResult, Status
from rehearse.store.app import AppStartFailedError
from rehearse.version import Version

# Written by every start or every visit, not by migrations: "Application started" goes into Log
# (nopcommerce.md §5), each visitor without a cookie becomes a guest Customer with its
# GenericAttributes, and 4.90 stamps the license-check setting at start-up (§5).
WRITTEN_BY_ANY_START = ("Log", "ActivityLog", "Customer", "GenericAttribute")
SETTINGS_BY_ANY_START = ("adminareasettings.licenseterms",)
RESTART_CHECK = "restart.changes-nothing"


def record_before(run: Run) -> None:
    """After make safe (whose changes are not the upgrade's), before any app starts."""
    settings = run.scenario.checks.store_diff
    with side_by_side(run.db.db) as beside:
        drawn = beside(draw, settings.sample, settings.seed) if settings.enabled else None
        run.data_before = datasnap.take(run.db.db, spilled=True)
    run.stack.callback(run.data_before.close)
    if run.plan and run.plan.source.line < Version(4, 60) <= run.plan.target.line:
        run.customers_before = customers460.before(run.db.db)
    if drawn is None:
        return
    sample = drawn.result()
    source = run.scenario.source_version
    release = catalog.release(source)
    if not release.linux_container:
        reason = (f"nopCommerce {source} cannot run in a Linux container ({release.runtime}); "
                  "the data checks still run")
        run.storefront = Storefront(sample, None, reason)
        run.out.status(f"    page comparison not possible: {reason}")
        return
    log_name = f"store-{source}-before.log"
    try:
        with started_app(run, source) as (url, result):
            run.out.status(f"    recording what customers see on {source} "
                           f"({sample.size} pages sampled)")
            run.storefront = Storefront(sample, storefront.record(url, sample))
    except AppStartFailedError as error:
        run.logs[log_name] = error.log
        raise
    run.logs[log_name] = result.start.log


def _startup_noise(before: fingerprint.Fingerprint) -> fingerprint.Fingerprint:
    counts = {t: n for t, n in before.counts.items() if t not in WRITTEN_BY_ANY_START}
    settings = {k: v for k, v in before.settings.items()
                if k.split("/")[0].lower() not in SETTINGS_BY_ANY_START}
    return fingerprint.Fingerprint(counts, settings, before.resources)


def second_start(run: Run) -> None:
    """Stop the upgraded store and start it again: no migration, no row, no setting may change.
    Its time is the store's restart time."""
    if not run.scenario.checks.second_start or run.store_url is None or run.plan is None:
        return
    run.app_stack.close()
    with closing(fingerprint.take(run.db.db)) as taken:
        before = _startup_noise(taken)
        started = time.monotonic()
        result = serve(run, run.plan.target)
        seconds = time.monotonic() - started
        run.logs[f"store-{run.plan.target}-restart.log"] = result.start.log
        with closing(fingerprint.take(run.db.db)) as after:
            found = fingerprint.changes(before, _startup_noise(after), run.db.db)
    if result.start.migrations:
        names = ", ".join(m.name.split(".")[-1] for m in result.start.migrations)
        found.insert(0, f"{len(result.start.migrations)} migrations ran again: {names}")
    check = _restart_result(found, seconds, str(run.plan.target))
    run.checks += (check,)
    run.out.status(f"    {MARKS[check.status]} {check.id}: {check.summary}")
    if found:
        raise RehearsalFailedError(f"a second start of {run.plan.target} changed the store: "
                                   f"{found[0]}", hint="the report lists every change; a "
                                   "migration that runs on every start is a bug to report")


def _restart_result(found: list[str], seconds: float, target: str) -> CheckResult:
    if found:
        return CheckResult(RESTART_CHECK, Status.FAIL, seconds,
                           f"a second start of {target} changed the store", tuple(found))
    return CheckResult(RESTART_CHECK, Status.PASS, seconds,
                       f"a second start of {target} changed nothing (restart took "
                       f"{seconds:.1f} s)")
