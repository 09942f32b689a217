"""`rehearse history`: the rehearsals recorded so far, newest first, with each step's trend."""

from __future__ import annotations

from rehearse.commands.formats import HistoryFormat
from rehearse.console import terminal
from rehearse.errors import BadInputError, ExitCode
from rehearse.history.database import history_url, opened, shown
from rehearse.report import history as render


def history(store: str | None, last: int, output: HistoryFormat, url: str | None) -> ExitCode:
    if last < 1:
        raise BadInputError(f"--last {last}: show at least one run", hint="e.g. --last 10")
    location = history_url(url)
    with opened(location) as recorded:
        runs = recorded.runs(store, last)
    out = terminal()
    if not runs:
        which = f" for store {store!r}" if store else ""
        out.status(f"no rehearsals recorded{which} in {shown(location)} yet")
    elif output is HistoryFormat.JSON:
        out.write(render.to_json(runs))
    elif output is HistoryFormat.CSV:
        out.write(render.to_csv(runs))
    else:
        out.show(render.to_table(runs))
    return ExitCode.PASSED
