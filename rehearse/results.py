"""Frozen results shared by the lifecycle, the checks and the report writers."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    SKIP = "skip"
    ERROR = "error"


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"


@dataclass(frozen=True)
class PhaseResult:
    name: str
    status: Status
    seconds: float
    detail: str = ""
    hint: str = ""


@dataclass(frozen=True)
class MigrationTiming:
    name: str
    seconds: float | None


@dataclass(frozen=True)
class StepResult:
    source: str
    target: str
    kind: str
    status: Status
    seconds: float
    detail: str = ""
    migrations: tuple[MigrationTiming, ...] = ()
    changes: tuple[str, ...] = ()
    log_file: str | None = None


@dataclass(frozen=True)
class CheckResult:
    id: str
    status: Status
    seconds: float
    summary: str
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrendRun:
    """One run's times, for the report's trend chart."""

    started_at: str
    seconds: float
    steps: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Rehearsal:
    """Everything a report says about one rehearsal."""

    run_id: str
    scenario: str
    source: str
    target: str
    provider: str
    stepwise: bool
    started_at: str
    seconds: float
    verdict: Verdict
    phases: tuple[PhaseResult, ...]
    steps: tuple[StepResult, ...] = ()
    checks: tuple[CheckResult, ...] = ()
    backup: dict[str, str] = field(default_factory=dict)
    error: str = ""
    hint: str = ""
    plan_notes: tuple[str, ...] = ()
    kept: str = ""
    safety: tuple[str, ...] = ()
    window: str = ""
    history: str = ""
    rollback: str = ""
    trend: tuple[TrendRun, ...] = ()
