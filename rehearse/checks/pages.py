"""Page checks against the upgraded store, over its port on 127.0.0.1 (nopcommerce.md §8)."""

from __future__ import annotations

import html
import re

import httpx

from rehearse.checks.context import CheckContext, Outcome
from rehearse.checks.web import LeftTheSandbox, Pages, sandbox_client
from rehearse.database.storedb import first_product
from rehearse.results import Status

ERROR_PAGE = "We're sorry, an internal error occurred"
TIMEOUT = 30.0
_TOKEN = re.compile(r'name="__RequestVerificationToken"[^>]*value="([^"]+)"')
_FOOTER = re.compile(r"nopCommerce version (\d+\.\d+(?:\.\d+)?)")


def _get(context: CheckContext, path: str, **params: str) -> httpx.Response:
    """The page as the run's shared `Pages` has it (fetched once for every check)."""
    assert context.base_url is not None
    if context.pages is not None:
        response: httpx.Response = context.pages.get(path, params)
        return response
    with Pages(context.base_url) as once:  # a context of its own (the rollback's)
        return once.get(path, params)


def _decoded(context: CheckContext, path: str, **params: str) -> str:
    """The page's text as a reader sees it: names like "Levi's" or "Ben & Jerry's" arrive
    HTML-escaped (`Levi&#x27;s`, `Ben &amp; Jerry&#39;s`)."""
    return html.unescape(_get(context, path, **params).text)


def _no_store(context: CheckContext) -> Outcome | None:
    if context.base_url is None:
        return Status.SKIP, f"nopCommerce {context.target} cannot be started on Linux", []
    return None


def _page(context: CheckContext, path: str, **params: str) -> Outcome:
    skipped = _no_store(context)
    if skipped:
        return skipped
    response = _get(context, path, **params)
    evidence = [f"GET {response.request.url.raw_path.decode()} → {response.status_code}"]
    location = response.headers.get("location", "")
    if response.status_code in (301, 302) and "/install" in location.lower():
        return Status.FAIL, "redirects to /install: the store lost its settings", evidence
    if response.status_code != 200:
        return Status.FAIL, f"{path} answered {response.status_code}", evidence
    if ERROR_PAGE in response.text:
        return Status.FAIL, f"{path} shows nopCommerce's error page", evidence
    return Status.PASS, f"{path} answers 200", evidence


def home(context: CheckContext) -> Outcome:
    status, summary, evidence = _page(context, "/")
    if status is Status.PASS and 'content="nopCommerce"' not in _get(context, "/").text:
        return Status.WARN, "/ answers 200 but has no nopCommerce generator tag", evidence
    return status, summary, evidence


def search(context: CheckContext) -> Outcome:
    found = first_product(context.db)
    word = context.settings.search or (found[0].split()[0] if found else None)
    if word is None:
        return Status.SKIP, "the store has no products to search for", []
    status, summary, evidence = _page(context, "/search", q=word)
    if status is not Status.PASS:
        return status, summary, evidence
    text = _decoded(context, "/search", q=word)
    if word.lower() not in text.lower():
        return Status.FAIL, f"/search?q={word} found no product", evidence
    return Status.PASS, f"/search?q={word} finds products", evidence


def product(context: CheckContext) -> Outcome:
    found = first_product(context.db)
    if found is None or found[1] is None:
        return Status.SKIP, "no product with a URL slug in the store", []
    name, slug = found
    status, summary, evidence = _page(context, f"/{slug}")
    if status is Status.PASS and name not in _decoded(context, f"/{slug}"):
        return Status.FAIL, f"/{slug} does not show the product {name!r}", evidence
    return status, summary if status is not Status.PASS else f"/{slug} shows {name!r}", evidence


def login(context: CheckContext) -> Outcome:
    return _page(context, "/login")


def sitemap(context: CheckContext) -> Outcome:
    return _page(context, "/sitemap.xml")


def admin_redirect(context: CheckContext) -> Outcome:
    skipped = _no_store(context)
    if skipped:
        return skipped
    response = _get(context, "/admin")
    location = response.headers.get("location", "")
    evidence = [f"GET /admin → {response.status_code} {location}".rstrip()]
    if response.status_code in (301, 302) and "/login" in location.lower():
        return Status.PASS, "/admin redirects to the login page", evidence
    return Status.FAIL, "/admin does not redirect to /login", evidence


def admin_login(context: CheckContext) -> Outcome:
    settings = context.settings
    if not (settings.admin_email and settings.admin_password):
        return Status.SKIP, "no admin credentials in the scenario", []
    skipped = _no_store(context)
    if skipped:
        return skipped
    assert context.base_url is not None
    try:
        admin = _log_in(context.base_url, settings.admin_email, settings.admin_password)
    except LeftTheSandbox as error:
        return Status.FAIL, f"logging in sent rehearse out of the sandbox ({error})", []
    evidence = [f"GET /admin after login → {admin.status_code} {admin.url.path}"]
    path = admin.url.path.lower()
    # A login blocker (forced MFA, password lifetime, admin IP list) lands elsewhere (§11).
    if admin.status_code != 200 or not path.startswith("/admin") or "accessdenied" in path:
        return Status.FAIL, "logging in as the scenario's admin did not open /admin", evidence
    shown = _FOOTER.search(admin.text)
    if shown is None:
        return Status.PASS, "the admin area opens after logging in", evidence
    evidence.append(f"admin footer: nopCommerce version {shown.group(1)}")
    if not shown.group(1).startswith(str(context.target.line)):
        # A mislabelled image tag once shipped other code (#5799).
        return Status.FAIL, (f"the admin area says nopCommerce {shown.group(1)}, not "
                             f"{context.target}: is the image the right version?"), evidence
    return Status.PASS, f"the admin area opens and shows version {shown.group(1)}", evidence


def _log_in(base_url: str, email: str, password: str) -> httpx.Response:
    with sandbox_client(base_url, follow_redirects=True) as web:
        form = web.get("/login")
        token = _TOKEN.search(form.text)
        fields = {"Email": email, "Password": password}
        if token:  # 4.50+ validates the antiforgery token (nopcommerce.md §7)
            fields["__RequestVerificationToken"] = token.group(1)
        web.post("/login", data=fields)
        return web.get("/admin")


def extra(context: CheckContext) -> Outcome:
    if not context.settings.pages:
        return Status.SKIP, "no extra pages in the scenario", []
    results = [_page(context, path) for path in context.settings.pages]
    evidence = [line for _, _, lines in results for line in lines]
    failed = [summary for status, summary, _ in results if status is not Status.PASS]
    if failed:
        return Status.FAIL, "; ".join(failed), evidence
    return Status.PASS, f"{len(results)} extra pages answer 200", evidence
