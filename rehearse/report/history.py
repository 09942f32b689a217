"""The run history as a table for the terminal, JSON or CSV: newest first, a trend per step."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from rich import box
from rich.table import Table

from rehearse.history.records import STEP, RunRecord
from rehearse.history.trend import step_names, trends


def rows(runs: Sequence[RunRecord]) -> list[dict[str, Any]]:
    """One flat row per run: its facts, then each step's seconds and trend."""
    names = step_names(runs)
    arrows = {name: trends(runs, name) for name in names}
    table = []
    for index, run in enumerate(runs):
        steps = run.seconds_of(STEP)
        row: dict[str, Any] = {
            "started_at": run.started_at, "store": run.store, "run_id": run.run_id,
            "from": run.source, "to": run.target, "provider": run.provider,
            "verdict": run.verdict, "seconds": round(run.seconds, 1),
            "backup": run.backup.name if run.backup else "",
            "backup_age_hours": round(run.backup.age_seconds / 3600, 1) if run.backup else ""}
        for name in names:
            seconds = steps.get(name)
            row[name] = "" if seconds is None else round(seconds, 1)
            row[f"{name} trend"] = arrows[name][index]
        table.append(row)
    return table


def to_json(runs: Sequence[RunRecord]) -> str:
    data = [{**asdict(run), "trend": {n: trends(runs, n)[i] for n in step_names(runs)}}
            for i, run in enumerate(runs)]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def to_csv(runs: Sequence[RunRecord]) -> str:
    table = rows(runs)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(table[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(table)
    return buffer.getvalue()


def to_table(runs: Sequence[RunRecord]) -> Table:
    names = step_names(runs)
    stores = len({run.store for run in runs}) > 1
    table = Table(box=box.SIMPLE_HEAD, title=f"{len(runs)} rehearsals, newest first (UTC; "
                                              "backup: its age at the run)")
    columns = ["started", *(["store"] if stores else []), "upgrade", "verdict", "total",
               "backup", *[name.replace(" → ", "→") for name in names]]
    for column in columns:
        table.add_column(column, justify="left" if column in ("started", "store") else "right")
    for row in rows(runs):
        table.add_row(
            row["started_at"][5:16].replace("T", " "), *([row["store"]] if stores else []),
            f"{row['from']}→{row['to']}", row["verdict"].upper(), f"{row['seconds']} s",
            f"{row['backup_age_hours']} h" if row["backup"] else "-",
            *[f"{row[n]} s {row[f'{n} trend']}".strip() if row[n] != "" else "-"
              for n in names])
    return table
