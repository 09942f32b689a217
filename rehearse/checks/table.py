"""Smoke checks: one table of them, each a function of the rehearsal's context to a result."""

from __future__ import annotations

import time
from collections.abc import Callable

from rehearse.checks import customer_view, data, data_diff, pages
from rehearse.checks.context import CheckContext, Outcome
from rehearse.results import CheckResult, Status

Check = Callable[[CheckContext], Outcome]

CHECKS: tuple[tuple[str, Check], ...] = (
    ("page.home", pages.home),
    ("page.search", pages.search),
    ("page.product", pages.product),
    ("page.login", pages.login),
    ("page.admin-redirect", pages.admin_redirect),
    ("page.admin-login", pages.admin_login),
    ("page.sitemap", pages.sitemap),
    ("page.extra", pages.extra),
    ("store.diff", customer_view.store_diff),
    ("data.rows", data.rows),
    ("data.migrations", data.migrations),
    ("data.log-errors", data.log_errors),
    ("data.plugins", data.plugins),
    ("data.catalogue", data_diff.catalogue),
    ("data.slugs", data_diff.slugs),
    ("data.permissions", data_diff.permissions),
    ("data.localization", data_diff.localization),
    ("data.settings", data_diff.settings),
    ("data.customers-460", data_diff.customers_460),
)


def run_checks(context: CheckContext,
               on_result: Callable[[CheckResult], None] | None = None,
               table: tuple[tuple[str, Check], ...] = CHECKS) -> tuple[CheckResult, ...]:
    results = []
    for check_id, check in table:
        started = time.monotonic()
        try:
            status, summary, evidence = check(context)
        except Exception as error:  # noqa: BLE001 - the runner turns a broken check into a result
            status, summary, evidence = Status.ERROR, f"{type(error).__name__}: {error}", []
        result = CheckResult(check_id, status, time.monotonic() - started, summary,
                             tuple(evidence))
        results.append(result)
        if on_result is not None:
            on_result(result)
    return tuple(results)
