"""The maintenance window to book: upgrade, checks and a rollback reserve, times a factor."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

_TIMES = "\N{MULTIPLICATION SIGN}"
# The phases each part of the window is measured by (lifecycle.PHASES names).
UPGRADE_PHASES = ("upgrade",)
CHECK_PHASES = ("smoke checks",)
ROLLBACK_PHASES = ("rollback",)
RESTORE_PHASES = ("restore",)  # the reserve before a rollback is rehearsed: restoring alone


@dataclass(frozen=True)
class Parts:
    upgrade: float
    checks: float
    rollback: float


@dataclass(frozen=True)
class Settings:
    factor: float = 1.5
    production_speed: float = 1.0
    percentile: float = 90.0


@dataclass(frozen=True)
class Estimate:
    parts: Parts
    book_minutes: int
    settings: Settings
    runs: int


def parts_of(phases: Mapping[str, float]) -> Parts:
    """The window's parts from one run's phase durations (in seconds)."""
    def total(names: Sequence[str]) -> float:
        return sum(phases.get(name, 0.0) for name in names)

    rollback = total(ROLLBACK_PHASES) or total(RESTORE_PHASES)
    return Parts(total(UPGRADE_PHASES), total(CHECK_PHASES), rollback)


def estimate(runs: Sequence[Parts], settings: Settings = Settings()) -> Estimate:
    """From one run, or from the given percentile of several; production speed applied."""
    assert runs, "an estimate needs at least one run"
    speed = settings.production_speed
    parts = Parts(*(percentile([getattr(r, name) for r in runs], settings.percentile) / speed
                    for name in ("upgrade", "checks", "rollback")))
    total = (parts.upgrade + parts.checks + parts.rollback) * settings.factor
    return Estimate(parts, max(1, math.ceil(total / 60)), settings, len(runs))


def percentile(values: Sequence[float], p: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default)."""
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def describe(e: Estimate) -> str:
    """E.g. `book 48 min: upgrade 21 min, checks 2 min, rollback reserve 9 min, x1.5`."""
    text = (f"book {e.book_minutes} min: upgrade {_minutes(e.parts.upgrade)}, "
            f"checks {_minutes(e.parts.checks)}, rollback reserve {_minutes(e.parts.rollback)}, "
            f"{_TIMES}{e.settings.factor:g}")
    if e.settings.production_speed != 1:
        text += f", production {_TIMES}{e.settings.production_speed:g} the sandbox's speed"
    if e.runs > 1:
        text += f" (the {e.settings.percentile:g}th percentile of {e.runs} runs)"
    return text


def _minutes(seconds: float) -> str:
    return f"{math.ceil(seconds / 60)} min" if seconds >= 60 else f"{math.ceil(seconds)} s"
