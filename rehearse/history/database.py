"""The history's database: SQLite in the user's data folder, or a team's PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, delete, insert, make_url, select
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from rehearse.errors import BadInputError, EnvironmentNotReadyError
from rehearse.history.records import BackupFacts, Item, RunRecord
from rehearse.history.schema import ITEMS, ROW_COUNTS, RUNS

ENVIRONMENT = "REHEARSE_HISTORY_URL"
_MIGRATIONS = Path(__file__).parent / "migrations"


def history_url(configured: str | None = None) -> str:
    """The scenario's history.url, else REHEARSE_HISTORY_URL, else SQLite in the XDG data folder."""
    if configured:
        return configured
    if os.environ.get(ENVIRONMENT):
        return os.environ[ENVIRONMENT]
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return f"sqlite:///{Path(base) / 'rehearse' / 'history.sqlite'}"


def shown(url: str) -> str:
    """The URL without its password, for messages and reports."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unreadable history URL)"


class History:
    """Runs recorded in one history database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, run: RunRecord) -> None:
        with self._engine.begin() as connection:
            _forget(connection, run.run_id)  # recording a run again replaces it
            key = connection.execute(insert(RUNS).values(_run_row(run))).inserted_primary_key
            assert key is not None
            _insert_children(connection, key[0], run)

    def runs(self, store: str | None = None, last: int = 20) -> list[RunRecord]:
        """The newest `last` runs (of one store, or all), newest first."""
        query = select(RUNS).order_by(RUNS.c.started_at.desc(), RUNS.c.id.desc()).limit(last)
        if store is not None:
            query = query.where(RUNS.c.store == store)
        with self._engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
            return [_run_of(connection, row) for row in rows]


@contextmanager
def opened(url: str) -> Iterator[History]:
    """The history at `url`, its schema migrated to the newest; errors say what to fix."""
    engine = _engine(url)
    try:
        _migrate(engine)
        yield History(engine)
    except SQLAlchemyError as error:
        raise EnvironmentNotReadyError(
            f"the run history at {shown(url)} cannot be used "
            f"({str(error.orig if hasattr(error, 'orig') else error).splitlines()[0]})",
            hint=f"check history.url or {ENVIRONMENT} (is the database up, may this user "
                 "create tables?)") from error
    finally:
        engine.dispose()


def _engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")  # the driver rehearse ships
        if parsed.drivername == "sqlite" and parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        return create_engine(parsed)
    except (ArgumentError, NoSuchModuleError, ModuleNotFoundError) as error:
        raise BadInputError(f"history URL {shown(url)} is not usable ({error})",
                            hint="use sqlite:///path/history.sqlite or "
                                 "postgresql://user:password@host/database (with "
                                 "pip install 'rehearse[engines]')") from None


def _migrate(engine: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _run_row(run: RunRecord) -> dict[str, Any]:
    backup = run.backup
    return {
        "run_id": run.run_id, "store": run.store, "scenario": run.scenario,
        "source": run.source, "target": run.target, "provider": run.provider,
        "started_at": run.started_at, "seconds": run.seconds, "verdict": run.verdict,
        "report_folder": run.report_folder, "images": run.images,
        "backup_name": backup.name if backup else None,
        "backup_size": backup.size if backup else None,
        "backup_modified": backup.modified if backup else None,
        "backup_age_seconds": backup.age_seconds if backup else None,
        "backup_sha256": backup.sha256 if backup else None}


def _forget(connection: Connection, run_id: str) -> None:
    # Children first and by hand: SQLite enforces ON DELETE CASCADE only when asked to.
    keys = select(RUNS.c.id).where(RUNS.c.run_id == run_id).scalar_subquery()
    connection.execute(delete(ITEMS).where(ITEMS.c.run.in_(keys)))
    connection.execute(delete(ROW_COUNTS).where(ROW_COUNTS.c.run.in_(keys)))
    connection.execute(delete(RUNS).where(RUNS.c.run_id == run_id))


def _insert_children(connection: Connection, key: int, run: RunRecord) -> None:
    items = [{"run": key, "position": n, "kind": i.kind, "name": i.name, "status": i.status,
              "seconds": i.seconds, "detail": i.detail} for n, i in enumerate(run.items)]
    if items:
        connection.execute(insert(ITEMS), items)
    counts = [{"run": key, "table_name": t, "rows": n} for t, n in run.row_counts.items()]
    if counts:
        connection.execute(insert(ROW_COUNTS), counts)


def _run_of(connection: Connection, row: Any) -> RunRecord:
    items = connection.execute(
        select(ITEMS).where(ITEMS.c.run == row["id"]).order_by(ITEMS.c.position)).mappings()
    counts = connection.execute(select(ROW_COUNTS).where(ROW_COUNTS.c.run == row["id"]))
    return RunRecord(
        row["run_id"], row["store"], row["scenario"], row["source"], row["target"],
        row["provider"], row["started_at"], row["seconds"], row["verdict"],
        row["report_folder"], dict(row["images"]), _backup_of(row),
        tuple(Item(i["kind"], i["name"], i["status"], i["seconds"], i["detail"])
              for i in items),
        {c.table_name: c.rows for c in counts})


def _backup_of(row: Any) -> BackupFacts | None:
    if row["backup_name"] is None:
        return None
    return BackupFacts(row["backup_name"], row["backup_size"], row["backup_modified"],
                       row["backup_age_seconds"], row["backup_sha256"])

