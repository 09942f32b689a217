"""`rehearse plan`: print the stepwise upgrade path between two versions."""

from __future__ import annotations

from rehearse.catalog import Provider, resolve
from rehearse.commands.formats import PlanFormat
from rehearse.console import terminal
from rehearse.errors import ExitCode
from rehearse.planner import make_plan
from rehearse.report import plan as render


def plan(source: str, target: str, provider: Provider, stepwise: bool,
         output: PlanFormat) -> ExitCode:
    the_plan = make_plan(resolve(source), resolve(target), provider, stepwise)
    out = terminal()
    if output is PlanFormat.JSON:
        out.write(render.to_json(the_plan))
    elif output is PlanFormat.MARKDOWN:
        out.write(render.to_markdown(the_plan))
    elif the_plan.nothing_to_do:
        out.status(render.summary(the_plan))
    else:
        out.show(render.to_table(the_plan))
    return ExitCode.PASSED
