"""The history in SQLite, where it lives by default (PostgreSQL: tests/integration)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from rehearse.errors import BadInputError, EnvironmentNotReadyError
from rehearse.history.database import history_url, opened, shown
from tests.nights import assert_history_round_trip


def test_sqlite_keeps_runs_and_their_parts(tmp_path: Path) -> None:
    assert_history_round_trip(f"sqlite:///{tmp_path / 'deep' / 'history.sqlite'}")
    tables = sqlite3.connect(tmp_path / "deep" / "history.sqlite").execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    assert {"runs", "items", "row_counts", "alembic_version"} <= {t for (t,) in tables}


def test_the_default_is_sqlite_in_the_xdg_data_folder(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert history_url() == f"sqlite:///{tmp_path}/rehearse/history.sqlite"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert history_url() == f"sqlite:///{tmp_path}/home/.local/share/rehearse/history.sqlite"


def test_the_scenario_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REHEARSE_HISTORY_URL", "postgresql://team@db/history")
    assert history_url() == "postgresql://team@db/history"
    assert history_url("sqlite:///mine.sqlite") == "sqlite:///mine.sqlite"


def test_passwords_never_show() -> None:
    assert shown("postgresql://team:s3cret@db/history") == "postgresql://team:***@db/history"


def test_a_bad_url_is_bad_input() -> None:
    with pytest.raises(BadInputError) as caught, opened("nosuchdb://x/y"):
        pass
    assert "history URL nosuchdb://x/y is not usable" in caught.value.message


def test_an_unreachable_database_is_an_environment_error() -> None:
    url = "postgresql://team:s3cret@127.0.0.1:9/history?connect_timeout=2"
    with pytest.raises(EnvironmentNotReadyError) as caught, opened(url):
        pass
    assert "postgresql://team:***@127.0.0.1:9/history" in caught.value.message
    assert "s3cret" not in caught.value.message + caught.value.hint
