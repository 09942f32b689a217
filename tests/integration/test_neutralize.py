"""Mail, jobs and personal data neutralised for real on PostgreSQL and MariaDB sandboxes."""

from __future__ import annotations

from pathlib import Path

import pytest

from rehearse.catalog import Provider
from rehearse.database.backup import inspect_backup
from rehearse.database.neutralize import neutralize
from rehearse.database.restore import restored
from rehearse.sandbox.labels import new_run_id
from rehearse.version import Version
from tests.storegen import LOCAL_IMAGES, StoreShape, make_backup

pytestmark = pytest.mark.docker


@pytest.mark.parametrize("provider", list(LOCAL_IMAGES), ids=str)
def test_mail_jobs_and_personal_data(provider: Provider, tmp_path: Path) -> None:
    shape = StoreShape(Version(4, 60), provider, lower_case_tables=provider is Provider.MYSQL)
    backup = inspect_backup(make_backup(shape, tmp_path))
    with restored(backup, LOCAL_IMAGES[provider], new_run_id(), "1g") as sandbox:
        db = sandbox.db
        changes = neutralize(db, anonymize=True)
        q = db.quote

        def table(name: str) -> str:
            return q(name.lower() if provider is Provider.MYSQL else name)

        hosts = db.query(f"SELECT {q('Host')}, {q('Port')}, {q('Password')} "
                         f"FROM {table('EmailAccount')}")[1]
        assert hosts == [("127.0.0.1", 9, "")]
        held = db.query(f"SELECT {q('SentTries')}, COUNT(*) FROM {table('QueuedEmail')} "
                        f"GROUP BY {q('SentTries')} ORDER BY {q('SentTries')}")[1]
        assert [tuple(row) for row in held] == [(0, 5), (99, 5)]  # only unsent mail held back
        enabled = db.query(f"SELECT COUNT(*) FROM {table('ScheduleTask')} "
                           f"WHERE {q('Enabled')} <> {db.false}")[1]
        assert enabled == [(0,)]
        emails = [row[0] for row in db.query(
            f"SELECT {q('Email')} FROM {table('Customer')} ORDER BY {q('Id')}")[1]]
        assert emails[:2] == ["customer1@example.invalid", "customer2@example.invalid"]
    assert changes[0] == "1 email accounts pointed at 127.0.0.1:9 (nowhere)"
    assert "5 queued emails held back (SentTries = 99)" in changes
    assert "8 scheduled tasks disabled" in changes
    assert any(c.startswith("personal data anonymized (50 Customer") for c in changes)
