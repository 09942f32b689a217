"""A rehearsal as a table of phases; the runner times each, stops at the first failure, and
always tears down and reports (Ctrl-C too). `--keep` is the only way to leave the sandbox up."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime

from rehearse.appsteps import upgrade
from rehearse.before_after import record_before, second_start
from rehearse.catalog import Provider
from rehearse.database.backup import Backup
from rehearse.database.backupdigest import COMPARED, digests, stamp
from rehearse.errors import ExitCode, RehearseError, Terminated
from rehearse.interrupts import shielded
from rehearse.phases import (
    MARKS,
    Run,
    check_inputs,
    make_safe,
    restore,
    start_sandbox,
    take_baseline,
)
from rehearse.progress import progress
from rehearse.results import PhaseResult, Rehearsal, Status, Verdict
from rehearse.rollback import rollback
from rehearse.sandbox import cleanup
from rehearse.sandbox import labels as sandbox_labels
from rehearse.smoke import smoke_checks

_LOG = logging.getLogger("rehearse")
INTERRUPTED_HINT = ("the sandbox was removed and the backup left as it was: run the same "
                    "command again to rehearse from the start")
Phase = Callable[[Run], None]
PHASES: tuple[tuple[str, Phase], ...] = (
    ("check inputs", check_inputs),
    ("sandbox", start_sandbox),
    ("restore", restore),
    ("baseline", take_baseline),
    ("make safe", make_safe),
    ("record before", record_before),
    ("upgrade", upgrade),
    ("smoke checks", smoke_checks),
    ("second start", second_start),
    ("rollback", rollback),
)



@dataclass
class _Outcome:
    verdict: Verdict = Verdict.PASS
    code: ExitCode = ExitCode.PASSED
    error: str = ""
    hint: str = ""


def rehearse(run: Run, keep: bool) -> tuple[Rehearsal, ExitCode]:
    """Run every phase; always tear down (unless kept); return what happened."""
    started, stamp = time.monotonic(), datetime.now(UTC).isoformat(timespec="seconds")
    phases: list[PhaseResult] = []
    outcome = _Outcome()
    try:
        _run_phases(run, phases, outcome)
    except KeyboardInterrupt as stop:
        terminated = isinstance(stop, Terminated)
        outcome.error = "terminated (SIGTERM)" if terminated else "interrupted (Ctrl-C)"
        outcome.verdict = Verdict.ERROR
        outcome.code = ExitCode.TERMINATED if terminated else ExitCode.INTERRUPTED
        outcome.hint = INTERRUPTED_HINT
        phases.append(PhaseResult("interrupted", Status.ERROR, 0.0, outcome.error))
    finally:
        # A second Ctrl-C must not cut the teardown short and leave containers behind.
        with suppress(KeyboardInterrupt), shielded():
            phases.append(_teardown(run, keep))
    backup = _backup_facts(run, outcome)
    rehearsal = Rehearsal(
        run.run_id, str(run.scenario_path), run.scenario.store.version, run.scenario.target,
        run.scenario.store.provider.value, run.scenario.stepwise, stamp,
        time.monotonic() - started, outcome.verdict, tuple(phases), tuple(run.steps),
        run.checks, backup, run.out.redact(outcome.error), run.out.redact(outcome.hint),
        run.plan.notes if run.plan else (), run.kept, run.safety, run.exposure, run.database,
        run.warnings, run.survival)
    return rehearsal, outcome.code


def _run_phases(run: Run, phases: list[PhaseResult], outcome: _Outcome) -> None:
    for name, phase in PHASES:
        result, code = _run_phase(run, name, phase)
        phases.append(result)
        if result.status is not Status.PASS:
            outcome.verdict = Verdict.FAIL if code is ExitCode.FAILED else Verdict.ERROR
            outcome.code, outcome.error, outcome.hint = code, result.detail, result.hint
            return


def _run_phase(run: Run, name: str, phase: Phase) -> tuple[PhaseResult, ExitCode]:
    run.out.status(f"▶ {name}")
    _LOG.info("phase %s started", name)
    started = time.monotonic()
    code = ExitCode.PASSED
    try:
        with progress(run.out, name, run.expected(name)):
            phase(run)
    except RehearseError as failure:
        _LOG.debug("phase %s failed", name, exc_info=True)
        code = failure.exit_code
        status = Status.FAIL if code is ExitCode.FAILED else Status.ERROR
        result = PhaseResult(name, status, time.monotonic() - started,
                             run.out.redact(failure.message), run.out.redact(failure.hint))
    except Exception as failure:  # noqa: BLE001 - the phase runner turns surprises into results
        _LOG.exception("phase %s: internal error", name)
        code = ExitCode.INTERNAL
        result = PhaseResult(name, Status.ERROR, time.monotonic() - started,
                             run.out.redact(f"internal error: {type(failure).__name__}: "
                                            f"{failure}"), "report it, with the run log")
    else:
        result = PhaseResult(name, Status.PASS, time.monotonic() - started)
    run.out.status(f"{MARKS[result.status]} {name} ({result.seconds:.1f}s)")
    _LOG.info("phase %s ended after %.1f s; peak memory so far %s", name, result.seconds,
              _peak_memory())
    return result, code


def _peak_memory() -> str:
    """The process's peak resident memory (issue 17: 100 MiB on a 1 GB store), for the run log."""
    if sys.platform == "win32":  # no `resource` module there
        return "unknown"
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return f"{peak / (2**20 if sys.platform == 'darwin' else 2**10):.0f} MiB"


def _teardown(run: Run, keep: bool) -> PhaseResult:
    started = time.monotonic()
    if run.sandbox is not None:
        run.logs["database.log"] = run.out.redact(run.sandbox.service.logs())
    if keep:
        run.kept = _kept(run)
        sandbox_labels.keep(run.run_id)
    else:  # every container at once; the stack then finds them gone and removes the rest
        cleanup.remove_containers(run.run_id)
    run.stack.close()
    if keep:
        return PhaseResult("teardown", Status.SKIP, 0.0, "kept running (--keep)")
    return PhaseResult("teardown", Status.PASS, time.monotonic() - started)


def _backup_facts(run: Run, outcome: _Outcome) -> dict[str, str]:
    """Path, SHA-256 and whether the backup is unchanged; "changed" stops the run's verdict."""
    if run.backup is None or run.backup_stamp is None:
        return {}  # stopped before check inputs had taken its stamp: nothing to compare
    try:
        facts = {"path": str(run.backup.path), **_compared(run, run.backup)}
    except OSError:  # moved away meanwhile: nothing to compare, and nothing rehearse did
        return {}
    if facts["unchanged"] == "false":  # never expected: the backup is mounted read-only
        outcome.verdict, outcome.code = Verdict.ERROR, ExitCode.ENVIRONMENT
        outcome.error = f"the backup {run.backup.path} changed during the rehearsal"
        outcome.hint = "something else writes to it: copy it somewhere quiet, then rehearse again"
    if run.backup_parts_sha256:  # a dump project folder or a chain: SHA-256 per file
        facts["files_sha256"] = "; ".join(f"{name} {digest}"
                                          for name, digest in run.backup_parts_sha256.items())
    return facts


def _compared(run: Run, backup: Backup) -> dict[str, str]:
    """Unchanged when no file was written to since check inputs (the stamp: no second read of
    a large backup); a written one is read again and its SHA-256 decides (a `touch` is no
    change), and with no SHA-256 to compare with (the restore failed first) it is a change."""
    before = {"sha256_before": run.backup_sha256} if run.backup_sha256 else {}
    if stamp(backup) == run.backup_stamp:
        return {**before, "unchanged": "true", "compared": COMPARED}
    after = digests(backup).whole
    return {**before, "sha256_after": after, "unchanged": str(after == run.backup_sha256).lower(),
            "compared": "SHA-256 read again: the file was written to or touched"}


# Local shells need no password (the generated one is never printed).
_SHELLS = {
    Provider.POSTGRESQL: "psql -U {user} {db}",
    Provider.MYSQL: 'sh -c \'mysql -uroot -p"$MYSQL_ROOT_PASSWORD" {db}\'',
    Provider.SQLSERVER: "bash -c '/opt/mssql-tools18/bin/sqlcmd -C -S localhost -U sa "
                        "-P \"$MSSQL_SA_PASSWORD\" -d {db}'",
}


def _kept(run: Run) -> str:
    lines = []
    if run.store_url:
        lines.append(f"store: {run.store_url}")
    if run.sandbox is not None:
        end = run.sandbox.service.endpoint
        creds = run.sandbox.credentials
        lines.append(f"database: {run.scenario.store.provider.value} on {end.host}:{end.port} "
                     f"(user {creds.user}, database {creds.database})")
        shell = _SHELLS[run.scenario.store.provider].format(user=creds.user, db=creds.database)
        lines.append(f"  a shell: docker exec -it {run.sandbox.service.name} {shell}")
    lines.append(f"remove it with: rehearse clean --run {run.run_id}")
    return "\n".join(lines)
