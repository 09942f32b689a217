"""Frozen results shared by the lifecycle, the checks and the report writers."""

from __future__ import annotations

from dataclasses import dataclass, field

from rehearse.status import CheckResult as CheckResult
from rehearse.status import Status as Status
from rehearse.status import Verdict as Verdict
from rehearse.store.survival import Survival


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
    images: ImagesUsed | None = None


@dataclass(frozen=True)
class ImagesUsed:
    """What ran a step or phase: the database image and server, the nopCommerce image."""

    database_image: str = ""
    database_server: str = ""
    app_image: str = ""
    app_digest: str = ""
    stand_in: bool = False  # the app image labels itself a stand-in (STAND_IN_LABEL)

    def describe(self) -> str:
        parts = [f"database {self.database_image} ({self.database_server or 'version unknown'})"]
        if self.app_image:
            parts.append(f"nopCommerce image {self.app_image}@{self.app_digest or '?'}"
                         + (" (stand-in, not nopCommerce)" if self.stand_in else ""))
        return "; ".join(parts)


# An image that carries this label with the value "true" is not nopCommerce (images/sim).
STAND_IN_LABEL = "io.rehearse.stand-in"
STAND_IN_WORDS = "stand-in, not nopCommerce"


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
    exposure: str = ""  # set when --allow-host-access let the sandbox reach this host
    database: ImagesUsed | None = None  # the sandbox database every phase from restore on used
    warnings: tuple[str, ...] = ()
    survival: Survival | None = None  # plugins and theme per app step (store/survival.py)
    window: str = ""
    history: str = ""
    rollback: str = ""
    trend: tuple[TrendRun, ...] = ()

    @property
    def stand_in(self) -> bool:
        return any(s.images is not None and s.images.stand_in for s in self.steps)
