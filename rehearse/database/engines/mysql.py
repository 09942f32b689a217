"""MySQL (and MariaDB), for stores on nopCommerce 4.30 and later; PyMySQL lives only here."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from typing import Any

from rehearse.catalog import Provider
from rehearse.database.backup import Backup
from rehearse.database.bulkload import MAX_JOBS
from rehearse.database.dumpsplit import DumpPlan, fed_bytes, load_script, plan_dump
from rehearse.database.engines.base import (
    BACKUP_DIR,
    Credentials,
    Dialect,
    SqlDatabase,
    database_spec,
    require_module,
    restore_failed,
)
from rehearse.database.restoreprogress import BytesProgress, FedProgress, without_progress
from rehearse.database.rowhash import Hashing
from rehearse.database.storedb import QueryError
from rehearse.errors import BadInputError
from rehearse.sandbox.service import Endpoint, Service, ServiceSpec

# The official images' init server runs with --skip-networking and prints "port: 0"; only the
# real server announces port 3306 (MySQL on one line, MariaDB on the next).
_READY = r"ready for connections\.\s+Version: '[^']*'\s+socket: '[^']*'\s+port: 3306"
DIALECT = Dialect("`", "`", "SELECT table_name FROM information_schema.tables "
                  "WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'")

# A row's hash (rowhash.py), the same SQL on MySQL and MariaDB: MD5's first 60 bits, a number
# CONV can give; DECIMAL(38,10) gives every scale the same text, bit(1) and tinyint(1) read 0/1.
HASHING = Hashing(text="{}", number="CAST({} AS DECIMAL(38,10))", integer="CAST({} AS SIGNED)",
                  boolean="CAST({} AS SIGNED)",
                  present="COALESCE(CONCAT('v', {}), 'n')", separator=", CHAR(31 USING utf8mb4), ",
                  joined="CONCAT({})", digest="CAST(CONV(LEFT(MD5({}), 15), 16, 10) AS UNSIGNED)",
                  lower="LOWER({})", bigint="{}")


class MySQL:
    provider = Provider.MYSQL
    default_image = "mysql:8.4"
    port = 3306

    def credentials(self, password: str) -> Credentials:
        return Credentials("root", password, "nopcommerce")

    def service_spec(self, image: str, credentials: Credentials, memory: str | None,
                     backup: Backup | None = None) -> ServiceSpec:
        env = {"MYSQL_ROOT_PASSWORD": credentials.password, "MYSQL_DATABASE": credentials.database}
        return database_spec(image, self.port, env, memory, backup, ready_log=_READY)

    def check_client(self) -> None:
        require_module("pymysql", "pip install rehearse (pymysql is a dependency)")

    def open(self, endpoint: Endpoint, credentials: Credentials) -> SqlDatabase:
        import pymysql
        from pymysql.constants import CLIENT
        from pymysql.cursors import SSCursor

        connection = pymysql.connect(
            host=endpoint.host, port=endpoint.port, user=credentials.user,
            password=credentials.password, database=credentials.database, autocommit=True,
            connect_timeout=10, charset="utf8mb4", client_flag=CLIENT.MULTI_STATEMENTS)
        return SqlDatabase(connection, DIALECT, (pymysql.MySQLError,), _drain, HASHING,
                           lambda c: closing(c.cursor(SSCursor)),
                           lambda: self.open(endpoint, credentials))

    def restore(self, service: Service, backup: Backup, credentials: Credentials,
                on_progress: Callable[[int], None] | None = None) -> None:
        # mysqldump files carry no CREATE DATABASE/USE: the restorer names the database.
        # The restore's own statements stay out of a binary log (MySQL 8 writes one by default).
        client = (f'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql -uroot '
                  f'--init-command="SET sql_log_bin = 0" {shlex.quote(credentials.database)}')
        report = on_progress or (lambda _: None)
        plan = plan_dump(backup.path) if backup.path.is_file() and not backup.compressed else None
        progress: BytesProgress | FedProgress
        if plan is None:
            command, progress = _one_stream(backup, client, report)
        else:
            command, progress = _parallel(service, backup, plan, client, report)
        code, output = service.exec_lines(["bash", "-c", command], progress.feed)
        output = without_progress(output)
        if code == 0:
            progress.finished()
            return
        if "Unknown collation" in output:
            raise BadInputError(
                f"{backup.path.name} was dumped by MySQL 8 and this server does not know its "
                "collations (utf8mb4_0900_ai_ci)",
                hint="restore it into a MySQL 8 image (the default for a MySQL 8 dump: "
                     "mysql:8.0 or its own major), or into MariaDB 11.4.5 or later, which "
                     "knows these collations (images.database in the scenario, --image)")
        raise restore_failed(backup, output)

    def settings(self, db: SqlDatabase, names: Sequence[str]) -> dict[str, str]:
        found = {}
        for name in names:
            try:
                found[name] = str(db.query(f"SELECT @@GLOBAL.{name}")[1][0][0])
            except QueryError:
                continue  # not a variable of this server (MariaDB or MySQL only)
        return found

    def tune(self, db: SqlDatabase, settings: Mapping[str, str]) -> tuple[str, ...]:
        taken = []
        for name, value in settings.items():
            try:
                db.execute(f"SET GLOBAL {name} = {_value(value)}")
            except QueryError:
                continue  # read-only or unknown here: the restore runs without it
            taken.append(name)
        return tuple(taken)

    def untune(self, db: SqlDatabase, before: Mapping[str, str]) -> None:
        for name, value in before.items():
            db.execute(f"SET GLOBAL {name} = {_value(value)}")
        if "innodb_stats_auto_recalc" in before:
            # Switched back on, it recounts no table loaded without it (their statistics say
            # 0 rows until each is written again): count them now, for the upgrade's plans.
            db.query("ANALYZE TABLE " + ", ".join(db.quote(t) for t in db.table_names()))


def _one_stream(backup: Backup, client: str, report: Callable[[int], None],
                ) -> tuple[str, BytesProgress]:
    """The whole dump through one client: a dump project folder's files, in restore_order
    (each switches FK checks off itself), or a file that is not a plain dump; dd says how many
    bytes it has fed (the progress); gzip after it."""
    source = " ".join(shlex.quote(f"{BACKUP_DIR}/{part.name}") for part in backup.files)
    reader = (f"cat {source} | dd bs=1M status=progress" if len(backup.files) > 1
              else f"dd if={source} bs=1M status=progress")
    reader += " | gzip -dc" if backup.compressed else ""
    progress = BytesProgress(backup.path.stat().st_size, report)
    return f"set -o pipefail; {reader} | {client}", progress


def _parallel(service: Service, backup: Backup, plan: DumpPlan, client: str,
              report: Callable[[int], None]) -> tuple[str, FedProgress]:
    """The tables through a client per processor of the engine (at most MAX_JOBS): one
    connection parses and inserts on one processor, and the mysql client takes a quarter of
    that again."""
    code, found = service.exec(["nproc"])
    streams = min(MAX_JOBS, int(found.strip())) if code == 0 and found.strip().isdigit() else 1
    file = f"{BACKUP_DIR}/{backup.path.name}"
    return (load_script(plan, file, client, streams),
            FedProgress(fed_bytes(plan, streams), report))


def _value(value: str) -> str:
    if value.isdigit() or value.isidentifier():
        return value
    return "'" + value.replace("'", "''") + "'"


def _drain(cursor: Any, emit: Callable[[str], None]) -> None:
    """Walk every result of a multi-statement batch (errors surface here), then the warnings."""
    while cursor.nextset():
        pass
    cursor.execute("SHOW WARNINGS")
    for level, code, message in cursor.fetchall():
        emit(f"{level} {code}: {message}")
