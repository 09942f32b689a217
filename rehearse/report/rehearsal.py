"""A rehearsal as JSON (versioned), Markdown (ticket-ready), HTML (one file) and JUnit XML."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from jinja2 import Environment, PackageLoader

from rehearse.report.chart import trend_svg
from rehearse.results import Rehearsal, Status, Verdict

SCHEMA_VERSION = 1
FILES = {"json": "report.json", "markdown": "report.md", "html": "report.html",
         "junit": "junit.xml"}
_ICONS = {Status.PASS: "✅", Status.FAIL: "❌", Status.WARN: "⚠️", Status.SKIP: "⏭️",
          Status.ERROR: "💥"}
_VERDICT_WORDS = {Verdict.PASS: "PASS — the upgrade rehearsed cleanly",
                  Verdict.FAIL: "FAIL — the upgrade broke something",
                  Verdict.ERROR: "ERROR — the rehearsal could not finish"}


def to_dict(rehearsal: Rehearsal) -> dict[str, Any]:
    data = asdict(rehearsal)
    data = {"schema_version": SCHEMA_VERSION, "verdict": data.pop("verdict"),
            "from": data.pop("source"), "to": data.pop("target"), **data}
    for step in data["steps"]:
        step["from"], step["to"] = step.pop("source"), step.pop("target")
    return data


def to_json(rehearsal: Rehearsal) -> str:
    return json.dumps(to_dict(rehearsal), indent=2, default=str) + "\n"


def step_name(step: Any) -> str:
    return f"{step.source} → {step.target}"


def headline(rehearsal: Rehearsal) -> str:
    return _VERDICT_WORDS[rehearsal.verdict]


def to_markdown(rehearsal: Rehearsal) -> str:
    r = rehearsal
    lines = [f"# Upgrade rehearsal: nopCommerce {r.source} → {r.target} ({r.provider})", "",
             f"**Verdict: {headline(r)}**", ""]
    if r.window:
        lines += [f"**Maintenance window: {r.window}**", ""]
    if r.history:
        lines += [f"History: {r.history}.", ""]
    if r.rollback:
        lines += [f"Rollback: {r.rollback}{rollback_time(r)}.", ""]
    if r.error:
        lines += [f"> {r.error}", ">", f"> Fix: {r.hint}" if r.hint else "", ""]
    lines += [f"Total time: **{duration(r.seconds)}** (started {r.started_at}, "
              f"run `{r.run_id}`)", "", "## Steps", "",
              "| Step | Kind | Result | Time | Detail |", "|---|---|---|---|---|"]
    rows = [f"| {step_name(s)} | {s.kind} | {_ICONS[s.status]} {s.status} | "
            f"{duration(s.seconds)} | {s.detail} |" for s in r.steps]
    lines += rows or ["| (none ran) | | | | |"]
    failed = [c for c in r.checks if c.status in (Status.FAIL, Status.ERROR)]
    lines += ["", "## Checks", "",
              f"{sum(c.status is Status.PASS for c in r.checks)} passed, {len(failed)} failed, "
              f"{sum(c.status is Status.WARN for c in r.checks)} warnings, "
              f"{sum(c.status is Status.SKIP for c in r.checks)} skipped.", ""]
    lines += [f"- {_ICONS[c.status]} `{c.id}`: {c.summary}" for c in r.checks]
    for check in failed:
        lines += ["", f"### {check.id}", "", *[f"    {e}" for e in check.evidence]]
    if r.safety:
        lines += ["", "## Made safe before any app started", ""] + [f"- {s}" for s in r.safety]
    lines += ["", "## Phases", ""] + [f"- {_ICONS[p.status]} {p.name} ({duration(p.seconds)})"
                                      for p in r.phases]
    if r.backup:
        same = "unchanged" if r.backup.get("unchanged") == "true" else "CHANGED"
        lines += ["", f"Backup `{r.backup['path']}` {same} "
                      f"(sha256 {r.backup['sha256_before']})."]
        lines += [f"{backup_choice(r.backup)}."] if "age" in r.backup else []
    return "\n".join(line for line in lines if line is not None).rstrip() + "\n"


def rollback_time(rehearsal: Rehearsal) -> str:
    timed = [p.seconds for p in rehearsal.phases if p.name == "rollback"]
    return f", in {duration(timed[0])}" if timed and timed[0] > 1 else ""


def backup_choice(backup: dict[str, str]) -> str:
    """How old the backup is and, for a glob, what else matched."""
    text = f"Backup age: {backup['age']}"
    if backup.get("pattern") != backup.get("path"):
        text += f", the newest of {backup['matches']} matching `{backup['pattern']}`"
    if backup.get("unreadable"):
        text += f"; unreadable matches: {backup['unreadable']}"
    return text


def duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{seconds:.1f} s"


def to_html(rehearsal: Rehearsal, logs: dict[str, str]) -> str:
    environment = Environment(loader=PackageLoader("rehearse.report", "templates"),
                              autoescape=True)
    template = environment.get_template("report.html.j2")
    total = max(rehearsal.seconds, 0.001)
    # Failures first: the reader came for them.
    order = [Status.ERROR, Status.FAIL, Status.WARN, Status.PASS, Status.SKIP]
    checks = sorted(rehearsal.checks, key=lambda c: order.index(c.status))
    return template.render(r=rehearsal, checks=checks, headline=headline(rehearsal),
                           icons=_ICONS, backup_choice=backup_choice,
                           rollback_time=rollback_time, chart=trend_svg(rehearsal.trend),
                           duration=duration, step_name=step_name, logs=logs, total=total)


def to_junit(rehearsal: Rehearsal) -> str:
    cases = [(f"step {step_name(s)}", s.kind, s.seconds, s.status, s.detail, "")
             for s in rehearsal.steps]
    cases += [(c.id, "check", c.seconds, c.status, c.summary, "\n".join(c.evidence))
              for c in rehearsal.checks]
    failures = [p for p in rehearsal.phases if p.status is Status.ERROR]
    cases += [(f"phase {p.name}", "phase", p.seconds, p.status, p.detail, p.hint)
              for p in failures]
    suite = ElementTree.Element("testsuite", {
        "name": f"rehearse nopCommerce {rehearsal.source} to {rehearsal.target}",
        "tests": str(len(cases)), "time": f"{rehearsal.seconds:.3f}",
        "failures": str(sum(c[3] is Status.FAIL for c in cases)),
        "errors": str(sum(c[3] is Status.ERROR for c in cases)),
        "skipped": str(sum(c[3] is Status.SKIP for c in cases))})
    for name, classname, seconds, status, message, text in cases:
        case = ElementTree.SubElement(suite, "testcase", {
            "name": name, "classname": f"rehearse.{classname}", "time": f"{seconds:.3f}"})
        tag = {Status.FAIL: "failure", Status.ERROR: "error", Status.SKIP: "skipped"}.get(status)
        if tag:
            ElementTree.SubElement(case, tag, {"message": message}).text = text or message
    ElementTree.indent(suite)
    return ElementTree.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def write(rehearsal: Rehearsal, folder: Path, formats: tuple[str, ...], logs: dict[str, str],
          redact: Callable[[str], str]) -> list[Path]:
    """Every requested report, the container logs beside them; everything redacted."""
    folder.mkdir(parents=True, exist_ok=True)
    logs = {name: redact(text) for name, text in logs.items()}
    renderers: dict[str, Callable[[], str]] = {
        "json": lambda: to_json(rehearsal), "markdown": lambda: to_markdown(rehearsal),
        "html": lambda: to_html(rehearsal, logs), "junit": lambda: to_junit(rehearsal)}
    written = []
    for name in formats:
        path = folder / FILES[name]
        path.write_text(redact(renderers[name]()), encoding="utf-8")
        written.append(path)
    if logs:
        (folder / "logs").mkdir(exist_ok=True)
        for log_name, text in logs.items():
            (folder / "logs" / log_name).write_text(text, encoding="utf-8")
    return written
