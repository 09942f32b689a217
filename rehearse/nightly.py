"""After a rehearsal: compare it with the store's history, estimate the window, record it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from rehearse import window
from rehearse.console import Terminal
from rehearse.database.engines import ENGINES
from rehearse.errors import ExitCode
from rehearse.history import child
from rehearse.history.compare import Finding, Thresholds, compare
from rehearse.history.records import PHASE, STEP, BackupFacts, Context, RunRecord, record_of
from rehearse.phases import Run, store_image
from rehearse.results import CheckResult, Rehearsal, Status, TrendRun, Verdict
from rehearse.sandbox.images import digest
from rehearse.version import Version

_LABELS = {"slower": "slower than usual", "newly-failing": "newly failing",
           "rows-fell": "fewer rows than the previous run"}


@dataclass(frozen=True)
class Tonight:
    record: RunRecord
    url: str | None  # None: history is off for this scenario
    history: child.Reading | None = None  # its child records tonight too


def review(result: Rehearsal, code: ExitCode, run: Run,
           folder: Path) -> tuple[Rehearsal, ExitCode, Tonight]:
    """Tonight's rehearsal with its history checks and window; the record to keep."""
    settings = run.scenario.history
    reading = (run.history or read_history(run)) if settings.enabled else None
    found = reading.past() if reading else None
    tonight = Tonight(record_of(result, _context(result, run, folder)),
                      found.url if found else None, reading)
    past, note = _past(tonight, found, run.out)
    checks = _history_checks(tonight.record, past, run)
    estimate = window.estimate(_window_runs(tonight.record, past, settings.last),
                               window.Settings(**asdict(run.scenario.window)))
    result = replace(result, checks=result.checks + checks, window=window.describe(estimate),
                     history=note, backup=_backup_report(result, run), rollback=run.rollback,
                     trend=_trend([tonight.record, *past[:settings.last - 1]]))
    return *_judged(result, code, checks), tonight


def read_history(run: Run) -> child.Reading | None:
    """The store's newest runs, read by a child process from now on (history/child.py)."""
    settings = run.scenario.history
    return child.Reading(settings.url, _store_name(run), settings.last) if settings.enabled \
        else None


def expected(run: Run, phase: str) -> float | None:
    """The phase's usual time, the median of the store's last passing runs (for progress),
    once the history's child has answered: no phase waits for it (it answers in about half a
    second, while the first phases run)."""
    if run.history is None or not run.history.answered():
        return None
    return child.medians(run.history.past().runs, run.scenario.history.last).get(phase)


def remember(tonight: Tonight, out: Terminal) -> None:
    """Record tonight in the history, after its reports are written."""
    if tonight.url is None:
        if tonight.history is not None:
            tonight.history.close()
        return
    error = (tonight.history.record(tonight.url, tonight.record) if tonight.history
             else child.record(tonight.url, tonight.record))
    if error:
        out.status(f"warning: not recorded in the history: {error}")


def _past(tonight: Tonight, found: child.Past | None,
          out: Terminal) -> tuple[list[RunRecord], str]:
    if found is None:
        return [], "history is off for this scenario (history.enabled: false)"
    store, past = tonight.record.store, found.runs
    if found.error:
        out.status(f"    warning: {found.error}")
        return [], f"history unavailable: {found.error}"
    where = f"history {found.shown}"
    if not past:
        return [], f"the first run of store {store!r} in the {where}"
    runs = "1 earlier run" if len(past) == 1 else f"{len(past)} earlier runs"
    return past, f"compared with {runs} of store {store!r} in the {where}"


def _history_checks(tonight: RunRecord, past: Sequence[RunRecord],
                    run: Run) -> tuple[CheckResult, ...]:
    settings = run.scenario.history
    if not settings.enabled:
        return ()
    if not past:
        return (CheckResult("history", Status.SKIP, 0.0,
                            "no earlier run of this store to compare with yet"),)
    limits = Thresholds(settings.last, settings.slower_percent, settings.slower_min_seconds)
    findings = compare(tonight, past, limits)
    status = Status.FAIL if settings.regressions == "fail" else Status.WARN
    checks = tuple(_check(kind, [f for f in findings if f.kind == kind], status)
                   for kind in _LABELS if any(f.kind == kind for f in findings))
    return checks or (CheckResult("history", Status.PASS, 0.0,
                                  f"no regressions against the last {len(past)} runs"),)


def _check(kind: str, findings: list[Finding], status: Status) -> CheckResult:
    more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
    return CheckResult(f"history.{kind}", status, 0.0,
                       f"{_LABELS[kind]}: {findings[0].text}{more}",
                       tuple(f.text for f in findings))


def _judged(result: Rehearsal, code: ExitCode,
            checks: tuple[CheckResult, ...]) -> tuple[Rehearsal, ExitCode]:
    failed = [c.id for c in checks if c.status is Status.FAIL]
    if not failed or result.verdict is not Verdict.PASS:
        return result, code
    return replace(result, verdict=Verdict.FAIL,
                   error=f"tonight regressed against the run history: {', '.join(failed)}",
                   hint="the report's history checks give the numbers (history.regressions: "
                        "warn makes them warnings)"), ExitCode.FAILED


def _trend(runs: Sequence[RunRecord]) -> tuple[TrendRun, ...]:
    """Oldest first, tonight last."""
    return tuple(TrendRun(r.started_at, r.seconds, tuple(r.seconds_of(STEP).items()))
                 for r in reversed(runs))


def _window_runs(tonight: RunRecord, past: Sequence[RunRecord],
                 last: int) -> list[window.Parts]:
    runs = ([tonight] if tonight.passed else []) + [r for r in past if r.passed][:last]
    return [window.parts_of(r.seconds_of(PHASE)) for r in runs or [tonight]]


def _context(result: Rehearsal, run: Run, folder: Path) -> Context:
    return Context(
        store=_store_name(run), report_folder=str(folder),
        images=_images(result, run), backup=_backup(result),
        row_counts=dict(run.before.counts) if run.before else {})


def _store_name(run: Run) -> str:
    return run.scenario.history.store or run.scenario_path.stem


def _images(result: Rehearsal, run: Run) -> dict[str, str]:
    images = run.scenario.images
    names = {"database": images.database or ENGINES[run.scenario.store.provider].default_image}
    for step in result.steps:
        version = Version.parse(step.target)
        names[f"nopcommerce {step.target}"] = store_image(run, version)
    return {role: f"{name} {digest(name)}".strip() for role, name in names.items()}


def _backup_report(result: Rehearsal, run: Run) -> dict[str, str]:
    """The backup's facts, with its age and how it was chosen (store.backup may be a glob)."""
    if not result.backup or run.backup_pick is None:
        return result.backup
    return {**result.backup, **run.backup_pick.facts()}


def _backup(result: Rehearsal) -> BackupFacts | None:
    if "path" not in result.backup:
        return None
    path = Path(result.backup["path"])
    try:
        stat = path.stat()
    except OSError:  # gone since (a nightly job may rotate it): the rest is still worth keeping
        return None
    modified = datetime.fromtimestamp(stat.st_mtime, UTC)
    age = datetime.fromisoformat(result.started_at) - modified
    return BackupFacts(path.name, stat.st_size, modified.isoformat(timespec="seconds"),
                       age.total_seconds(), result.backup.get("sha256_before", ""))
