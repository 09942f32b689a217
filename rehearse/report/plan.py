"""A plan as JSON, Markdown, or a table for the terminal."""

from __future__ import annotations

import json
from typing import Any

from rehearse.catalog import Mechanism
from rehearse.planner import Plan, Step
from rehearse.report.text import table, wrapped

ARROW = "→"


def to_dict(plan: Plan) -> dict[str, Any]:
    return {
        "from": str(plan.source),
        "to": str(plan.target),
        "provider": plan.provider.value,
        "stepwise": plan.stepwise,
        "steps": [_step_dict(step) for step in plan.steps],
        "target_image": plan.target_image,
        "notes": list(plan.notes),
    }


def _step_dict(step: Step) -> dict[str, Any]:
    data: dict[str, Any] = {"from": str(step.source), "to": str(step.target),
                            "kind": step.kind.value}
    if step.kind is Mechanism.SQL_SCRIPT:
        data["script"] = step.script
    else:
        data["image"] = step.image
    data["notes"] = list(step.notes)
    return data


def to_json(plan: Plan) -> str:
    return json.dumps(to_dict(plan), indent=2) + "\n"


def title(plan: Plan) -> str:
    return f"nopCommerce {plan.source} {ARROW} {plan.target} on {plan.provider.label}"


def summary(plan: Plan) -> str:
    if plan.nothing_to_do:
        return f"nothing to do: the store is already at {plan.target}"
    scripts = sum(step.kind is Mechanism.SQL_SCRIPT for step in plan.steps)
    starts = len(plan.steps) - scripts
    parts = [_count(scripts, "SQL script"), _count(starts, "app start")]
    mode = "stepwise" if plan.stepwise else "direct"
    return f"{len(plan.steps)} steps: " + ", ".join(p for p in parts if p) + f" ({mode})"


def _count(n: int, noun: str) -> str:
    return "" if n == 0 else f"{n} {noun}" + ("s" if n > 1 else "")


def _how(step: Step) -> tuple[str, str]:
    if step.kind is Mechanism.SQL_SCRIPT:
        return "SQL script", step.script or ""
    return "app start", step.image or ""


def to_table(plan: Plan) -> str:
    """The plan as plain text laid out for the terminal (no Rich: `plan` answers at once)."""
    rows = [("#", "Step", "How", "Runs")] + [
        (str(n), _step_name(step), *_how(step)) for n, step in enumerate(plan.steps, start=1)]
    lines = [*table(f"Upgrade plan: {title(plan)}", rows), "", summary(plan), ""]
    for number, step in enumerate(plan.steps, start=1):
        if step.notes:
            lines += _watch_list(f"Step {number} ({_step_name(step)})", step.notes)
    if plan.notes:
        lines += _watch_list("Whole plan", plan.notes)
    return "\n".join(lines).rstrip() + "\n"


def _step_name(step: Step) -> str:
    return f"{step.source} {ARROW} {step.target}"


def _watch_list(heading: str, notes: tuple[str, ...]) -> list[str]:
    return [heading, *(line for note in notes for line in wrapped(note, "  • ", "    "))]


def to_markdown(plan: Plan) -> str:
    lines = [f"# Upgrade plan: {title(plan)}", "", f"**{summary(plan)}**", ""]
    if plan.steps:
        lines += ["| # | Step | How | What changes around it |", "|---|---|---|---|"]
        for number, step in enumerate(plan.steps, start=1):
            kind, what = _how(step)
            how = f"{kind} `{what}`"
            notes = "<br>".join(step.notes) or "-"
            lines.append(f"| {number} | {step.source} {ARROW} {step.target} | {how} | {notes} |")
        lines.append("")
    lines += [f"- {note}" for note in plan.notes]
    return "\n".join(lines).rstrip() + "\n"
