"""`rehearse ci`: a ready nightly pipeline for GitHub Actions, GitLab CI or Azure Pipelines."""

from __future__ import annotations

from pathlib import Path

from rehearse.commands.formats import CiSystem
from rehearse.console import terminal
from rehearse.errors import BadInputError, ExitCode
from rehearse.integrations.cron import schedule as checked_schedule
from rehearse.integrations.pipelines import FILES, Job, Pipeline, render
from rehearse.integrations.targets import parse


def ci(system: CiSystem, scenarios: list[Path], schedule: str, install: str,
       attach: str | None) -> ExitCode:
    if attach:
        parse(attach)
    pipeline = Pipeline(system.value, jobs(scenarios), checked_schedule(schedule), install,
                        attach)
    terminal().write(render(pipeline))
    terminal().status(f"save it as {FILES[system.value]} in the repository that holds the "
                      "scenarios")
    return ExitCode.PASSED


def jobs(scenarios: list[Path]) -> tuple[Job, ...]:
    """One per scenario, named after its file; paths as the pipeline's checkout sees them."""
    found: dict[str, Job] = {}
    for path in scenarios:
        if not path.is_file():
            raise BadInputError(f"scenario {path} does not exist",
                                hint="give the scenario files' paths, from the repository's "
                                     "root (where the pipeline checks them out)")
        job = Job(path.stem, _in_checkout(path))
        if job.name in found:
            raise BadInputError(f"{found[job.name].scenario} and {job.scenario} share the name "
                                f"{job.name!r}", hint="rename one: each job and its reports "
                                                      "are named after the file")
        found[job.name] = job
    return tuple(found.values())


def _in_checkout(path: Path) -> str:
    if not path.is_absolute():
        return path.as_posix()
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        raise BadInputError(f"scenario {path} is outside this folder",
                            hint="run rehearse ci from the root of the repository that holds "
                                 "the scenarios") from None
