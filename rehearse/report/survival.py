"""The plugin and theme survival table as JSON data, Markdown, or a table for the terminal."""

from __future__ import annotations

from typing import Any

from rehearse.report.text import table, wrapped
from rehearse.status import CheckResult, Status
from rehearse.store.survival import Judgement, Survival


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


def to_table(survival: Survival, checks: tuple[CheckResult, ...]) -> str:
    """Plain text for the terminal: every verdict per step, then what did not pass."""
    rows = [("Plugin", *_steps(survival))] + [
        (name, *(j.fate.value for j in judgements)) for name, judgements in _rows(survival)]
    lines = [*table("Plugin and theme survival", rows), ""]
    for check in checks:
        if check.status is not Status.PASS:
            lines += wrapped(check.summary, f"{check.status.value} {check.id}: ", "    ")
    return "\n".join(lines) + "\n"


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
