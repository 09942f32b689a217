"""After each start nopCommerce has the last word: which plugins it did not load (its admin
warnings page) and which theme it renders with, compared with the survival table (§11)."""

from __future__ import annotations

import html
import re
import time

import httpx

from rehearse.checks.web import sandbox_client
from rehearse.database.storedb import Database, Tables
from rehearse.results import CheckResult, Status
from rehearse.store.survival import NOT_LOADED, Fate, Survival
from rehearse.version import Version

TIMEOUT = 30.0
WARNINGS = "/Admin/Common/Warnings"
_TOKEN = re.compile(r'name="__RequestVerificationToken"[^>]*value="([^"]+)"')
# Resource texts: 4.00-4.60 Admin.System.Warnings.PluginNotLoaded; 4.70+ PluginNotCompatible
# WithCurrentVersion and PluginMainAssemblyNotFound (UpgradeTo470 LocalizationMigration).
_NOT_LOADED = (re.compile(r"'([^'<>]+)' plugin is not compatible or cannot be loaded\."),
               re.compile(r"([\w.\-]+): The plugin isn't compatible with the current version\."),
               re.compile(r"([\w.\-]+): The main assembly isn't found\."))
_STYLESHEET = re.compile(r'/Themes/([^/"]+)/Content/css/styles\.css', re.IGNORECASE)


def not_loaded(base_url: str, email: str, password: str) -> set[str] | None:
    """The plugins the warnings page lists; None when the admin could not get in."""
    try:
        return _warnings(base_url, email, password)
    except httpx.HTTPError:  # a redirect out of the sandbox (SSL kept with --as-is), no answer
        return None


def _warnings(base_url: str, email: str, password: str) -> set[str] | None:
    with sandbox_client(base_url, follow_redirects=True) as web:
        form = web.get("/login")
        # Username too: with customersettings.usernamesenabled the form asks for it instead
        fields = {"Email": email, "Username": email, "Password": password}
        token = _TOKEN.search(form.text)
        if token:  # 4.50+ validates the antiforgery token (nopcommerce.md §7)
            fields["__RequestVerificationToken"] = token.group(1)
        web.post("/login", data=fields)
        page = web.get(WARNINGS)
    if page.status_code != 200 or "/login" in page.url.path.lower():
        return None
    text = html.unescape(page.text)
    return {m.group(1) for pattern in _NOT_LOADED for m in pattern.finditer(text)}


def plugin_check(survival: Survival, step: Version, seen: set[str] | None) -> CheckResult:
    started = time.monotonic()
    if seen is None:
        return CheckResult(f"plugins {step}", Status.SKIP, 0.0, "the throwaway administrator "
                           f"could not open {WARNINGS}")
    promised, expected = [], []
    for plugin in survival.plugins:
        judgement = dict(plugin.steps).get(str(step))
        if judgement is None or plugin.system_name not in seen:
            continue
        if judgement.fate in (Fate.LOADS, Fate.BUNDLED):
            promised.append(f"{plugin.system_name}: the table said {judgement.fate.value} "
                            f"({judgement.reason}), nopCommerce {step} did not load it")
        elif judgement.fate in NOT_LOADED:
            expected.append(f"{plugin.system_name}: {judgement.reason}")
    seconds = time.monotonic() - started
    evidence = (f"{WARNINGS} lists: {', '.join(sorted(seen)) or 'no plugin'}",
                *promised, *expected)
    if promised:
        return CheckResult(f"plugins {step}", Status.FAIL, seconds,
                           f"{len(promised)} plugin(s) the table promised did not load", evidence)
    if expected:
        return CheckResult(f"plugins {step}", Status.WARN, seconds,
                           f"{len(expected)} plugin(s) not loaded, as predicted", evidence)
    return CheckResult(f"plugins {step}", Status.PASS, seconds,
                       "nopCommerce loaded every plugin the table said would load", evidence)


def theme_check(base_url: str, db: Database, configured: str | None, step: Version,
                log_id_before: int) -> CheckResult:
    """The theme the home page is rendered with; a view that fails to compile names itself."""
    name = f"rendered-theme {step}"
    try:
        with sandbox_client(base_url, follow_redirects=True) as web:
            home = web.get("/")
    except httpx.HTTPError as error:  # SSL kept with --as-is: a redirect out of the sandbox
        return CheckResult(name, Status.SKIP, 0.0, f"the home page could not be read ({error})")
    if home.status_code >= 500:
        line = _compile_error(db, log_id_before)
        return CheckResult(name, Status.FAIL, 0.0, f"the home page fails ({home.status_code}): "
                           f"{line or 'no Log entry'}", (line,) if line else ())
    shown = _STYLESHEET.search(home.text)
    rendered = shown.group(1) if shown else None
    evidence = (f"GET / → {home.status_code}, stylesheet of theme {rendered or '(none)'}",)
    if configured is None or rendered is None:
        return CheckResult(name, Status.SKIP, 0.0, "no configured theme or no stylesheet seen",
                           evidence)
    if rendered.lower() != configured.lower():
        return CheckResult(name, Status.FAIL, 0.0, f"pages render with {rendered}, not the "
                           f"configured {configured}", evidence)
    return CheckResult(name, Status.PASS, 0.0, f"pages render with {rendered}", evidence)


def _compile_error(db: Database, after_id: int) -> str | None:
    table = Tables(db.table_names()).find("Log")
    if table is None:
        return None
    _, rows = db.query(f"SELECT {db.quote('FullMessage')} FROM {db.quote(table)} WHERE "
                       f"{db.quote('Id')} > {after_id} ORDER BY {db.quote('Id')} DESC")
    for (message,) in rows:
        text = str(message or "")
        if "compilation failures" in text:
            return next((line.strip() for line in text.splitlines() if "error CS" in line),
                        text.splitlines()[0])
    return None
