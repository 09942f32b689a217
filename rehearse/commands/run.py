"""`rehearse run`: the whole rehearsal from a scenario file, then the reports."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from rehearse import nightly
from rehearse import scenario as scenarios
from rehearse.console import terminal
from rehearse.errors import BadInputError, EnvironmentNotReadyError, ExitCode
from rehearse.interrupts import shielded
from rehearse.lifecycle import rehearse
from rehearse.phases import Run
from rehearse.report import rehearsal as report
from rehearse.results import STAND_IN_WORDS, Rehearsal, Verdict
from rehearse.runlog import FILE, run_log
from rehearse.sandbox import cleanup
from rehearse.sandbox.labels import new_run_id, request_keep
from rehearse.sandbox.network import require_guard

_VERDICT_STYLE = {Verdict.PASS: "PASS", Verdict.FAIL: "FAIL", Verdict.ERROR: "ERROR"}


def run(scenario_path: Path, keep: bool, output: Path | None,
        formats: tuple[str, ...] | None, allow_host_access: bool = False,
        as_is: bool = False) -> ExitCode:
    out = terminal()
    unknown = sorted(set(formats or ()) - report.FILES.keys())
    if unknown:
        raise BadInputError(f"unknown report format {', '.join(unknown)}",
                            hint=f"choose from {', '.join(report.FILES)}")
    scenario = scenarios.load(scenario_path)
    require_guard(allow_host_access)  # before anything starts
    run_id = new_run_id()
    if keep:  # on every object from the start: no other run's sweep may take it for an orphan
        request_keep(run_id)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    folder = _report_folder((output or scenario.report.output) / f"{stamp}-{run_id}")
    out.status(f"rehearsing nopCommerce {scenario.store.version} → {scenario.target} "
               f"({scenario.store.provider.label}), run {run_id}")
    state = Run(scenario, scenario_path, run_id, folder, out,
                allow_host_access=allow_host_access, as_is=as_is)
    state.history = nightly.read_history(state)  # by a child, while orphans are swept
    _sweep_orphans()
    state.expected = partial(nightly.expected, state)
    with run_log(folder, out.redact):
        result, code = rehearse(state, keep)
        result, code, tonight = nightly.review(result, code, state, folder)
    with shielded():  # a stop now would lose the report of a finished rehearsal
        written = report.write(result, folder, formats or scenario.report.formats, state.logs,
                               out.redact)
    nightly.remember(tonight, out)
    _attach(scenario, result, folder)
    _summary(result, written, folder)
    return code


def _attach(scenario: scenarios.Scenario, result: Rehearsal, folder: Path) -> None:
    """The scenario's report.attach: a post that fails is a warning, the verdict stays."""
    if scenario.report.attach:
        from rehearse.integrations.attach import after_run

        out = terminal()
        after_run(scenario.report.attach, report.to_dict(report.scrubbed(result, out.redact)),
                  folder, out)


def _report_folder(folder: Path) -> Path:
    """Made, and written to, before anything starts: a rehearsal must never end without its
    reports."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / FILE).touch()
    except (FileExistsError, NotADirectoryError):
        raise BadInputError(f"cannot put reports in {folder.parent}: a file is in the way",
                            hint="give a folder with --output (or report.output)") from None
    except OSError as error:
        raise EnvironmentNotReadyError(
            f"cannot write reports in {folder.parent}: {error.strerror or error}",
            hint="give a folder this user can write to with --output (or report.output)",
        ) from None
    return folder


def _summary(result: Rehearsal, written: list[Path], folder: Path) -> None:
    out = terminal()
    out.status("")
    beside = f" ({STAND_IN_WORDS})" if result.stand_in else ""
    out.summary(f"{_VERDICT_STYLE[result.verdict]}: nopCommerce {result.source} → "
                f"{result.target} in {report.duration(result.seconds)}{beside}")
    if result.window:
        out.summary(f"maintenance window: {result.window}")
    if result.error:
        out.error(result.error, result.hint)
    if result.kept:
        out.status("the sandbox is still running (--keep):")
        for line in result.kept.splitlines():
            out.status(f"  {line}")
    out.summary(f"reports: {folder}/ ({', '.join(p.name for p in written)})")


def _sweep_orphans() -> None:
    """What a killed rehearsal left behind goes now, with a word about it."""
    for orphan in sorted(cleanup.orphaned_runs()):
        removed = cleanup.remove_all(orphan)
        terminal().status(f"warning: removed {removed} containers and networks left behind by "
                          f"rehearsal {orphan}, whose process is gone")
