"""`rehearse check`: what can be judged without starting a container, survival table first."""

from __future__ import annotations

import json
from pathlib import Path

from rehearse import scenario as scenarios
from rehearse.checks.preflight import Preflight, preflight, store_image
from rehearse.commands.formats import CheckFormat
from rehearse.console import terminal
from rehearse.errors import ExitCode
from rehearse.report import survival as render
from rehearse.status import Status


def check(scenario_path: Path, output: CheckFormat) -> ExitCode:
    scenario = scenarios.load(scenario_path)
    found = preflight(scenario, lambda v: store_image(scenario, v), _has_image)
    out = terminal()
    if output is CheckFormat.JSON:
        out.write(json.dumps(to_dict(found), indent=2) + "\n")
    elif output is CheckFormat.MARKDOWN:
        out.write(to_markdown(found))
    else:
        out.show(render.to_table(found.survival, found.checks))
        out.summary(f"{verdict(found).upper()}: {_count(found)}")
    return ExitCode.FAILED if found.breaks else ExitCode.PASSED


def verdict(found: Preflight) -> str:
    return "fail" if found.breaks else "pass"


def _count(found: Preflight) -> str:
    failed = sum(c.status is Status.FAIL for c in found.checks)
    warned = sum(c.status is Status.WARN for c in found.checks)
    return f"{failed} would break, {warned} warnings, {len(found.checks)} checks"


def to_dict(found: Preflight) -> dict[str, object]:
    data = render.to_dict(found.survival)
    return {**data, "checks": [render.check_dict(c) for c in found.checks],
            "verdict": verdict(found)}


def to_markdown(found: Preflight) -> str:
    lines = ["# rehearse check", "", f"**{verdict(found).upper()}**: {_count(found)}", "",
             render.to_markdown(found.survival), "| Check | Status | Summary |", "|---|---|---|"]
    lines += [f"| {c.id} | {c.status.value} | {c.summary} |" for c in found.checks]
    return "\n".join(lines) + "\n"


def _has_image(image: str) -> bool | None:
    from rehearse.sandbox import quick

    return quick.has_image(image)
