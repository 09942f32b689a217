"""The request filters a real store's settings switch on, played as nopCommerce 4.40+ plays them
(nopcommerce.md §11, "SSL, host, closed store, login blockers"). Each filter reads the store's
Store and Setting rows for every request, so a change made to the database is seen at once."""

from sim_config import section, setting_true

OPEN_WHEN_CLOSED = ("/login", "/logout", "/passwordrecovery", "/multi-factor-verification",
                    "/contactus", "/sitemap.xml", "/robots.txt", "/storeclosed")
# KeepAliveController and InstallController derive from Controller, not BaseController, so the
# HTTPS filter does not run on them (inferred from NWF/Controllers).
NOT_BASE_CONTROLLERS = ("/keepalive/index", "/install")
WRONG_CAPTCHA = "The reCAPTCHA response is invalid or malformed. Please try again."
PAGES = {"/storeclosed": ("Store closed", "<h1>This store is closed</h1>"),
         "/admin/security/accessdenied": ("Access denied", "<h1>Access denied</h1>"),
         "/customer/multifactorauthentication": ("Multi-factor authentication",
                                                 "<h1>Multi-factor authentication</h1>"),
         "/customer/changepassword": ("Change password", "<h1>Change password</h1>")}
SETTINGS = ("seosettings.wwwrequirement", "storeinformationsettings.storeclosed",
            "captchasettings.enabled", "captchasettings.showonloginpage",
            "multifactorauthenticationsettings.forcemultifactorauthentication",
            "securitysettings.adminareaallowedipaddresses")


def key(version):
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


class Request:
    """What the filters need of one request."""

    def __init__(self, handler, route, signed_in):
        self.headers = handler.headers
        self.host = handler.headers.get("Host") or "localhost"
        self.path = handler.path
        self.remote = handler.client_address[0]
        self.local = handler.connection.getsockname()[0]
        self.route = route
        self.signed_in = signed_in

    def is_local(self):
        # WebHelper.IsLocalRequest: remote IP equals the local IP, or is loopback (§11)
        return self.remote == self.local or self.remote.startswith("127.") or self.remote == "::1"


def store_rows(store):
    table = store.t("Store")
    if table is None:
        return []
    names = ", ".join(store.c(c) for c in ("Id", "Url", "SslEnabled", "Hosts"))
    return store.rows(f"SELECT {names} FROM {table} ORDER BY {store.c('DisplayOrder')}, "
                      f"{store.c('Id')}")


def current_store(rows, host):
    # WebStoreContext: the first store whose Hosts lists the request's Host, else the first (§11)
    for row in rows:
        if host.lower() in [h.strip().lower() for h in (row[3] or "").split(",")]:
            return row
    return rows[0] if rows else None


def settings_of(store, store_id):
    # SettingService: a store's own value wins over the shared one (StoreId 0)
    table = store.t("Setting")
    if table is None:
        return {}
    marks = ", ".join(["%s"] * len(SETTINGS))
    found = {}
    rows = store.rows(f"SELECT {store.c('Name')}, {store.c('Value')}, {store.c('StoreId')} "
                      f"FROM {table} WHERE LOWER({store.c('Name')}) IN ({marks})", SETTINGS)
    for name, value, owner in sorted(rows, key=lambda r: r[2] != 0):
        if owner in (0, store_id):
            found[name.lower()] = value or ""
    return found


def is_secured(request, version, appsettings):
    """WebHelper.IsCurrentConnectionSecured per version (§11)."""
    hosting = section(appsettings, "HostingConfig")
    if key(version) < key("4.50"):
        if setting_true(hosting.get("usehttpclusterhttps")) and \
                (request.headers.get("HTTP_CLUSTER_HTTPS") or "").lower() == "on":
            return True
        return setting_true(hosting.get("usehttpxforwardedproto")) and \
            (request.headers.get("X-Forwarded-Proto") or "").lower() == "https"
    if not setting_true(hosting.get("useproxy")):
        return False  # Request.IsHttps only: the sim listens on plain HTTP
    header = hosting.get("forwardedprotoheadername") or "X-Forwarded-Proto"
    if (request.headers.get(header) or "").lower() != "https":
        return False
    if key(version) >= key("4.70"):
        return True  # 4.70+ trusts any sender (§11)
    # 4.50/4.60: ASP.NET's ForwardedHeadersOptions trust loopback and KnownProxies only
    known = [p.strip() for p in str(hosting.get("knownproxies") or "").split(",") if p.strip()]
    return request.remote.startswith("127.") or request.remote in known


def https_redirect(request, store_row, version, appsettings):
    """HttpsRequirementAttribute on BaseController: GET, 301 to https + the request's Host."""
    if store_row is None or not store_row[2] or request.route in NOT_BASE_CONTROLLERS:
        return None
    if is_secured(request, version, appsettings):
        return None
    return 301, f"https://{request.host}{request.path}"


def www_redirect(request, settings, admin):
    """WwwRequirementAttribute on public pages, skipped for local requests (§11)."""
    rule = (settings.get("seosettings.wwwrequirement") or "NoMatter").lower()
    if admin or request.is_local() or request.route in NOT_BASE_CONTROLLERS:
        return None
    has_www = request.host.lower().startswith("www.")
    if rule in ("withwww", "10") and not has_www:
        return 301, f"http://www.{request.host}{request.path}"
    if rule in ("withoutwww", "20") and has_www:
        return 301, f"http://{request.host[4:]}{request.path}"
    return None


def closed_redirect(request, settings, admin):
    """CheckAccessClosedStoreAttribute: public pages 302 /storeclosed; admin unaffected; an
    administrator (AccessClosedStore) passes (§11)."""
    if admin or request.signed_in or request.route in NOT_BASE_CONTROLLERS:
        return None
    if not setting_true(settings.get("storeinformationsettings.storeclosed")):
        return None
    if request.route in OPEN_WHEN_CLOSED:
        return None
    return 302, "/storeclosed"


def admin_redirect(request, settings, store):
    """Signed-in blockers (§11): the admin IP list, forced MFA, an expired password lifetime."""
    allowed = [ip.strip() for ip in (settings.get("securitysettings.adminareaallowedipaddresses")
                                     or "").replace(";", ",").split(",") if ip.strip()]
    if allowed and request.remote not in allowed and request.route != "/admin/security/accessdenied":
        return 302, "/admin/security/accessdenied"
    if not request.signed_in:
        return None
    if setting_true(settings.get(
            "multifactorauthenticationsettings.forcemultifactorauthentication")):
        return 302, "/customer/multifactorauthentication"
    if password_expired(store):
        return 302, "/customer/changepassword"
    return None


def password_expired(store):
    """ValidatePasswordAttribute: the Administrators role has EnablePasswordLifetime and the
    admin's password is older than customersettings.passwordlifetime (90 days): the sim's admin
    password was set when the store was made, long ago."""
    table = store.t("CustomerRole")
    if table is None:
        return False
    rows = store.rows(f"SELECT {store.c('EnablePasswordLifetime')} FROM {table} "
                      f"WHERE {store.c('SystemName')} = %s", ("Administrators",))
    return bool(rows and rows[0][0])


def gate(handler, store, route, signed_in, version, appsettings):
    """(status, location) when a filter answers instead of the page, else None."""
    request = Request(handler, route, signed_in)
    rows = store_rows(store)
    current = current_store(rows, request.host)
    settings = settings_of(store, current[0] if current else 0)
    admin = route.startswith("/admin")
    for answer in (https_redirect(request, current, version, appsettings),
                   www_redirect(request, settings, admin),
                   admin_redirect(request, settings, store) if admin else None,
                   closed_redirect(request, settings, admin)):
        if answer is not None:
            return answer
    return None


def captcha_blocks_login(store):
    """ValidateCaptchaAttribute verifies the token at Google: no way out ⇒ wrong captcha (§11)."""
    settings = settings_of(store, 0)
    return setting_true(settings.get("captchasettings.enabled")) and \
        setting_true(settings.get("captchasettings.showonloginpage"))
