"""What a phase, a step or a check came to, and one check's result: all `rehearse check` needs
of results.py, without the record of a whole rehearsal."""

from __future__ import annotations

from dataclasses import dataclass
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
class CheckResult:
    id: str
    status: Status
    seconds: float
    summary: str
    evidence: tuple[str, ...] = ()
