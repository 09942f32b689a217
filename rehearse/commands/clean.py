"""`rehearse clean`: remove every container and network rehearsals left behind."""

from __future__ import annotations

from rehearse.console import terminal
from rehearse.errors import ExitCode
from rehearse.sandbox import cleanup


def clean(run_id: str | None) -> ExitCode:
    removed = cleanup.remove_all(run_id)
    which = f"run {run_id}" if run_id else "rehearsals"
    terminal().status(f"removed {removed} containers and networks of {which}"
                      if removed else f"nothing left behind by {which}")
    return ExitCode.PASSED
