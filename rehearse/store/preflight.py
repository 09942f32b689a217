"""App_Data rehearsed on paper before any container starts: every app step's conversion run once
with a placeholder connection, so each mistake is exit 2 up front (nopcommerce.md §3)."""

from __future__ import annotations

from collections.abc import Mapping

from rehearse.catalog import Provider
from rehearse.errors import BadInputError
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
