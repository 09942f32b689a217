"""One side of a pair: `rehearse run` on the bench scenario, or bench/bare.sh doing the same work
by hand (bench/work.py: the same pages and reads); each returns its seconds per phase, its total
and (rehearse) its peak memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from rehearse.catalog import Provider

BARE = Path(__file__).parent / "bare.sh"
# rehearse's phases, folded into the bare script's marks (bare.sh): what each side waits for.
FOLDS = {"inputs": ("check inputs",), "restore": ("sandbox", "restore"), "baseline": ("baseline",),
         "upgrade": ("make safe", "record before", "upgrade"),
         "checks": ("smoke checks", "second start", "rollback"), "teardown": ("teardown",)}
SCENARIO = """\
store: {{version: "4.70", provider: {provider}, backup: {backup}, app_data: App_Data}}
target: "4.80"
images: {{database: {database}, nopcommerce: "{sim}:{{version}}", pull: false}}
limits: {{database_memory: {memory}, store_memory: 1g}}
report: {{output: {output}, formats: [json]}}
"""


@dataclass(frozen=True)
class Side:
    seconds: float  # wall clock, Python's or bash's start included
    phases: dict[str, float]
    peak_rss_mib: float = 0.0
    ok: bool = True
    reported: float = 0.0  # rehearse's own total, from its report
    outcome: str = ""  # rehearse's verdict and, when not "pass", its error
    run_log: Path | None = None  # rehearse's: the pages it asked (bench/work.py)


def write_scenario(folder: Path, provider: Provider, backup: Path, database: str, sim: str,
                   memory: str, output: str = "out") -> Path:
    app_data = folder / "App_Data"
    app_data.mkdir(exist_ok=True)
    settings = {"ConnectionStrings": {"ConnectionString": "Server=prod;Database=shop;",
                                      "DataProvider": provider.value}}
    (app_data / "appsettings.json").write_text(json.dumps(settings))
    path = folder / f"bench-{output}.yaml"
    path.write_text(SCENARIO.format(provider=provider.value, backup=backup, database=database,
                                    sim=sim, memory=memory, output=output))
    return path


def start_rehearse(scenario: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "rehearse", "--quiet", "run", str(scenario)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def finish_rehearse(process: subprocess.Popen[bytes], started: float, out: Path) -> Side:
    """wait4: this child's own peak resident memory, not the largest of all children so far."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    path = max(out.glob("*/report.json"), key=lambda p: p.stat().st_mtime)
    report = json.loads(path.read_text())
    phases = {name: sum(p["seconds"] for p in report["phases"] if p["name"] in names)
              for name, names in FOLDS.items()}
    outcome = " ".join(filter(None, (report["verdict"], report.get("error", ""))))
    return Side(seconds, phases, usage.ru_maxrss / 1024, report["verdict"] == "pass",
                report["seconds"], outcome, path.parent / "rehearse.log")


def rehearse(scenario: Path, out: Path) -> Side:
    started = time.monotonic()
    return finish_rehearse(start_rehearse(scenario), started, out)


def bare(provider: Provider, backup: Path, database: str, apps: tuple[str, str], memory: str,
         work: Path) -> Side:
    """`apps`: the stand-in of the source and of the target version."""
    return _bare([provider.value, str(backup), database, *apps, memory, str(work)])


def bare_default_restore(provider: Provider, backup: Path, database: str, memory: str) -> Side:
    """The restore alone, by the engine's default command (bare.sh's `default` mode)."""
    return _bare([provider.value, str(backup), database, "-", "-", memory, "-", "default"])


def _bare(arguments: list[str]) -> Side:
    started = time.monotonic()
    done = subprocess.run(["bash", str(BARE), *arguments], capture_output=True, text=True,
                          check=False)
    seconds = time.monotonic() - started
    marks = [line.split() for line in done.stdout.splitlines() if line.startswith("mark ")]
    times = [(name, float(at)) for _, name, at in marks]
    phases = {name: round(end - at, 3) for (name, at), (_, end) in pairwise(times)}
    phases["restore"] = phases.pop("start", 0.0)  # the server started and the dump restored
    phases["inputs"] = 0.0  # nothing checked before it starts
    if done.returncode != 0:
        print(f"bare script failed: {done.stderr[-2000:]}", file=sys.stderr)
    return Side(seconds, phases, ok=done.returncode == 0)
