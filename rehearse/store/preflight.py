"""App_Data rehearsed on paper before any container starts: every app step's conversion run once
with a placeholder connection, so each mistake is exit 2 up front (nopcommerce.md §3)."""

from __future__ import annotations

from collections.abc import Mapping

from rehearse import catalog
from rehearse.catalog import Mechanism, Provider
from rehearse.errors import BadInputError
from rehearse.planner import Plan
from rehearse.store.appdata import Files, prepare, read_settings, sandbox_connection_string
from rehearse.store.intake import check_environment
from rehearse.version import Version


def check_app_data(files: Files, source: Version, app_steps: list[Version], declared: Provider,
                   backup: Provider, env: Mapping[str, str]) -> None:
    settings = read_settings(files)
    if not settings.provider is declared is backup:
        raise BadInputError(
            f"the store's database is described three ways: App_Data ({settings.source}) says "
            f"{settings.provider.value}, the scenario says {declared.value}, the backup is "
            f"{backup.value}", hint="all three must name the same database; check store.provider, "
            "store.backup and store.app_data belong to the same store")
    check_environment(env, app_steps)
    before = source
    for target in app_steps:
        placeholder = sandbox_connection_string(declared, "sandbox", 1, "nopcommerce", "user",
                                                "placeholder", target)
        files = prepare(files, before, target, placeholder).files
        before = target


def app_versions(plan: Plan) -> list[Version]:
    """The versions that start as an app, in order (the last script step's target too)."""
    versions = [s.target for s in plan.steps if s.kind is Mechanism.APP_MIGRATION]
    if plan.steps and plan.steps[-1].kind is Mechanism.SQL_SCRIPT and \
            catalog.release(plan.target).linux_container:
        versions.append(plan.target)
    return versions
