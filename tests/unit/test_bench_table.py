"""The bench's table: the restore is also set against the engine's default command."""

from __future__ import annotations

from bench.sides import FOLDS, Side
from bench.table import markdown, summary


def _side(seconds: float, restore: float) -> Side:
    return Side(seconds, {**dict.fromkeys(FOLDS, 1.0), "restore": restore}, peak_rss_mib=70.0,
                outcome="pass")


def test_the_restore_is_set_against_the_default_command_beside_the_pairs() -> None:
    runs = {"rehearse": [_side(10, 6), _side(12, 8), _side(11, 7)],
            "bare": [_side(11, 7), _side(13, 9), _side(12, 8)]}
    defaults = [_side(20, 12), _side(20, 14), _side(20, 10)]
    figures = summary(runs, defaults)
    assert figures["ratio_median"]["restore"] == 0.88  # type: ignore[index]
    assert figures["bare_default_restore"] == {"min": 10.0, "median": 12.0}
    assert figures["restore_ratio_to_default_command"] == 0.58
    text = markdown({**figures, "provider": "postgresql", "dump_bytes": 1 << 30,
                     "database_image": "pg"})
    assert "| restore, bare default command | 6.0 | 7.0 | 10.0 | 12.0 | 0.58 |" in text


def test_without_default_restores_the_table_has_no_such_row() -> None:
    runs = {"rehearse": [_side(10, 6)], "bare": [_side(11, 7)]}
    figures = summary(runs)
    assert "bare_default_restore" not in figures
    text = markdown({**figures, "provider": "mysql", "dump_bytes": 1 << 30,
                     "database_image": "m"})
    assert "default command" not in text
