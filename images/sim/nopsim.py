"""nopsim: behaves, from the outside, like a nopCommerce 4.40+ container starting on a store.

Settings:   NOP_SIM_VERSION (4.40 ... 4.90) is the version it plays.
Misbehave:  NOP_SIM_FAIL_MIGRATION=4.60   its Data migration fails: rollback, unhandled exception
            NOP_SIM_LOSE_ROWS=Product:5   delete rows while migrating
            NOP_SIM_LOG_ERRORS=3          write error rows into the Log table
            NOP_SIM_DROP_PLUGIN=Name      drop a plugin from plugins.json
            NOP_SIM_SLOW_SECONDS=30       each migration takes this long
            NOP_SIM_LOSE_SETTINGS=1       start as if App_Data held no settings (→ /install)
            NOP_SIM_EAT_MB=500            allocate this much while migrating (out of memory)
            NOP_SIM_SLOW_PAGES=2          every page takes this long
            NOP_SIM_ADMIN=email:password  the admin who can log in (admin@yourstore.com:admin)
            NOP_SIM_MOVE_ALL_CUSTOMER_ROWS=1  4.60 deletes every KeyGroup='Customer' row
Database:   exact table names and the 4.60 customer move, as nopCommerce (sim_db.py)
"""

import html
import json
import os
import re
import sys
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlparse

import sim_catalog
import sim_changes
import sim_data
import sim_db
import sim_plugins

APP_DATA = "/app/App_Data"
LINES = ["4.30", "4.40", "4.50", "4.60", "4.70", "4.80", "4.90"]
LABELS = {"4.40": "4.40.0", "4.50": "4.50.0", "4.60": "4.60", "4.70": "4.70", "4.80": "4.80",
          "4.90": "4.90"}
VERSION = os.environ.get("NOP_SIM_VERSION", "4.70")

# A real store's settings, outside services and migration-added tasks (nopcommerce.md §11).
import sim_config  # noqa: E402
import sim_requests  # noqa: E402
import sim_tasks  # noqa: E402


def key(version):
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


def log(level, category, message):
    print(f"{level}: {category}\n      {message}", flush=True)


def crash(exception, message, code=134):
    print(f"Unhandled exception. {exception}: {message}", flush=True)
    print("   at Nop.Web.Program.Main(String[] args)", flush=True)
    sys.exit(code)


def path(name):
    return os.path.join(APP_DATA, name)


def read_json(name):
    with open(path(name), encoding="utf-8-sig") as stream:
        text = stream.read()
    return json.loads(text) if text.strip() else None


def load_settings():
    """The connection string and provider, converting legacy files as the real app does."""
    legacy = [n for n in ("dataSettings.json", "Settings.txt") if os.path.exists(path(n))]
    if key(VERSION) >= key("4.50"):
        if legacy:
            provider, connection = read_legacy(legacy[0])
            settings = read_json("appsettings.json") if os.path.exists(path("appsettings.json")) \
                else {}
            settings = settings or {}
            settings["ConnectionStrings"] = {"ConnectionString": connection,
                                             "DataProvider": provider, "SQLCommandTimeout": None}
            with open(path("appsettings.json"), "w", encoding="utf-8") as stream:
                json.dump(settings, stream, indent=2)
            for name in legacy:
                os.remove(path(name))
        if not os.path.exists(path("appsettings.json")):
            return None, ""
        section = {k.lower(): v for k, v in
                   ((read_json("appsettings.json") or {}).get("ConnectionStrings") or {}).items()}
        return str(section.get("dataprovider") or "sqlserver").lower(), \
            section.get("connectionstring") or ""
    if not legacy:
        return None, ""
    if legacy[0] == "dataSettings.json" and read_json(legacy[0]) is None:
        return None, ""  # ≤4.40: an empty dataSettings.json means not installed (§3)
    return read_legacy(legacy[0])


def read_legacy(name):
    if name == "dataSettings.json":
        data = read_json(name)
        if data is None:
            crash("System.NullReferenceException", "Object reference not set to an instance of an "
                  "object. at LoadDataSettingsFromOldJsonFile")
        return str(data.get("DataProvider") or "sqlserver").lower(), \
            data.get("DataConnectionString") or ""
    pairs = {}
    with open(path(name), encoding="utf-8-sig") as stream:
        for line in stream:
            k, _, v = line.partition(":")
            pairs[k.strip()] = v.strip()
    return pairs.get("DataProvider", "sqlserver").lower(), pairs.get("DataConnectionString", "")


def parse_connection(text):
    parts = {}
    for item in text.split(";"):
        k, sep, v = item.partition("=")
        if sep:
            parts[k.strip().lower()] = v.strip()
    return parts


class Store:
    """The store's database; tables named exactly as nopCommerce names them (sim_db)."""

    def __init__(self, provider, connection):
        parts = parse_connection(connection)
        self.lock = threading.RLock()  # write_log holds it across two statements
        self.provider = provider
        if provider == "postgresql":
            import psycopg2
            self.conn = psycopg2.connect(host=parts.get("server"), port=parts.get("port", 5432),
                                         dbname=parts.get("database"), user=parts.get("user id"),
                                         password=parts.get("password"), connect_timeout=10)
            self.conn.autocommit = True
            self.q = '"'
        elif provider == "mysql":
            import pymysql
            self.conn = pymysql.connect(host=parts.get("server"),
                                        port=int(parts.get("port", 3306)),
                                        database=parts.get("database"), user=parts.get("uid"),
                                        password=parts.get("pwd"), autocommit=True,
                                        connect_timeout=10, charset="utf8mb4")
            self.q = "`"
        else:
            crash("System.PlatformNotSupportedException", f"nopsim cannot play {provider}")
        self.columns = {}

    def column_names(self, table):
        with self.lock:
            cursor = self.conn.cursor()
            cursor.execute(f"SELECT * FROM {table} WHERE 1 = 0")
            return [d[0] for d in cursor.description]

    def t(self, name):
        return sim_db.quoted(self, name)

    def has(self, name):
        return sim_db.exists(self, name)

    def c(self, name):
        return f"{self.q}{name}{self.q}"

    def rows(self, sql, args=()):
        with self.lock:
            cursor = self.conn.cursor()
            cursor.execute(sql, args)
            return cursor.fetchall() if cursor.description else []


def db_version(store):
    table = store.t("MigrationVersionInfo")
    if not store.has("MigrationVersionInfo"):
        crash("System.Data.SqlClient.SqlException", "Invalid object name 'MigrationVersionInfo'. "
              "The database is older than 4.30: run the upgrade scripts first")
    found = "4.30"
    for (description,) in store.rows(f"SELECT {store.c('Description')} FROM {table}"):
        match = re.search(r"nopCommerce version (\d+\.\d+)", description or "")
        if match and match.group(1) in LINES and key(match.group(1)) > key(found):
            found = match.group(1)
    return found


def migrate(store, current):
    pending = [v for v in LINES if key(current) < key(v) <= key(VERSION)]
    table = store.t("MigrationVersionInfo")
    for n, version in enumerate(pending):
        for offset, kind in ((5, "Data"), (10, "Localization"), (15, "Settings")):
            number = 637273440000000000 + LINES.index(version) * 10**13 + offset
            name = f"Nop.Web.Framework.Migrations.UpgradeTo{version.replace('.', '')}.{kind}Migration"
            log("info", "FluentMigrator.Runner.MigrationRunner[1000]", f"{number}: {name} migrating")
            time.sleep(float(os.environ.get("NOP_SIM_SLOW_SECONDS", "0.05")))
            if os.environ.get("NOP_SIM_FAIL_MIGRATION") == version and kind == "Data":
                log("fail", "FluentMigrator.Runner.MigrationRunner[0]",
                    "An error occurred executing the following sql: ALTER TABLE Customer ADD "
                    "TaxDisplayTypeId int NULL. Invalid column name 'TaxDisplayTypeId'")
                log("info", "FluentMigrator.Runner.MigrationRunner[0]", "Rolling back transaction")
                crash("System.AggregateException", "One or more errors occurred. (An error "
                      "occurred executing the following sql)")
            label = f"nopCommerce version {LABELS[version]}. Update {kind}"
            sim_tasks.add_tasks(store, version, kind)
            store.rows(f"INSERT INTO {table} VALUES (%s, %s, %s)", (number, datetime.utcnow(), label))
            sim_data.on_migration(store, version, kind)
            if version == "4.60" and kind == "Data" and store.has("GenericAttribute"):
                sim_db.move_customer_attributes(store)  # nopcommerce.md §11
            log("info", "FluentMigrator.Runner.MigrationRunner[1000]", f"{number}: {name} migrated")
    sim_changes.after_migrations(store, bool(pending))
    return bool(pending)


def misbehave(store, migrated):
    lose = os.environ.get("NOP_SIM_LOSE_ROWS")
    if lose and migrated:  # rows lost *while migrating*: a start with nothing to do loses none
        name, _, count = lose.partition(":")
        table = store.t(name)
        ids = [r[0] for r in store.rows(f"SELECT {store.c('Id')} FROM {table} "
                                        f"ORDER BY {store.c('Id')} DESC")][: int(count or 1)]
        for row_id in ids:
            store.rows(f"DELETE FROM {table} WHERE {store.c('Id')} = %s", (row_id,))
    errors = int(os.environ.get("NOP_SIM_LOG_ERRORS", "0"))
    for n in range(errors):
        write_log(store, 40, f"Simulated error {n + 1}: Object reference not set to an instance")
    drop = os.environ.get("NOP_SIM_DROP_PLUGIN")
    if drop and os.path.exists(path("plugins.json")):
        data = read_json("plugins.json") or {}
        data["InstalledPlugins"] = [p for p in data.get("InstalledPlugins") or []
                                    if p.get("SystemName") != drop]
        with open(path("plugins.json"), "w", encoding="utf-8") as stream:
            json.dump(data, stream, indent=2)


def write_log(store, level, message):
    table = store.t("Log")
    if not store.has("Log"):
        return
    columns = ", ".join(store.c(c) for c in ("Id", "LogLevelId", "ShortMessage", "FullMessage",
                                              "CreatedOnUtc"))
    # nopCommerce's Log.Id, as every entity's Id, is numbered by the database (an identity
    # column), so requests answered at once each get their row (nopcommerce.md §8: every 404 is
    # logged). The generated store's Id has no default: the next one is taken under the lock
    # that serialises this app's statements, never by two requests at once.
    with store.lock:
        (top,) = store.rows(f"SELECT COALESCE(MAX({store.c('Id')}), 0) FROM {table}")[0]
        store.rows(f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s)",
                   (top + 1, level, message, message, datetime.utcnow()))


PAGE = ("<!DOCTYPE html><html><head><title>{title}</title>"
        '<meta name="generator" content="nopCommerce" /></head><body>{body}</body></html>')


class Handler(BaseHTTPRequestHandler):
    store = None
    appsettings = {}

    def signed_in(self):
        return "NopSimAdmin=1" in (self.headers.get("Cookie") or "")

    def gated(self, route):
        """A real store's request filters answering instead of the page (sim_requests)."""
        if self.store is None:
            return False
        answer = sim_requests.gate(self, self.store, route, self.signed_in(), VERSION,
                                   self.appsettings)
        if answer:
            self.send(answer[0], location=answer[1])
        elif route in sim_requests.PAGES:
            self.page(*sim_requests.PAGES[route])
        return bool(answer) or route in sim_requests.PAGES

    def log_message(self, *args):
        pass

    def send(self, status, body="", location=None, kind="text/html; charset=utf-8"):
        data = body.encode()
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def page(self, title, body, public=True):
        text = PAGE.format(title=html.escape(title), body=body)
        if public and self.store is not None:  # the store's theme (sim_plugins.py, §11)
            failure = sim_plugins.view_failure(self.store)
            if failure:
                write_log(self.store, 40, failure)
                return self.send(500, PAGE.format(title="Error", body="<h1>Error</h1>"))
            text = text.replace("</head>", sim_plugins.stylesheet(self.store) + "</head>")
        self.send(200, text)

    def do_GET(self):
        time.sleep(float(os.environ.get("NOP_SIM_SLOW_PAGES", "0")))
        url = urlparse(self.path)
        route = url.path.rstrip("/").lower() or "/"
        if self.gated(route):
            return
        if self.store is None:
            if route == "/install":
                return self.page("Installation", "<h1>nopCommerce installation</h1>")
            return self.send(302, location="/install")
        store = self.store
        if route == "/keepalive/index":
            return self.send(200)
        if route == "/install":
            return self.send(302, location="/")
        if route == "/":
            return self.page("Your store", sim_catalog.home(store))
        if route == "/search":
            q = parse_qs(url.query).get("q", [""])[0]
            return self.page("Search", sim_catalog.search(store, q))
        if route == "/login":
            token = '<input name="__RequestVerificationToken" type="hidden" value="simtoken" />'
            return self.page("Login", f"<form method='post'>{token}<input name='Email'/>"
                                      "<input name='Password'/></form>")
        if route.startswith("/admin"):
            if "NopSimAdmin=1" in (self.headers.get("Cookie") or ""):
                if route == "/admin/common/warnings":
                    return self.page("System warnings", sim_plugins.warnings_html(VERSION), False)
                return self.page("Administration", "<div class='footer'>nopCommerce version "
                                 f"{VERSION}.0</div>", False)
            return self.send(302, location="/login?ReturnUrl=" + quote(url.path, safe=""))
        if route == "/sitemap.xml":
            # nopCommerce's sitemap lists the same entities in the same order on every request
            # (Nop.Web/Factories/SitemapModelFactory.cs, GenerateUrlsAsync: ordered service
            # queries); without ORDER BY a database returns any 50 rows, and a restored 1 GB
            # store other ones.
            urls = store.rows(f"SELECT {store.c('Slug')} FROM {store.t('UrlRecord')} "
                              f"ORDER BY {store.c('Id')} LIMIT 50")
            body = "".join(f"<url><loc>http://localhost/{s}</loc></url>" for (s,) in urls)
            return self.send(200, f'<?xml version="1.0"?><urlset>{body}</urlset>',
                             kind="application/xml")
        return self.by_slug(route.lstrip("/"), parse_qs(url.query))

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode())
        email, password = (os.environ.get("NOP_SIM_ADMIN", "admin@yourstore.com:admin")
                           .split(":", 1))
        given = form.get("Email", [""])[0], form.get("Password", [""])[0]
        ok = ((given == (email, password) or sim_plugins.customer_login(self.store, *given))
              and form.get("__RequestVerificationToken", [""])[0] == "simtoken")
        if self.store is not None and sim_requests.captcha_blocks_login(self.store):
            return self.page("Login", f"<div class='message-error'>{sim_requests.WRONG_CAPTCHA}</div>")
        if urlparse(self.path).path.lower() != "/login" or not ok:
            return self.page("Login", "<div class='message-error'>Login was unsuccessful.</div>")
        self.send_response(302)
        self.send_header("Location", "/")
        self.send_header("Set-Cookie", "NopSimAdmin=1; Path=/; HttpOnly")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def by_slug(self, slug, query):
        store = self.store
        urls = store.t("UrlRecord")
        found = store.rows(f"SELECT {store.c('EntityId')}, {store.c('EntityName')} FROM {urls} "
                           f"WHERE LOWER({store.c('Slug')}) = %s", (slug,)) if urls else []
        page = int((query.get("pagenumber") or ["1"])[0] or 1)
        renderers = {"Product": lambda i: sim_catalog.product(store, i),
                     "Category": lambda i: sim_catalog.category(store, i, page),
                     "Topic": lambda i: sim_catalog.topic(store, i)}
        shown = renderers[found[0][1]](found[0][0]) if found and found[0][1] in renderers else None
        if shown is not None:
            return self.page(*shown)
        write_log(store, 40, f"Error 404. The requested page (/{slug}) was not found")
        return self.send(404, PAGE.format(title="Page not found", body="<h1>Page not found</h1>"))


def start_config():
    """App_Data/appsettings.json as .NET configuration loads it, outside services checked."""
    try:
        appsettings = sim_config.load_appsettings()
    except sim_config.DuplicateKey as error:
        crash("System.FormatException", f"A duplicate key '{error}' was found.")
    redis = sim_config.unreachable_redis(appsettings)
    if redis:
        crash("StackExchange.Redis.RedisConnectionException", "It was not possible to connect "
              f"to the redis server(s). UnableToConnect on {redis}")
    return appsettings


def listen():
    server = ThreadingHTTPServer(("0.0.0.0", 80), Handler)  # bound before saying so, as Kestrel
    log("info", "Microsoft.Hosting.Lifetime[14]", "Now listening on: http://[::]:80")
    log("info", "Microsoft.Hosting.Lifetime[0]", "Application started. Press Ctrl+C to shut down.")
    server.serve_forever()


def main():
    log("info", "Nop.Web", f"nopsim playing nopCommerce {VERSION}")
    Handler.appsettings = start_config()
    try:
        sim_plugins.startup(VERSION, log)
    except sim_plugins.StartupError as error:
        crash(error.kind, error.message)
    provider, connection = load_settings()
    if os.environ.get("NOP_SIM_LOSE_SETTINGS"):
        connection = ""  # as when the app reads its settings from the wrong place (#4933)
    if not connection:
        return listen()  # not installed: every page redirects to /install
    try:
        store = Store(provider, connection)
    except Exception as error:  # any driver error: the real app dies the same way
        crash("System.InvalidOperationException", f"cannot connect to the database: {error}", 1)
    sim_db.read_settings(store, crash)
    current = db_version(store)
    if key(current) > key(VERSION):
        crash("System.InvalidOperationException",
              f"the database is at {current}, newer than this application ({VERSION})")
    write_log(store, 20, "Application started")
    hog = int(os.environ.get("NOP_SIM_EAT_MB", "0"))
    if hog:  # a migration that needs more memory than the container has
        blocks = [bytearray(1 << 20) for _ in range(hog)]
        log("info", "Nop.Web", f"holding {len(blocks)} MB")
    migrated = migrate(store, current)
    misbehave(store, migrated)
    sim_changes.on_every_start(store)
    Handler.store = store
    listen()


if __name__ == "__main__":
    main()
