"""A rehearsal as JSON (versioned), Markdown (ticket-ready), HTML (one file) and JUnit XML."""

from __future__ import annotations

import dataclasses
import html
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar
from xml.etree import ElementTree

from rehearse.report import survival as survival_report
from rehearse.report.chart import trend_svg
from rehearse.results import (
    STAND_IN_WORDS,
    ImagesUsed,
    PhaseResult,
    Rehearsal,
    Status,
    Verdict,
)

SCHEMA_VERSION = 1
_T = TypeVar("_T")
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
            "stand_in": rehearsal.stand_in,
            "verdict_note": STAND_IN_WORDS if rehearsal.stand_in else "",
            "from": data.pop("source"), "to": data.pop("target"), **data}
    for step in data["steps"]:
        step["from"], step["to"] = step.pop("source"), step.pop("target")
    if rehearsal.survival is not None:
        data["survival"] = survival_report.to_dict(rehearsal.survival)
    return data


def to_json(rehearsal: Rehearsal) -> str:
    return json.dumps(to_dict(rehearsal), indent=2, default=str) + "\n"


def step_name(step: Any) -> str:
    return f"{step.source} → {step.target}"


def headline(rehearsal: Rehearsal) -> str:
    """The verdict; a stand-in app image (by its label) is said beside it."""
    words = _VERDICT_WORDS[rehearsal.verdict]
    return f"{words} ({STAND_IN_WORDS})" if rehearsal.stand_in else words


# Phases before the restore ran against no database.
_NO_DATABASE = {"check inputs", "sandbox"}


def ran_on(rehearsal: Rehearsal, phase: PhaseResult) -> str:
    """The database (image and server) a phase ran against, or nothing."""
    if rehearsal.database is None or phase.name in _NO_DATABASE:
        return ""
    return rehearsal.database.describe()


def step_images(step: Any) -> str:
    return step.images.describe() if step.images is not None else ""


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
    if r.exposure:
        lines += [f"> **Warning:** {_md(r.exposure)}", ""]
    if r.error:
        lines += [f"> {_md(r.error)}", ">", f"> Fix: {_md(r.hint)}" if r.hint else "", ""]
    lines += [f"Total time: **{duration(r.seconds)}** (started {r.started_at}, "
              f"run `{r.run_id}`)", "", "## Steps", "",
              "| Step | Kind | Result | Time | Detail | Ran on |", "|---|---|---|---|---|---|"]
    rows = [f"| {step_name(s)} | {s.kind} | {_ICONS[s.status]} {s.status} | "
            f"{duration(s.seconds)} | {_md(s.detail)} | {step_images(s)} |" for s in r.steps]
    lines += rows or ["| (none ran) | | | | | |"]
    if r.warnings:
        lines += ["", "## Sandbox database", ""] + [f"- {w}" for w in r.warnings]
    failed = [c for c in r.checks if c.status in (Status.FAIL, Status.ERROR)]
    lines += ["", "## Checks", "",
              f"{sum(c.status is Status.PASS for c in r.checks)} passed, {len(failed)} failed, "
              f"{sum(c.status is Status.WARN for c in r.checks)} warnings, "
              f"{sum(c.status is Status.SKIP for c in r.checks)} skipped.", ""]
    lines += [f"- {_ICONS[c.status]} `{c.id}`: {_md(c.summary)}" for c in r.checks]
    for check in failed:  # an indented code block: shown as written, never rendered
        lines += ["", f"### {check.id}", "",
                  *[f"    {line}" for e in check.evidence for line in e.splitlines()]]
    if r.survival is not None:
        lines += ["", "## Plugin and theme survival", "",
                  survival_report.to_markdown(r.survival)]
    if r.safety:
        lines += ["", "## Made safe before any app started", ""] + [
            f"- {_md(s)}" for s in r.safety]
    lines += ["", "## Phases", ""] + [
        f"- {_ICONS[p.status]} {p.name} ({duration(p.seconds)})"
        + (f" — {ran_on(r, p)}" if ran_on(r, p) else "") for p in r.phases]
    if r.backup:
        same = "unchanged" if r.backup.get("unchanged") == "true" else "CHANGED"
        digest = f" (sha256 {r.backup['sha256_before']})" if "sha256_before" in r.backup else ""
        lines += ["", f"Backup {_md(r.backup['path'])} {same}{digest}."]
        lines += [f"{backup_choice(r.backup)}."] if "age" in r.backup else []
    return "\n".join(line for line in lines if line is not None).rstrip() + "\n"


def _md(text: str) -> str:
    """Store data as Markdown text: raw HTML (`<script>`, `<img onerror>`) shows as text in
    ticket systems that render HTML in Markdown; a `|` cannot split a table cell."""
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


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
    from jinja2 import Environment, PackageLoader  # only for HTML: a rehearsal's memory

    environment = Environment(loader=PackageLoader("rehearse.report", "templates"),
                              autoescape=True)
    template = environment.get_template("report.html.j2")
    total = max(rehearsal.seconds, 0.001)
    # Failures first: the reader came for them.
    order = [Status.ERROR, Status.FAIL, Status.WARN, Status.PASS, Status.SKIP]
    checks = sorted(rehearsal.checks, key=lambda c: order.index(c.status))
    return template.render(r=rehearsal, checks=checks, headline=headline(rehearsal),
                           icons=_ICONS, ran_on=ran_on, step_images=step_images,
                           survival=survival_report.html_rows(rehearsal.survival),
                           backup_choice=backup_choice, rollback_time=rollback_time,
                           chart=trend_svg(rehearsal.trend),
                           duration=duration, step_name=step_name, logs=logs, total=total)


@dataclass(frozen=True)
class _Case:
    name: str
    classname: str
    seconds: float
    status: Status
    message: str
    text: str = ""
    properties: tuple[tuple[str, str], ...] = ()


def _cases(rehearsal: Rehearsal) -> list[_Case]:
    cases = [_Case(f"step {step_name(s)}", s.kind, s.seconds, s.status, s.detail,
                   properties=_image_properties(s.images)) for s in rehearsal.steps]
    cases += [_Case(c.id, "check", c.seconds, c.status, c.summary, "\n".join(c.evidence))
              for c in rehearsal.checks]
    cases += [_Case(f"phase {p.name}", "phase", p.seconds, p.status, p.detail, p.hint)
              for p in rehearsal.phases if p.status is Status.ERROR]
    return cases


def _image_properties(images: ImagesUsed | None) -> tuple[tuple[str, str], ...]:
    if images is None:
        return ()
    found = [("database.image", images.database_image),
             ("database.server", images.database_server),
             ("nopcommerce.image", images.app_image), ("nopcommerce.digest", images.app_digest)]
    if images.stand_in:
        found.append(("nopcommerce.stand_in", STAND_IN_WORDS))
    return tuple((name, value) for name, value in found if value)


def to_junit(rehearsal: Rehearsal) -> str:
    """JUnit XML; a warning is a property and a `<system-out>` line, never a silent pass."""
    cases = _cases(rehearsal)
    suite = ElementTree.Element("testsuite", {
        "name": f"rehearse nopCommerce {rehearsal.source} to {rehearsal.target}",
        "tests": str(len(cases)), "time": f"{rehearsal.seconds:.3f}",
        "failures": str(sum(c.status is Status.FAIL for c in cases)),
        "errors": str(sum(c.status is Status.ERROR for c in cases)),
        "skipped": str(sum(c.status is Status.SKIP for c in cases))})
    suite_properties = [("verdict", headline(rehearsal)),
                        *_image_properties(rehearsal.database)]
    suite_properties += [_note(w) for w in rehearsal.warnings]
    _properties(suite, tuple(suite_properties))
    for case in cases:
        _testcase(suite, case)
    lines = [": ".join(_note(w)) for w in rehearsal.warnings]
    if rehearsal.safety:  # the made-safe list belongs in every format
        lines += ["Made safe (old → new; before and between app starts):", *rehearsal.safety]
    if lines:
        ElementTree.SubElement(suite, "system-out").text = "\n".join(lines)
    ElementTree.indent(suite)
    return ElementTree.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def scrubbed(value: _T, redact: Callable[[str], str]) -> _T:
    """A copy of a result (dataclasses, tuples, dicts) with every string redacted."""
    found: object = value
    if isinstance(value, Enum):  # Status and Verdict are str too: keep them what they are
        return value
    if isinstance(value, str):
        found = redact(value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        found = dataclasses.replace(value, **{
            f.name: scrubbed(getattr(value, f.name), redact) for f in dataclasses.fields(value)})
    elif isinstance(value, tuple | list):
        found = type(value)(scrubbed(item, redact) for item in value)
    elif isinstance(value, dict):
        found = {scrubbed(k, redact): scrubbed(v, redact) for k, v in value.items()}
    return found  # type: ignore[return-value]


def _note(text: str) -> tuple[str, str]:
    """("warning", …) for a warning, ("note", …) for what the sandbox did differently."""
    if text.startswith("warning: "):
        return "warning", text.removeprefix("warning: ")
    return "note", text


def _testcase(suite: ElementTree.Element, case: _Case) -> None:
    element = ElementTree.SubElement(suite, "testcase", {
        "name": case.name, "classname": f"rehearse.{case.classname}",
        "time": f"{case.seconds:.3f}"})
    warned = case.status is Status.WARN
    _properties(element, case.properties + ((("warning", case.message),) if warned else ()))
    tag = {Status.FAIL: "failure", Status.ERROR: "error", Status.SKIP: "skipped"}.get(case.status)
    if tag:
        ElementTree.SubElement(element, tag, {"message": case.message}).text = (
            case.text or case.message)
    if warned:
        lines = [f"warning: {case.message}", *case.text.splitlines()]
        ElementTree.SubElement(element, "system-out").text = "\n".join(lines)


def _properties(parent: ElementTree.Element, properties: tuple[tuple[str, str], ...]) -> None:
    if not properties:
        return
    holder = ElementTree.SubElement(parent, "properties")
    for name, value in properties:
        ElementTree.SubElement(holder, "property", {"name": name, "value": value})


def write(rehearsal: Rehearsal, folder: Path, formats: tuple[str, ...], logs: dict[str, str],
          redact: Callable[[str], str]) -> list[Path]:
    """Every requested report, the container logs beside them; everything redacted."""
    folder.mkdir(parents=True, exist_ok=True)
    # Redacted before any encoding (HTML, JSON, XML, URL), and once more after it: `redact`
    # also knows each secret's encoded forms.
    rehearsal = scrubbed(rehearsal, redact)
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
