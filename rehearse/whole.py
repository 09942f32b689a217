"""The whole store in a run: the survival table judged first, the chosen plugin builds and
themes copied into each app step, a throwaway administrator, and nopCommerce's own answer
after each start compared with the table (nopcommerce.md §11)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from rehearse.checks.preflight import app_steps, preflight, store_image, survival_checks
from rehearse.checks.survival import not_loaded, plugin_check, theme_check
from rehearse.database.sandbox_admin import create_admin
from rehearse.sandbox import host
from rehearse.store.appdata import Files, read_folder
from rehearse.store.site import SITE, pictures_folder
from rehearse.store.survival import judge, plugin_folders, theme_folders
from rehearse.store.themes import configured_theme
from rehearse.version import Version

if TYPE_CHECKING:
    from rehearse.phases import Run

# Tests switch this off to show nopCommerce (the stand-in) refusing the site's old builds.
DEPLOY_NEW_BUILDS = True


def judge_survival(run: Run) -> None:
    """The same judgement `rehearse check` makes; nopCommerce has the last word later."""
    scenario = run.scenario
    run.preflight = preflight(scenario, lambda v: store_image(scenario, v), host.has_image)
    run.survival = run.preflight.survival
    run.checks = tuple(c for c in run.preflight.checks if not c.id.startswith("image "))
    if not run.pictures and scenario.store.site is not None:
        folder = pictures_folder(scenario.store.site, scenario.source_version)
        run.pictures = read_folder(folder) if folder.is_dir() else {}


def judge_theme(run: Run) -> None:
    """The theme the store really has configured, from its settings (§11)."""
    theme = configured_theme(run.db.db)
    if run.preflight is None or theme is None:
        return
    store = replace(run.preflight.store, theme=theme)
    run.preflight = replace(run.preflight, store=store)
    run.survival = judge(store, app_steps(run.preflight.plan))
    run.checks = tuple(c for c in run.checks if not c.id.startswith("theme ")) + tuple(
        c for c in survival_checks(run.survival) if c.id.startswith("theme "))


def sandbox_admin(run: Run) -> tuple[str, ...]:
    admin = create_admin(run.db.db)
    if admin is None:
        return ()
    run.out.add_secret(admin.password)  # before anything could print it
    run.admin = admin
    return (admin.made_safe,)


def admin_credentials(run: Run) -> tuple[str | None, str | None]:
    """The scenario's admin when it names one, else the throwaway one."""
    named = run.scenario.checks.admin
    if named is not None:
        return named.email, named.password
    if run.admin is not None:
        return run.admin.email, run.admin.password
    return None, None


def store_folders(run: Run, target: Version) -> tuple[Files, Files]:
    """The plugin builds chosen for this version and the themes, as {folder/path: bytes}."""
    if run.preflight is None:
        return {}, {}
    store = run.preflight.store
    # The store's own version (a start before the upgrade) runs what production runs.
    if not DEPLOY_NEW_BUILDS or target.line <= run.scenario.source_version.line:
        store = replace(store, plugins=tuple(b for b in store.plugins if b.where == SITE),
                        themes=tuple(b for b in store.themes if b.where == SITE))
    return _flatten(plugin_folders(store, target)), _flatten(theme_folders(store))


def _flatten(folders: Mapping[str, Mapping[str, bytes]]) -> Files:
    return {f"{folder}/{name}": files[name] for folder, files in folders.items() for name in files}


def after_start(run: Run, target: Version, base_url: str) -> None:
    """nopCommerce's answer: the plugins its warnings page lists, the theme it renders."""
    if run.survival is None or run.preflight is None:
        return
    seen = None if run.admin is None else not_loaded(base_url, run.admin.email,
                                                     run.admin.password)
    results = (plugin_check(run.survival, target, seen),
               theme_check(base_url, run.db.db, run.preflight.store.theme, target,
                           run.log_id_before))
    from rehearse.phases import MARKS  # loaded already: phases calls in here

    for result in results:
        run.out.status(f"    {MARKS[result.status]} {result.id}: {result.summary}")
    run.checks += results
