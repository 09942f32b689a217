"""The fleet's index: every store's verdict, maintenance window, engine and report, as a page for
people (index.html) and JSON for machines (index.json)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader

from rehearse.fleet import Outcome
from rehearse.report.rehearsal import duration

SCHEMA_VERSION = 1


def to_dict(outcomes: Sequence[Outcome], engines: Sequence[str]) -> dict[str, Any]:
    stores = [_store(outcome) for outcome in outcomes]
    verdicts = [store["verdict"] for store in stores]
    return {"schema_version": SCHEMA_VERSION, "engines": list(engines),
            "passed": verdicts.count("pass"), "failed": len(verdicts) - verdicts.count("pass"),
            "stores": stores}


def _store(outcome: Outcome) -> dict[str, Any]:
    report = outcome.report
    html = f"{outcome.folder}/report.html" if outcome.folder else ""
    return {"name": outcome.name, "scenario": outcome.scenario, "engine": outcome.engine,
            "verdict": outcome.verdict, "exit_code": outcome.code,
            "from": report.get("from", ""), "to": report.get("to", ""),
            "window": report.get("window", ""), "seconds": round(outcome.seconds, 1),
            "error": report.get("error", "") or _no_report(outcome),
            "report": html, "console": f"{outcome.name}/console.log"}


def _no_report(outcome: Outcome) -> str:
    return "" if outcome.folder else f"no report (exit {outcome.code}): read the console log"


def write(outcomes: Sequence[Outcome], engines: Sequence[str], folder: Path) -> list[Path]:
    data = to_dict(outcomes, engines)
    index_json = folder / "index.json"
    index_json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    environment = Environment(loader=PackageLoader("rehearse.report", "templates"),
                              autoescape=True)
    page = environment.get_template("fleet.html.j2").render(index=data, duration=duration)
    index_html = folder / "index.html"
    index_html.write_text(page, encoding="utf-8")
    return [index_html, index_json]
