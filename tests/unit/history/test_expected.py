"""Each phase's usual time, read by a child process: the rehearsal never loads SQLAlchemy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rehearse.history.database import history_url, opened
from rehearse.history.expected import Expected
from tests.nights import night


def test_the_medians_of_the_passing_runs_come_from_the_child() -> None:
    with opened(history_url()) as history:
        for n, step in ((1, 60.0), (2, 80.0), (3, 70.0)):
            history.record(night(n, step=step))
        history.record(night(4, step=500.0, verdict="fail"))  # not usual: left out
        history.record(night(5, step=1.0, store="other"))
    expected = Expected(None, "shop", last=5)  # None: the default URL, as the parent's
    assert expected.answer() == {"restore": 12.0, "upgrade": 70.0, "smoke checks": 3.0}


def test_a_history_that_cannot_be_read_expects_nothing(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")  # a file where the database's folder would be
    assert Expected(f"sqlite:///{tmp_path}/file/history.sqlite", "shop", 3).answer() == {}
    assert Expected("nosuchdriver://x", "shop", 3).answer() == {}


def test_a_rehearsal_loads_no_history_database_library_before_its_end() -> None:
    code = ("import sys, rehearse.cli, rehearse.commands.run; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'alembic', "
            "'mako', 'jinja2'}))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout
    assert loaded.strip() == "[]"
