"""`rehearse attach`: a finished rehearsal's summary as a comment on its change ticket."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rehearse.console import terminal
from rehearse.errors import BadInputError, ExitCode
from rehearse.integrations.attach import dry_run, post, ticket
from rehearse.integrations.summary import full_report, summarize

REPORT = "report.json"


def attach(report_dir: Path, to: str, preview: bool, update: bool,
           base_url: str | None) -> ExitCode:
    out = terminal()
    folder = run_folder(report_dir)
    where = ticket(to, base_url, preview)
    summary = summarize(_report(folder), full_report(folder))
    if preview:
        out.write(dry_run(where, summary, update))
        out.status(f"dry run: nothing was sent to {where.target.text}")
        return ExitCode.PASSED
    posted = post(where, summary, update)
    done = "updated rehearse's comment on" if posted.updated else "posted the summary to"
    out.status(f"{done} {where.target.text}")
    out.write(f"{posted.url}\n")
    return ExitCode.PASSED


def run_folder(given: Path) -> Path:
    """A run's folder, or the newest run in a folder of runs (rehearsal-output/)."""
    if not given.is_dir():
        raise BadInputError(f"{given} is not a folder",
                            hint="give the folder `rehearse run` wrote its reports to "
                                 "(rehearsal-output/<time>-<run>/)")
    if (given / REPORT).is_file():
        return given
    runs = sorted(p.parent for p in given.glob(f"*/{REPORT}"))  # names start with the time
    if not runs:
        raise BadInputError(f"{given} holds no {REPORT}",
                            hint="give a run's folder; the json report is among the default "
                                 "formats (--format json)")
    terminal().status(f"the newest run in {given}: {runs[-1].name}")
    return runs[-1]


def _report(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / REPORT).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadInputError(f"{folder / REPORT} cannot be read ({error})",
                            hint="give the folder of a finished `rehearse run`") from None
    if not isinstance(data, dict) or "verdict" not in data:
        raise BadInputError(f"{folder / REPORT} is no rehearsal report",
                            hint="give the folder of a finished `rehearse run`")
    return data
