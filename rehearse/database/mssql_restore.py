"""A SQL Server restore, step by step, over any connection to `master`: certificates first, then
every file's label and header, the chain planned and checked, then FILELISTONLY and the RESTOREs.
No driver here: the steps run against recorded server answers in the tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from rehearse.database.mssql_header import MAJOR_YEARS
from rehearse.database.mssql_media import (
    BackupSet,
    backup_set,
    label,
    media_sets,
    restore_chain,
    rows_as_dicts,
)
from rehearse.database.mssql_tsql import (
    SERVER_CHOICE,
    Certificate,
    Transfer,
    certificate_sql,
    chain_sql,
    filelist_sql,
    headeronly_sql,
    labelonly_sql,
    parse_filelist,
)
from rehearse.errors import BadInputError

_CERTIFICATE_HINT = ("export it on production (BACKUP CERTIFICATE … TO FILE … WITH PRIVATE KEY) "
                     "and list the files under store.certificates")
SERVER_MAJOR_SQL = "SELECT CAST(SERVERPROPERTY('ProductMajorVersion') AS int)"


class Master(Protocol):
    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        ...

    def execute(self, sql: str, on_message: Callable[[str], None] | None = None) -> list[str]:
        ...


def restore_database(master: Master, database: str, devices: Sequence[str],
                     certificates: Sequence[Certificate], key_password: str,
                     on_message: Callable[[str], None] | None = None,
                     transfer: Transfer = SERVER_CHOICE) -> list[str]:
    """Run the restore; returns the RESTORE statements it ran, in order."""
    for statement in certificate_sql(certificates, key_password):
        master.execute(statement)
    chain = plan(master, devices)
    _check_server_version(master, chain)
    _check_encryption(chain, certificates)
    first = chain[0]
    columns, rows = master.query(filelist_sql(first.media.files, first.position))
    _check_tde(first, rows_as_dicts(columns, rows), certificates)
    files = parse_filelist(columns, rows)
    statements = chain_sql(database, chain, files, transfer=transfer)
    for statement in statements:
        master.execute(statement, on_message=on_message)
    return statements


def plan(master: Master, devices: Sequence[str]) -> list[BackupSet]:
    """Which backup sets restore in which order, from each file's LABELONLY and HEADERONLY."""
    labels = [label(d, rows_as_dicts(*master.query(labelonly_sql(d)))[0]) for d in devices]
    sets: list[BackupSet] = []
    for media in media_sets(labels):
        rows = rows_as_dicts(*master.query(headeronly_sql(media.files)))
        sets += [backup_set(media, row) for row in rows]
    return restore_chain(sets)


def _check_server_version(master: Master, chain: Sequence[BackupSet]) -> None:
    """Msg 3169 before RESTORE: HEADERONLY's SoftwareVersionMajor against the server's own."""
    needed = max((s.software_major for s in chain), default=0)
    _, rows = master.query(SERVER_MAJOR_SQL)
    running = int(rows[0][0]) if rows and rows[0][0] is not None else 0
    if needed and running and needed > running:
        raise BadInputError(
            f"the backup was made by SQL Server {MAJOR_YEARS.get(needed, needed)} (version "
            f"{needed}), newer than the sandbox's {MAJOR_YEARS.get(running, running)}: "
            "RESTORE would fail with Msg 3169",
            hint="set images.database to mcr.microsoft.com/mssql/server:"
                 f"{MAJOR_YEARS.get(needed, 2025)}-latest, or leave it unset")


def _check_encryption(chain: Sequence[BackupSet], certificates: Sequence[Certificate]) -> None:
    encrypted = [s for s in chain if s.encryptor_thumbprint]
    if encrypted and not certificates:
        raise BadInputError(
            f"{encrypted[0].name} is encrypted with the certificate "
            f"{encrypted[0].encryptor_thumbprint}, and the scenario gives none (Msg 33111)",
            hint=_CERTIFICATE_HINT)


def _check_tde(full: BackupSet, files: list[dict[str, Any]],
               certificates: Sequence[Certificate]) -> None:
    """A TDE database shows its certificate in FILELISTONLY's TDEThumbprint column (2008+)."""
    thumbprints = {str(f["tdethumbprint"]) for f in files if f.get("tdethumbprint")}
    if thumbprints and not certificates:
        raise BadInputError(
            f"{full.name} holds a database encrypted with TDE (certificate "
            f"{', '.join(sorted(thumbprints))}), and the scenario gives no certificate "
            "(Msg 33111)",
            hint=_CERTIFICATE_HINT)
