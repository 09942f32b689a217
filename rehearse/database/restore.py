"""A sandbox database with the store's backup restored into it, removed on exit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from rehearse.database.backup import Backup
from rehearse.database.engines import ENGINES
from rehearse.database.engines.base import Credentials, SqlDatabase, new_password
from rehearse.sandbox.service import Service, run_service


@dataclass(frozen=True)
class SandboxDatabase:
    service: Service
    db: SqlDatabase
    credentials: Credentials


@contextmanager
def restored(backup: Backup, image: str | None, run_id: str, memory: str | None = "4g",
             network: str | None = None,
             on_progress: Callable[[int], None] | None = None,
             pull: bool = True, password: str | None = None,
             ready_timeout: float | None = None) -> Iterator[SandboxDatabase]:
    engine = ENGINES[backup.provider]
    credentials = engine.credentials(password or new_password())
    spec = engine.service_spec(image or engine.default_image, credentials, memory, backup)
    spec = replace(spec, network=network, pull=pull,
                   ready_timeout=ready_timeout or spec.ready_timeout)
    with run_service(spec, run_id) as service:
        engine.restore(service, backup, credentials, on_progress)
        db = engine.open(service.endpoint, credentials)
        try:
            yield SandboxDatabase(service, db, credentials)
        finally:
            db.close()
