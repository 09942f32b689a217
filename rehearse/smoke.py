"""The smoke checks phase: the upgraded store's pages and data checked, one table of checks."""

from __future__ import annotations

from contextlib import nullcontext

from rehearse import catalog, whole
from rehearse.checks.context import CheckContext, CheckSettings
from rehearse.checks.table import run_checks
from rehearse.checks.web import Pages
from rehearse.database import datasnap
from rehearse.database.beside import side_by_side
from rehearse.database.storedb import baseline
from rehearse.errors import RehearsalFailedError
from rehearse.phases import MARKS, Run
from rehearse.results import Status
from rehearse.runlog import timed
from rehearse.store.appdata import read_plugins

_PREFLIGHT = ("backup", "app-data ", "disk", "pictures", "startup ", "plugin ", "theme ")


def smoke_checks(run: Run) -> None:
    assert run.before is not None and run.plan is not None
    # One `Pages` for every check: a page the page checks fetched, the comparison reuses.
    with Pages(run.store_url) if run.store_url else nullcontext() as pages:
        context = _context(run, pages)
        try:
            run.checks += run_checks(context, on_result=lambda r: run.out.status(
                f"    {MARKS[r.status]} {r.id}: {r.summary}"))
        finally:
            if context.data_after is not None:
                context.data_after.close()
    run.logs.update(context.attachments)
    failed = [r.id for r in run.checks if r.status in (Status.FAIL, Status.ERROR)
              and not r.id.startswith(_PREFLIGHT)]
    if failed:
        noun = "check" if len(failed) == 1 else "checks"
        raise RehearsalFailedError(f"{len(failed)} smoke {noun} failed: {', '.join(failed)}",
                                   hint="the report lists each check's evidence")


def _context(run: Run, pages: Pages | None) -> CheckContext:
    assert run.before is not None and run.plan is not None
    settings = run.scenario.checks
    with timed("key tables counted and data snapshot"), side_by_side(run.db.db) as beside:
        after = beside(baseline)
        data_after = datasnap.take(run.db.db, spilled=True) if run.data_before else None
    return CheckContext(
        base_url=run.store_url, db=run.db.db, source=run.plan.source, target=run.plan.target,
        before=run.before, after=after.result(), log_id_before=run.log_id_before,
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
        data_after=data_after,
        pages=pages)
