"""Each step's time run over run: the trend a history listing and the report show."""

from __future__ import annotations

from collections.abc import Sequence

from rehearse.history.records import STEP, RunRecord

UP, DOWN, SAME, NEW = "↑", "↓", "→", ""
_TOLERANCE = 0.10  # within 10% of the run before counts as the same


def step_names(runs: Sequence[RunRecord]) -> list[str]:
    """Every step any of the runs made, in the order they first appear (oldest run first)."""
    names: dict[str, None] = {}
    for run in reversed(runs):
        names.update(dict.fromkeys(i.name for i in run.items if i.kind == STEP))
    return list(names)


def trends(runs: Sequence[RunRecord], name: str) -> list[str]:
    """For runs newest first: each one's arrow against the next older run that made the step."""
    times = [run.seconds_of(STEP).get(name) for run in runs]
    arrows = []
    for index, now in enumerate(times):
        before = next((t for t in times[index + 1:] if t is not None), None)
        arrows.append(_arrow(now, before))
    return arrows


def _arrow(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return NEW
    if now > before * (1 + _TOLERANCE):
        return UP
    if now < before * (1 - _TOLERANCE):
        return DOWN
    return SAME
