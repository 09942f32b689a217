"""The maintenance window: upgrade, checks and rollback reserve, times a factor."""

from __future__ import annotations

import pytest

from rehearse.window import Parts, Settings, describe, estimate, parts_of, percentile

MIN = 60.0
TIMES = "\N{MULTIPLICATION SIGN}"


def test_the_issue_example_reads_as_booked() -> None:
    e = estimate([Parts(21 * MIN, 2 * MIN, 9 * MIN)])
    assert describe(e) == (
        f"book 48 min: upgrade 21 min, checks 2 min, rollback reserve 9 min, {TIMES}1.5")


@pytest.mark.parametrize(
    ("settings", "book"),
    [(Settings(factor=2.0), 64), (Settings(production_speed=2.0), 24),
     (Settings(factor=1.0, production_speed=0.5), 64)],
)
def test_factor_and_production_speed_scale_the_booking(settings: Settings, book: int) -> None:
    assert estimate([Parts(21 * MIN, 2 * MIN, 9 * MIN)], settings).book_minutes == book


def test_production_speed_is_named_in_the_sentence() -> None:
    text = describe(estimate([Parts(20 * MIN, 0, 0)], Settings(production_speed=2.0)))
    assert text.startswith("book 15 min: upgrade 10 min,")
    assert f"production {TIMES}2 the sandbox's speed" in text


def test_with_history_each_part_is_the_90th_percentile() -> None:
    runs = [Parts(m * MIN, MIN, 5 * MIN) for m in range(10, 20)]  # 10..19 minutes
    e = estimate(runs)
    assert e.parts.upgrade == pytest.approx(18.1 * MIN)
    assert describe(e).endswith("(the 90th percentile of 10 runs)")


def test_seconds_show_as_seconds_and_a_booking_is_at_least_a_minute() -> None:
    assert describe(estimate([Parts(20, 3, 12)])) == (
        f"book 1 min: upgrade 20 s, checks 3 s, rollback reserve 12 s, {TIMES}1.5")


@pytest.mark.parametrize(
    ("phases", "rollback"),
    [({"restore": 30.0, "upgrade": 10.0}, 30.0),
     ({"restore": 30.0, "rollback": 50.0, "upgrade": 10.0}, 50.0)],
)
def test_the_reserve_is_the_rehearsed_rollback_else_the_restore(phases: dict[str, float],
                                                                rollback: float) -> None:
    assert parts_of({**phases, "smoke checks": 4.0}) == Parts(10.0, 4.0, rollback)


@pytest.mark.parametrize(("values", "p", "expected"),
                         [([5.0], 90, 5.0), ([1.0, 2.0], 50, 1.5), ([3.0, 1.0, 2.0], 100, 3.0),
                          ([1.0, 2.0, 3.0, 4.0], 0, 1.0)])
def test_percentile(values: list[float], p: float, expected: float) -> None:
    assert percentile(values, p) == pytest.approx(expected)
