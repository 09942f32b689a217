"""One rehearsal as the history keeps and compares it: plain frozen data, no database."""

from __future__ import annotations

from dataclasses import dataclass, field

from rehearse.results import Rehearsal

PHASE, STEP, MIGRATION, CHECK = "phase", "step", "migration", "check"


@dataclass(frozen=True)
class Item:
    """A timed or judged part of a run: a phase, step, migration or check."""

    kind: str
    name: str
    status: str
    seconds: float | None
    detail: str = ""


@dataclass(frozen=True)
class BackupFacts:
    name: str
    size: int
    modified: str
    age_seconds: float
    sha256: str


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    store: str
    scenario: str
    source: str
    target: str
    provider: str
    started_at: str
    seconds: float
    verdict: str
    report_folder: str
    images: dict[str, str] = field(default_factory=dict)
    backup: BackupFacts | None = None
    items: tuple[Item, ...] = ()
    row_counts: dict[str, int] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"

    def seconds_of(self, kind: str) -> dict[str, float]:
        """Durations of the passed items of one kind, by name."""
        return {i.name: i.seconds for i in self.items
                if i.kind == kind and i.seconds is not None and i.status == "pass"}

    def statuses(self, kind: str) -> dict[str, str]:
        return {i.name: i.status for i in self.items if i.kind == kind}


@dataclass(frozen=True)
class Context:
    """What a run record needs beyond the rehearsal's own results."""

    store: str
    report_folder: str
    images: dict[str, str] = field(default_factory=dict)
    backup: BackupFacts | None = None
    row_counts: dict[str, int] = field(default_factory=dict)


def step_name(source: str, target: str) -> str:
    return f"{source} → {target}"


def record_of(rehearsal: Rehearsal, context: Context) -> RunRecord:
    r = rehearsal
    return RunRecord(
        r.run_id, context.store, r.scenario, r.source, r.target, r.provider, r.started_at,
        r.seconds, r.verdict.value, context.report_folder, dict(context.images), context.backup,
        _items(r), dict(context.row_counts))


def _items(r: Rehearsal) -> tuple[Item, ...]:
    items = [Item(PHASE, p.name, p.status.value, p.seconds, p.detail) for p in r.phases]
    for s in r.steps:
        items.append(Item(STEP, step_name(s.source, s.target), s.status.value, s.seconds,
                          s.detail))
        items += [Item(MIGRATION, m.name, s.status.value, m.seconds) for m in s.migrations]
    items += [Item(CHECK, c.id, c.status.value, c.seconds, c.summary) for c in r.checks]
    return tuple(items)
