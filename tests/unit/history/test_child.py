"""The run history read and written by child processes: the rehearsal never loads SQLAlchemy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rehearse.history import child
from rehearse.history.database import history_url, opened
from tests.nights import night


def test_the_child_reads_the_newest_runs_and_the_medians_of_the_passing_ones() -> None:
    with opened(history_url()) as history:
        for n, step in ((1, 60.0), (2, 80.0), (3, 70.0)):
            history.record(night(n, step=step))
        history.record(night(4, step=500.0, verdict="fail"))  # not usual: left out
        history.record(night(5, step=1.0, store="other"))
    reading = child.Reading(None, "shop", last=5)  # None: the default URL, as the parent's
    past = reading.past()
    reading.close()
    assert reading.answered()
    assert (past.url, past.error) == (history_url(), "")
    assert [r.run_id for r in past.runs] == ["shop-run4", "shop-run3", "shop-run2", "shop-run1"]
    assert past.runs[1] == night(3, step=70.0)
    assert child.medians(past.runs, 5) == {"restore": 12.0, "upgrade": 70.0, "smoke checks": 3.0}


def test_the_child_records_a_run_and_says_why_it_could_not(tmp_path: Path) -> None:
    assert child.record(history_url(), night(7)) == ""
    with opened(history_url()) as history:
        assert history.runs("shop") == [night(7)]
    blocked = f"sqlite:///{tmp_path}"  # a folder where the database's file would be
    assert "cannot be used" in child.record(blocked, night(8))
    reading = child.Reading(blocked, "shop", 3)
    assert "cannot be used" in reading.record(blocked, night(8))  # a second answer, same child
    assert reading.past().runs == [] and "cannot be used" in reading.past().error
    unknown = child.Reading("nosuchdriver://x", "shop", 3)
    assert "not usable" in unknown.past().error
    unknown.close()


def test_the_child_that_read_the_history_records_tonight_in_it() -> None:
    with opened(history_url()) as history:
        history.record(night(1))
    reading = child.Reading(None, "shop", last=5)
    assert reading.record(history_url(), night(2)) == ""  # the read's answer taken first
    assert [r.run_id for r in reading.past().runs] == ["shop-run1"]
    with opened(history_url()) as history:
        assert history.runs("shop") == [night(2), night(1)]


def test_a_rehearsal_loads_no_history_database_library_itself() -> None:
    code = ("import sys, rehearse.cli, rehearse.commands.run; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'alembic', "
            "'mako', 'jinja2'}))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout
    assert loaded.strip() == "[]"
