"""Tonight against the store's history: slower steps, newly failing checks, shrinking tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

from rehearse.history.records import CHECK, MIGRATION, STEP, RunRecord

SLOWER, NEWLY_FAILING, ROWS_FELL = "slower", "newly-failing", "rows-fell"
_FAILED = ("fail", "error")


@dataclass(frozen=True)
class Thresholds:
    last: int = 10
    slower_percent: float = 50.0
    slower_min_seconds: float = 1.0


@dataclass(frozen=True)
class Finding:
    kind: str
    text: str


def compare(tonight: RunRecord, past: Sequence[RunRecord],
            limits: Thresholds = Thresholds()) -> tuple[Finding, ...]:
    """`past` is newest first and excludes tonight."""
    passing = [r for r in past if r.passed][:limits.last]
    previous = past[0] if past else None
    found = [finding for kind in (STEP, MIGRATION)
             for finding in _slower(tonight, passing, kind, limits)]
    if previous is not None:
        found += [*_newly_failing(tonight, previous), *_rows_fell(tonight, previous)]
    return tuple(found)


def _slower(tonight: RunRecord, passing: Sequence[RunRecord], kind: str,
            limits: Thresholds) -> list[Finding]:
    found = []
    for name, seconds in tonight.seconds_of(kind).items():
        earlier = [t for r in passing if (t := r.seconds_of(kind).get(name)) is not None]
        if not earlier:
            continue
        usual = median(earlier)
        if seconds - usual >= limits.slower_min_seconds and \
                seconds > usual * (1 + limits.slower_percent / 100):
            found.append(Finding(SLOWER, (
                f"{kind} {name} took {seconds:.1f} s, the median of the last {len(earlier)} "
                f"passing runs is {usual:.1f} s (+{_percent(seconds, usual)}%)")))
    return found


def _percent(now: float, usual: float) -> str:
    return f"{(now - usual) / usual * 100:.0f}" if usual > 0 else "∞"


def _newly_failing(tonight: RunRecord, previous: RunRecord) -> list[Finding]:
    before = previous.statuses(CHECK)
    return [Finding(NEWLY_FAILING, f"check {name} {status}s now, it passed in the previous run "
                                   f"({previous.run_id}, {previous.started_at})")
            for name, status in tonight.statuses(CHECK).items()
            if status in _FAILED and before.get(name) == "pass"]


def _rows_fell(tonight: RunRecord, previous: RunRecord) -> list[Finding]:
    return [Finding(ROWS_FELL, f"table {table} has {rows:,} rows, {before:,} in the previous "
                               f"run's backup ({rows - before:+,})")
            for table, rows in sorted(tonight.row_counts.items())
            if (before := previous.row_counts.get(table)) is not None and rows < before]
