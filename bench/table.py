"""Figures of a bench: min and median per phase of each side, their ratios, the machine."""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
from pathlib import Path

from bench.sides import FOLDS, Side

PHASES = (*FOLDS, "total")


def machine() -> dict[str, object]:
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    disk = shutil.disk_usage(Path(__file__).parent)
    return {"nproc": os.cpu_count(), "memory_gib": round(pages / 2**30, 1),
            "disk_gib": round(disk.total / 2**30), "disk_free_gib": round(disk.free / 2**30),
            "kernel": platform.release(), "python": platform.python_version(),
            "load_average": [round(n, 2) for n in os.getloadavg()],  # other work on the machine
            "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                     text=True, check=False).stdout.strip()}


def _figures(runs: list[Side]) -> dict[str, dict[str, float]]:
    found = {}
    for phase in PHASES:
        values = [run.seconds if phase == "total" else run.phases.get(phase, 0.0) for run in runs]
        found[phase] = {"min": round(min(values), 2), "median": round(statistics.median(values), 2)}
    return found


def summary(runs: dict[str, list[Side]], defaults: list[Side] | None = None,
            ) -> dict[str, object]:
    """`defaults`: restores by the engine's default command (bare.sh `default`), if measured."""
    mine, bare = _figures(runs["rehearse"]), _figures(runs["bare"])
    ratios = {phase: round(mine[phase]["median"] / bare[phase]["median"], 2)
              for phase in PHASES if bare[phase]["median"] > 0}
    extra: dict[str, object] = {}
    if defaults:
        restores = [run.phases["restore"] for run in defaults]
        median = statistics.median(restores)
        extra = {"bare_default_restore": {"min": round(min(restores), 2),
                                          "median": round(median, 2)},
                 "restore_ratio_to_default_command": round(
                     mine["restore"]["median"] / median, 2),
                 "bare_default_restore_passed": all(run.ok for run in defaults)}
    return {"pairs": len(runs["rehearse"]), "rehearse": mine, "bare": bare, **extra,
            "ratio_median": ratios,
            "rehearse_all_passed": all(run.ok for run in runs["rehearse"]),
            "bare_all_passed": all(run.ok for run in runs["bare"]),
            "rehearse_peak_rss_mib": round(max(run.peak_rss_mib for run in runs["rehearse"]), 1),
            "rehearse_seconds": [round(run.seconds, 1) for run in runs["rehearse"]],
            "rehearse_outcomes": [run.outcome for run in runs["rehearse"]],
            "bare_seconds": [round(run.seconds, 1) for run in runs["bare"]]}


def markdown(figures: dict[str, object]) -> str:
    mine, bare = figures["rehearse"], figures["bare"]
    ratios = figures["ratio_median"]
    assert isinstance(mine, dict) and isinstance(bare, dict) and isinstance(ratios, dict)
    size = int(str(figures["dump_bytes"])) / 2**20
    lines = [f"{figures['provider']}: {size:.0f} MiB dump, {figures['pairs']} pairs "
             f"({figures['database_image']}), peak RSS of rehearse "
             f"{figures['rehearse_peak_rss_mib']} MiB; verdicts "
             f"{', '.join(map(str, figures['rehearse_outcomes']))}"
             f"{'' if figures['bare_all_passed'] else '; the bare script FAILED'}", "",
             "| phase | rehearse min | rehearse median | bare min | bare median | ratio |",
             "|---|---:|---:|---:|---:|---:|"]
    for phase in PHASES:
        ratio = ratios.get(phase)
        lines.append(f"| {phase} | {mine[phase]['min']:.1f} | {mine[phase]['median']:.1f} | "
                     f"{bare[phase]['min']:.1f} | {bare[phase]['median']:.1f} | "
                     f"{'-' if ratio is None else f'{ratio:.2f}'} |")
    default = figures.get("bare_default_restore")
    if isinstance(default, dict):
        failed = "" if figures.get("bare_default_restore_passed") else " (FAILED)"
        lines.append(f"| restore, bare default command{failed} | {mine['restore']['min']:.1f} | "
                     f"{mine['restore']['median']:.1f} | {default['min']:.1f} | "
                     f"{default['median']:.1f} | "
                     f"{figures['restore_ratio_to_default_command']:.2f} |")
    together = figures.get("concurrent")
    if isinstance(together, dict):
        lines += ["", f"Three at once: {together['seconds']} s each (restore "
                      f"{together['restore_seconds']} s); one alone: "
                      f"{mine['total']['median']:.1f} s (median)."]
    return "\n".join(lines) + "\n"
