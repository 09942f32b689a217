"""Make the copy answer the sandbox like a real store would answer its own host: SSL off, store
URLs and hosts pointed at the sandbox, no www or closed-store redirects, no login blockers
(nopcommerce.md §11). Each change is reported as old → new; none of these values is a secret."""

from __future__ import annotations

from collections.abc import Callable

from rehearse.database.storedb import Database, Tables

SANDBOX_URL = "http://localhost/"
SANDBOX_HOSTS = "localhost"

# (setting name, safe value); nopCommerce stores setting names in lower case and booleans as
# "True"/"False" (SettingService), enums by name (SeoSettings.WwwRequirement NoMatter/WithWww/…).
HOST_SETTINGS = (
    ("seosettings.wwwrequirement", "NoMatter"),
    ("storeinformationsettings.storeclosed", "False"),
)
LOGIN_SETTINGS = (
    ("captchasettings.showonloginpage", "False"),
    ("captchasettings.showonregistrationpage", "False"),
    ("multifactorauthenticationsettings.forcemultifactorauthentication", "False"),
    ("securitysettings.adminareaallowedipaddresses", ""),
)

Change = Callable[[Database, Tables], list[str]]


def store_urls(db: Database, tables: Tables) -> list[str]:
    """Every store of a multi-store database: SSL off, URL and hosts the sandbox's."""
    table = tables.find("Store")
    if table is None:
        return []
    columns = _columns(db, table)
    wanted = {"sslenabled": db.false, "url": _literal(SANDBOX_URL),
              "hosts": _literal(SANDBOX_HOSTS), "secureurl": "''"}  # SecureUrl: 3.90-4.00
    present = {name: columns[name] for name in wanted if name in columns}
    if "id" not in columns or not present:
        return []
    names = [columns["id"], *present.values()]
    _, rows = db.query(f"SELECT {', '.join(db.quote(c) for c in names)} FROM {db.quote(table)} "
                       f"ORDER BY {db.quote(columns['id'])}")
    if not rows:
        return []
    sets = ", ".join(f"{db.quote(present[n])} = {wanted[n]}" for n in present)
    db.execute(f"UPDATE {db.quote(table)} SET {sets}")
    return [_store_line(row, list(present.values()), db) for row in rows]


def host_settings(db: Database, tables: Tables) -> list[str]:
    return _settings(db, tables, HOST_SETTINGS)


def login_settings(db: Database, tables: Tables) -> list[str]:
    return _settings(db, tables, LOGIN_SETTINGS)


def password_lifetime(db: Database, tables: Tables) -> list[str]:
    """4.10+: a role with EnablePasswordLifetime sends older passwords to /customer/changepassword;
    4.80 adds Customer.MustChangePassword (nopcommerce.md §11)."""
    changes = []
    for table_name, column, what in (("CustomerRole", "EnablePasswordLifetime", "roles"),
                                     ("Customer", "MustChangePassword", "customers")):
        table = tables.find(table_name)
        found = _columns(db, table).get(column.lower()) if table else None
        if table is None or found is None:
            continue
        where = f"{db.quote(found)} <> {db.false}"
        _, rows = db.query(f"SELECT COUNT(*) FROM {db.quote(table)} WHERE {where}")
        if rows[0][0]:
            db.execute(f"UPDATE {db.quote(table)} SET {db.quote(found)} = {db.false} "
                       f"WHERE {where}")
            changes.append(f"{table_name}.{column}: on for {rows[0][0]} {what} → off")
    return changes


def mfa_providers(db: Database, tables: Tables) -> list[str]:
    """A customer's chosen MFA provider sends its login to /multi-factor-verification (4.40+)."""
    table = tables.find("GenericAttribute")
    if table is None:
        return []
    columns = _columns(db, table)
    if "key" not in columns:
        return []
    where = f"{db.quote(columns['key'])} = 'SelectedMultiFactorAuthProvider'"
    _, rows = db.query(f"SELECT COUNT(*) FROM {db.quote(table)} WHERE {where}")
    if not rows[0][0]:
        return []
    db.execute(f"DELETE FROM {db.quote(table)} WHERE {where}")
    return [f"SelectedMultiFactorAuthProvider: set for {rows[0][0]} customers → none"]


# The test-only hook: tests drop one entry to show the stand-in failing as nopCommerce would.
HOST_CHANGES: dict[str, Change] = {"store urls": store_urls, "host settings": host_settings}
LOGIN_CHANGES: dict[str, Change] = {"login settings": login_settings,
                                    "password lifetime": password_lifetime,
                                    "mfa providers": mfa_providers}
AS_IS_NOTE = ("--as-is: SSL, store URLs and hosts, the www requirement and the closed-store "
              "setting left as the store has them")


def make_store_safe(db: Database, as_is: bool = False) -> tuple[str, ...]:
    tables = Tables(db.table_names())
    changes: list[str] = [AS_IS_NOTE] if as_is else []
    chosen = {**({} if as_is else HOST_CHANGES), **LOGIN_CHANGES}
    for change in chosen.values():
        changes += change(db, tables)
    return tuple(changes)


def _settings(db: Database, tables: Tables, wanted: tuple[tuple[str, str], ...]) -> list[str]:
    table = tables.find("Setting")
    if table is None:
        return []
    columns = _columns(db, table)
    name, value = db.quote(columns["name"]), db.quote(columns["value"])
    store = db.quote(columns["storeid"]) if "storeid" in columns else "0"
    changes = []
    for setting, safe in wanted:
        match = f"LOWER({name}) = {_literal(setting)}"
        _, rows = db.query(f"SELECT {store}, {value} FROM {db.quote(table)} WHERE {match} "
                           f"AND ({value} IS NULL OR {value} <> {_literal(safe)})")
        if not rows:
            continue
        db.execute(f"UPDATE {db.quote(table)} SET {value} = {_literal(safe)} WHERE {match}")
        changes += [f"setting {setting} (store {row[0]}): {_shown(row[1])} → {_shown(safe)}"
                    for row in rows]
    return changes


def _store_line(row: tuple[object, ...], columns: list[str], db: Database) -> str:
    olds = ", ".join(f"{c} {_shown(v)}" for c, v in zip(columns, row[1:], strict=True))
    return f"store {row[0]}: {olds} → SslEnabled off, Url {SANDBOX_URL}, Hosts {SANDBOX_HOSTS}"


def _columns(db: Database, table: str) -> dict[str, str]:
    names, _ = db.query(f"SELECT * FROM {db.quote(table)} WHERE 1 = 0")
    return {name.lower(): name for name in names}


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _shown(value: object) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool) or value in (0, 1):  # MySQL returns booleans as 0/1
        return str(bool(value)).lower()
    return str(value)
