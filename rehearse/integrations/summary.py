"""A rehearsal's report.json as a ticket comment: verdict, window, steps, failed checks, the
plugins that need attention, where the full report is. Kept as plain blocks so that each ticket
system gets its own markup (Markdown here; Jira's in jira_markup)."""

from __future__ import annotations

import html
import os
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ICONS = {"pass": "✅", "fail": "❌", "warn": "⚠️", "skip": "⏭️", "error": "💥"}
SURVIVES = {"bundled", "loads"}
MAX_ROWS = 25  # a comment stays readable (and under Jira's 32,767 characters)
MAX_CELL = 160
_NOP_ISSUE = re.compile(r"(?<![\w/])#(\d+)")


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Text:
    text: str
    strong: bool = False
    url: str = ""  # the text is this link


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Items:
    """A list of (label, text); the label is shown as code (a check's id)."""

    entries: tuple[tuple[str, str], ...]


Block = Heading | Text | Table | Items


@dataclass(frozen=True)
class Summary:
    marker: str  # finds this comment again for --update
    blocks: tuple[Block, ...]


def store_name(report: Mapping[str, Any]) -> str:
    return Path(str(report.get("scenario") or "rehearsal")).stem


def marker_of(report: Mapping[str, Any]) -> str:
    return f"rehearse:attach store={store_name(report)}"


def summarize(report: Mapping[str, Any], report_at: str) -> Summary:
    """`report_at`: a link to the CI run that keeps the report, or its path (full_report)."""
    blocks = [Heading(_title(report)), *_facts(report), _steps(report), *_checks(report),
              *_survival(report), *_where(report_at)]
    return Summary(marker_of(report), tuple(blocks))


def _where(report_at: str) -> list[Block]:
    if report_at.startswith(("https://", "http://")):
        return [Text("Full report (report.html, logs):"), Text(report_at, url=report_at)]
    return [Text(f"Full report: {report_at}")]


def _title(report: Mapping[str, Any]) -> str:
    verdict = str(report.get("verdict", "error"))
    note = f" ({report['verdict_note']})" if report.get("verdict_note") else ""
    return (f"{ICONS.get(verdict, '')} {store_name(report)}: {verdict.upper()}{note} — "
            f"nopCommerce {report.get('from')} → {report.get('to')} ({report.get('provider')})")


def _facts(report: Mapping[str, Any]) -> list[Block]:
    facts: list[Block] = []
    if report.get("window"):
        facts.append(Text(f"Maintenance window: {report['window']}", strong=True))
    if report.get("error"):
        facts.append(Text(f"{report['error']}" + (f" — fix: {report['hint']}"
                                                  if report.get("hint") else "")))
    facts.append(Text(f"Took {_time(float(report.get('seconds', 0)))}, run "
                      f"{report.get('run_id', '?')}, started {report.get('started_at', '?')}."))
    return facts


def _steps(report: Mapping[str, Any]) -> Table:
    rows = tuple((f"{s['from']} → {s['to']}", f"{ICONS.get(s['status'], '')} {s['status']}",
                  _time(float(s["seconds"])), _cut(s.get("detail", "")))
                 for s in report.get("steps", ()))
    return Table(("Step", "Result", "Time", "Detail"), rows or (("(none ran)", "", "", ""),))


def _checks(report: Mapping[str, Any]) -> list[Block]:
    checks = report.get("checks", ())
    counts = {status: sum(c["status"] == status for c in checks) for status in ICONS}
    line = Text(f"Checks: {counts['pass']} passed, {counts['fail'] + counts['error']} failed, "
                f"{counts['warn']} warnings, {counts['skip']} skipped.")
    failed = [c for c in checks if c["status"] in ("fail", "error")]
    entries = tuple((c["id"], f"{ICONS[c['status']]} {_cut(c['summary'])}")
                    for c in failed[:MAX_ROWS])
    more = [Text(f"… and {len(failed) - MAX_ROWS} more failed checks.")] if len(
        failed) > MAX_ROWS else []
    return [line, Items(entries), *more] if entries else [line]


def _survival(report: Mapping[str, Any]) -> list[Block]:
    survival = report.get("survival")
    if not survival:
        return []
    theme = survival["theme"]
    named = [(p["system_name"], p["steps"]) for p in survival["plugins"]]
    named.append((f"theme {theme.get('configured') or '(configured)'}", theme["steps"]))
    steps = tuple(theme["steps"])
    attention = [(name, by_step) for name, by_step in named
                 if any(by_step[s]["verdict"] not in SURVIVES for s in steps)]
    if not attention:
        return [Text(f"Plugins and theme: all {len(named)} survive every step.")]
    rows = tuple((name, *(_fate(by_step[s]) for s in steps)) for name, by_step in attention)
    return [Text(f"Plugins and theme: {len(attention)} of {len(named)} need attention."),
            Table(("Plugin", *steps), rows[:MAX_ROWS])]


def _fate(judgement: Mapping[str, Any]) -> str:
    return _cut(f"{judgement['verdict']}: {_unlinked(str(judgement['reason']))}")


def _unlinked(reason: str) -> str:
    """The catalogue cites nopCommerce's issues as "#7087"; on a ticket GitHub and GitLab would
    link that to the ticket's own repository, and Azure Boards to its work item 7087."""
    return _NOP_ISSUE.sub(r"nopCommerce issue \1", reason)


def _time(seconds: float) -> str:
    from rehearse.report.rehearsal import duration  # its templates load only when posting

    return duration(seconds)


def _cut(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_CELL else text[:MAX_CELL - 1] + "…"


def full_report(folder: Path, env: Mapping[str, str] | None = None) -> str:
    """A link to the CI run that keeps the report as an artifact, else its path here."""
    env = os.environ if env is None else env
    if env.get("GITHUB_RUN_ID") and env.get("GITHUB_REPOSITORY"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        return f"{server}/{env['GITHUB_REPOSITORY']}/actions/runs/{env['GITHUB_RUN_ID']}"
    if env.get("CI_JOB_URL"):
        return f"{env['CI_JOB_URL']}/artifacts/browse"
    if env.get("SYSTEM_COLLECTIONURI") and env.get("BUILD_BUILDID"):
        return (f"{env['SYSTEM_COLLECTIONURI']}{env.get('SYSTEM_TEAMPROJECT', '')}"
                f"/_build/results?buildId={env['BUILD_BUILDID']}&view=artifacts")
    return f"{(folder / 'report.html').resolve()} on {socket.gethostname()}"


def to_markdown(summary: Summary, hidden_marker: bool = True) -> str:
    """GitHub, GitLab and Azure DevOps Markdown. Store data is escaped: raw HTML in a plugin's
    name shows as text, a `|` cannot split a cell."""
    lines = [f"<!-- {summary.marker} -->"] if hidden_marker else []
    for block in summary.blocks:
        lines += [*_markdown(block), ""]
    if not hidden_marker:
        lines.append(summary.marker)  # as written: --update looks for it
    return "\n".join(lines).rstrip() + "\n"


def _markdown(block: Block) -> list[str]:
    if isinstance(block, Heading):
        return [f"### {_md(block.text)}"]
    if isinstance(block, Text):
        text = f"<{block.url}>" if block.url else _md(block.text)
        return [f"**{text}**" if block.strong else text]
    if isinstance(block, Items):
        return [f"- `{_code(label)}`: {_md(text)}" for label, text in block.entries]
    return ["| " + " | ".join(_md(h) for h in block.header) + " |",
            "|---" * len(block.header) + "|",
            *["| " + " | ".join(_md(c) for c in row) + " |" for row in block.rows]]


def _code(text: str) -> str:
    return text.replace("`", "'")


def _md(text: str) -> str:
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")
