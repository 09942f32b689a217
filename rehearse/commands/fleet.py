"""`rehearse fleet`: many stores rehearsed across Docker engines, one report each, one index."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from rehearse import fleet
from rehearse import scenario as scenarios
from rehearse.console import terminal
from rehearse.errors import BadInputError, ExitCode
from rehearse.report import fleet as index
from rehearse.report.rehearsal import duration
from rehearse.sandbox import engine, host

_MARKS = {"pass": "✓", "fail": "✗", "error": "✗"}


def run_fleet(scenario_paths: tuple[Path, ...], engines: tuple[str, ...], parallel: int,
              output: Path | None, allow_host_access: bool = False) -> ExitCode:
    out = terminal()
    if parallel < 1:
        raise BadInputError(f"--parallel {parallel} runs nothing",
                            hint="give 1 or more rehearsals at once per engine")
    jobs = _jobs(scenario_paths)
    targets = tuple(dict.fromkeys(engines))
    for target in targets:  # every engine answers before anything starts
        host.check_engine(target)
    folder = output or Path("rehearsal-fleet") / datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=True)
    out.status(f"rehearsing {_count(len(jobs), 'store')} on {_count(len(targets), 'engine')}, "
               f"{parallel} at once on each")
    children = fleet.Children()
    work = fleet.rehearse_on(children, folder, allow_host_access, _environment)
    # The index is written as each store finishes: a stopped fleet leaves one of what ran.
    outcomes = fleet.dispatch(jobs, targets, parallel, _announced(work), on_stop=children.stop,
                              on_done=lambda done: index.write(done, targets, folder))
    written = index.write(outcomes, targets, folder)
    passed = sum(o.verdict == "pass" for o in outcomes)
    out.summary(f"{passed} of {len(outcomes)} stores passed; index: {written[0]}")
    return fleet.exit_code(outcomes)


def _jobs(paths: tuple[Path, ...]) -> list[fleet.Job]:
    """Every scenario valid before anything starts; reports in json and html at least."""
    jobs = []
    for path, name in zip(paths, fleet.unique_names(paths), strict=True):
        formats = scenarios.load(path).report.formats
        wanted = tuple(dict.fromkeys((*formats, "json", "html")))
        jobs.append(fleet.Job(name, path.resolve(), wanted))
    return jobs


def _environment(target: str) -> dict[str, str]:
    # The children's terminal output goes to files: no colour codes in them.
    return {**engine.child_environment(target, os.environ), "NO_COLOR": "1"}


def _announced(work: fleet.Work) -> fleet.Work:
    def announced(job: fleet.Job, target: str) -> fleet.Outcome:
        terminal().status(f"▶ {job.name} on {target}")
        outcome = work(job, target)
        window = f" — {outcome.report['window']}" if outcome.report.get("window") else ""
        terminal().status(f"{_MARKS.get(outcome.verdict, '✗')} {job.name}: "
                          f"{outcome.verdict.upper()} on {target} in "
                          f"{duration(outcome.seconds)}{window}")
        return outcome

    return announced


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
