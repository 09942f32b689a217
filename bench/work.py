"""What bench/bare.sh is given so that it does the same work as the rehearsal it is measured
against: the pages that rehearsal asked (read from its run log, phase by phase) and the queries
that read the same data (the key tables counted; the catalogue, URL slugs, permissions, locale
resources and settings the data checks compare; the settings and resources read around the
second start), written by hand as a script would: one statement per table, no batches."""

from __future__ import annotations

import re
from pathlib import Path

from rehearse.catalog import Provider
from rehearse.database.datasnap import CATALOGUE, SLUG
from rehearse.database.storedb import KEY_TABLES

# The app each of rehearse's phases asked (its run log), and the bare script's page list for it.
APP_OF_PHASE = {"record before": "before", "upgrade": "after", "smoke checks": "after",
                "second start": "restart", "rollback": "rollback"}
_PHASE = re.compile(r" rehearse: phase (.+) started$")
_REQUEST = re.compile(r" rehearse\.web: GET (\S+) \d{3} ")


def pages(run_log: Path) -> dict[str, list[str]]:
    """The paths rehearse GOT from each app, in order; POSTs (an admin login) are left out."""
    found: dict[str, list[str]] = {app: [] for app in APP_OF_PHASE.values()}
    app = None
    for line in run_log.read_text(encoding="utf-8").splitlines():
        if phase := _PHASE.search(line):
            app = APP_OF_PHASE.get(phase.group(1))
        elif (request := _REQUEST.search(line)) and app is not None:
            found[app].append(request.group(1))
    return found


def write(folder: Path, provider: Provider, run_log: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for app, paths in pages(run_log).items():
        (folder / f"{app}.urls").write_text("".join(f"{p}\n" for p in paths))
    for name, statements in queries(provider).items():
        (folder / f"{name}.sql").write_text("".join(f"{s};\n" for s in statements))
    return folder


def queries(provider: Provider) -> dict[str, list[str]]:
    q = (lambda n: f'"{n}"') if provider is Provider.POSTGRESQL else (lambda n: f"`{n}`")
    false = "false" if provider is Provider.POSTGRESQL else "0"

    def rows(table: str, *columns: str) -> str:
        return (f"SELECT {', '.join(q(c) for c in ('Id', *columns))} FROM {q(table)} "
                f"ORDER BY {q('Id')}")

    count = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {q(t)})" for t in KEY_TABLES)
    resources = rows("LocaleStringResource", "LanguageId", "ResourceName", "ResourceValue")
    settings = rows("Setting", "Name", "StoreId", "Value")
    permissions = (f"SELECT r.{q('SystemName')}, p.{q('SystemName')} FROM "
                   f"{q('PermissionRecord_Role_Mapping')} m JOIN {q('PermissionRecord')} p ON "
                   f"p.{q('Id')} = m.{q('PermissionRecord_Id')} JOIN {q('CustomerRole')} r ON "
                   f"r.{q('Id')} = m.{q('CustomerRole_Id')}")
    return {
        "count": [count],
        # make safe's kind of writes: no jobs, no mail out, the sandbox's own address
        "safe": [f"UPDATE {q('ScheduleTask')} SET {q('Enabled')} = {false}",
                 f"UPDATE {q('EmailAccount')} SET {q('Host')} = '127.0.0.1', {q('Port')} = 9",
                 f"UPDATE {q('Store')} SET {q('SslEnabled')} = {false}, "
                 f"{q('Url')} = 'http://localhost/'"],
        "snapshot": [rows("Product", *(c for c, _ in CATALOGUE)),
                     rows("UrlRecord", *(c for c, _ in SLUG)), permissions,
                     resources, settings],
        "restart": [count, settings, resources],
    }
