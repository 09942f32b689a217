"""Many stores across several Docker engines: each rehearsal is `rehearse run` in a process of its
own pointed at its engine (its own client, caches and signals), at most `parallel` at once per
engine, the next store going to whichever engine frees up first. A thin dispatcher, not a
scheduler: for more, a CI matrix is the fan-out (README, "Many stores, many engines")."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from rehearse.errors import ExitCode

JOIN_SECONDS = 0.5
STOP_SECONDS = 120.0  # a stopped child tears its sandbox down before it exits


@dataclass(frozen=True)
class Job:
    name: str  # the store's folder in the fleet's output, unique
    scenario: Path
    formats: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    name: str
    scenario: str
    engine: str
    code: int
    seconds: float
    report: dict[str, object]  # the child's report.json, {} when it wrote none
    folder: str  # the report folder, relative to the fleet's output; "" when none

    @property
    def verdict(self) -> str:
        return str(self.report.get("verdict") or "error")


Work = Callable[[Job, str], Outcome]


def unique_names(scenarios: Sequence[Path]) -> list[str]:
    """One folder per store: the scenario file's name, numbered when two share it."""
    names: list[str] = []
    for path in scenarios:
        name, number = path.stem, 1
        while name in names:
            number += 1
            name = f"{path.stem}-{number}"
        names.append(name)
    return names


def dispatch(jobs: Sequence[Job], engines: Sequence[str], parallel: int, work: Work,
             on_stop: Callable[[], None] = lambda: None,
             on_done: Callable[[list[Outcome]], object] = lambda done: None) -> list[Outcome]:
    """Every job done once, at most `parallel` at once on each engine; outcomes in job order,
    also to `on_done` as each finishes. Ctrl-C (or SIGTERM) stops handing out jobs, calls
    `on_stop`, waits for the running ones, and is raised again."""
    pending: queue.SimpleQueue[Job] = queue.SimpleQueue()
    for job in jobs:
        pending.put(job)
    done: list[Outcome] = []
    lock = threading.Lock()
    stopping = threading.Event()

    def worker(engine: str) -> None:
        while not stopping.is_set():
            try:
                job = pending.get_nowait()
            except queue.Empty:
                return
            outcome = work(job, engine)
            with lock:
                done.append(outcome)
                on_done(in_order(done, jobs))

    threads = [threading.Thread(target=worker, args=(engine,), name=f"fleet {engine}")
               for engine in engines for _ in range(parallel)]
    try:
        for thread in threads:
            thread.start()
        _join(threads)
    except KeyboardInterrupt:
        stopping.set()
        on_stop()
        _join([thread for thread in threads if thread.ident is not None])  # the started ones
        raise
    return in_order(done, jobs)


def in_order(outcomes: Sequence[Outcome], jobs: Sequence[Job]) -> list[Outcome]:
    order = [job.name for job in jobs]
    return sorted(outcomes, key=lambda outcome: order.index(outcome.name))


def _join(threads: Sequence[threading.Thread]) -> None:
    for thread in threads:  # a timed join lets Ctrl-C reach the main thread
        while thread.is_alive():
            thread.join(JOIN_SECONDS)


class Children:
    """The rehearsals running now, so a stopped fleet can stop them (each then tears down)."""

    def __init__(self) -> None:
        self._running: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()

    def run(self, command: Sequence[str], environment: dict[str, str], log: Path) -> int:
        with log.open("wb") as output:
            child = subprocess.Popen(command, env=environment, stdout=output,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            with self._lock:
                self._running.add(child)
            try:
                return child.wait()
            finally:
                with self._lock:
                    self._running.discard(child)

    def stop(self) -> None:
        with self._lock:
            running = list(self._running)
        for child in running:
            child.terminate()  # SIGTERM: the child tears down like Ctrl-C, exits 143
        for child in running:
            try:
                child.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                child.kill()


def rehearse_on(children: Children, output: Path, allow_host_access: bool,
                environment: Callable[[str], dict[str, str]]) -> Work:
    """The work of one store: `rehearse run` with the engine's environment, its report read
    back."""

    def work(job: Job, engine: str) -> Outcome:
        folder = output / job.name
        folder.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "rehearse", "run", str(job.scenario),
                   "--output", str(folder), *(f"--format={f}" for f in job.formats)]
        if allow_host_access:
            command.append("--allow-host-access")
        started = time.monotonic()
        try:
            code = children.run(command, environment(engine), folder / "console.log")
        except OSError as error:  # the interpreter could not be started: say so in the index
            (folder / "console.log").write_text(f"could not start the rehearsal: {error}\n")
            code = int(ExitCode.INTERNAL)
        report_folder = _newest_report(folder)
        report = json.loads((report_folder / "report.json").read_text()) if report_folder else {}
        return Outcome(job.name, str(job.scenario), engine, code, time.monotonic() - started,
                       report, str(report_folder.relative_to(output)) if report_folder else "")

    return work


def _newest_report(folder: Path) -> Path | None:
    found = sorted(_report_folders(folder), key=lambda p: p.stat().st_mtime)
    return found[-1] if found else None


def _report_folders(folder: Path) -> Iterator[Path]:
    return (path.parent for path in folder.glob("*/report.json"))


def exit_code(outcomes: Sequence[Outcome]) -> ExitCode:
    """0 when every store passed, else 1: the index says which failed, and why."""
    return ExitCode.PASSED if all(o.code == ExitCode.PASSED for o in outcomes) else (
        ExitCode.FAILED)

