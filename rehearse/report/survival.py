"""The plugin and theme survival table as JSON data, Markdown, or a table for the terminal."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from rehearse.results import CheckResult, Status
from rehearse.store.survival import Fate, Judgement, Survival

STYLES = {Fate.BUNDLED: "green", Fate.LOADS: "green", Fate.STALE: "yellow",
          Fate.INCOMPATIBLE: "yellow", Fate.MISSING: "yellow", Fate.REMOVED: "yellow",
          Fate.RENAMED: "yellow", Fate.FALLS_BACK: "yellow", Fate.BREAKS_STARTUP: "red",
          Fate.UNKNOWN: "dim"}


def _judgement(judgement: Judgement, with_build: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {"verdict": judgement.fate.value, "reason": judgement.reason}
    if with_build:
        data["build"] = judgement.build
    return data


def to_dict(survival: Survival) -> dict[str, Any]:
    return {
        "plugins": [{"system_name": p.system_name, "installed_version": p.installed_version,
                     "steps": {step: _judgement(j) for step, j in p.steps}}
                    for p in survival.plugins],
        "theme": {"configured": survival.theme.configured,
                  "steps": {step: _judgement(j, False) for step, j in survival.theme.steps}},
        "startup": {step: list(problems) for step, problems in survival.startup},
    }


def check_dict(check: CheckResult) -> dict[str, Any]:
    return {"id": check.id, "status": check.status.value, "summary": check.summary}


def _steps(survival: Survival) -> list[str]:
    return [step for step, _ in survival.theme.steps]


def _rows(survival: Survival) -> list[tuple[str, list[Judgement]]]:
    rows = [(p.system_name, [j for _, j in p.steps]) for p in survival.plugins]
    theme = f"theme {survival.theme.configured or '(configured)'}"
    return [*rows, (theme, [j for _, j in survival.theme.steps])]


def to_table(survival: Survival, checks: tuple[CheckResult, ...]) -> RenderableType:
    table = Table(title="Plugin and theme survival", title_justify="left", title_style="bold",
                  box=box.SIMPLE_HEAD)
    table.add_column("Plugin", style="bold", no_wrap=True)
    for step in _steps(survival):
        table.add_column(step, no_wrap=True)
    for name, judgements in _rows(survival):
        table.add_row(name, *(Text(j.fate.value, style=STYLES[j.fate]) for j in judgements))
    notes = Table.grid(padding=(0, 1))
    for check in checks:
        if check.status is not Status.PASS:
            notes.add_row(check.status.value, check.id, check.summary)
    return Group(table, notes)


def to_markdown(survival: Survival) -> str:
    steps = _steps(survival)
    lines = ["| Plugin | " + " | ".join(steps) + " |", "|---" * (len(steps) + 1) + "|"]
    for name, judgements in _rows(survival):
        lines.append(f"| {name} | " + " | ".join(
            f"**{j.fate.value}**: {j.reason}" for j in judgements) + " |")
    return "\n".join(lines) + "\n"


def html_rows(survival: Survival | None) -> dict[str, Any] | None:
    """Steps and rows of (name, [(verdict, reason, build)]) for the HTML template."""
    if survival is None:
        return None
    return {"steps": _steps(survival), "rows": [
        (name, [(j.fate.value, j.reason, j.build or "") for j in judgements])
        for name, judgements in _rows(survival)]}
