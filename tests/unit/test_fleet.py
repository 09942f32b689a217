"""The fleet's dispatch (bounded per engine, each store once), its exit code and its index."""

from __future__ import annotations

import _thread
import json
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from rehearse.errors import ExitCode
from rehearse.fleet import Job, Outcome, dispatch, exit_code, unique_names
from rehearse.report import fleet as index

ENGINES = ("unix:///var/run/docker.sock", "tcp://10.213.0.2:2375")


def jobs(count: int) -> list[Job]:
    return [Job(f"store-{n}", Path(f"/s/store-{n}.yaml"), ("json",)) for n in range(count)]


def outcome(job: Job, engine: str, code: int = 0, **report: object) -> Outcome:
    return Outcome(job.name, str(job.scenario), engine, code, 1.0,
                   {"verdict": "pass" if code == 0 else "fail", **report},
                   f"{job.name}/20261202-0000-ab12")


class Recorder:
    """Work that takes a while and notes how many ran at once on each engine."""

    def __init__(self, seconds: float = 0.05) -> None:
        self.seconds = seconds
        self.now: Counter[str] = Counter()
        self.most: Counter[str] = Counter()
        self.lock = threading.Lock()

    def __call__(self, job: Job, engine: str) -> Outcome:
        with self.lock:
            self.now[engine] += 1
            self.most[engine] = max(self.most[engine], self.now[engine])
        time.sleep(self.seconds)
        with self.lock:
            self.now[engine] -= 1
        return outcome(job, engine)


@pytest.mark.parametrize("parallel", [1, 2, 3])
def test_no_engine_runs_more_than_parallel_and_every_store_runs_once(parallel: int) -> None:
    work = Recorder()
    done = dispatch(jobs(12), ENGINES, parallel, work)
    assert [o.name for o in done] == [j.name for j in jobs(12)]  # in the order given
    assert set(work.most) == set(ENGINES)  # both engines took stores
    assert max(work.most.values()) == parallel  # bounded, and the bound is used


def test_fewer_stores_than_slots_start_at_once() -> None:
    work = Recorder(seconds=0.3)
    started = time.monotonic()
    done = dispatch(jobs(3), ENGINES, 2, work)
    assert time.monotonic() - started < 0.55  # one round, not three
    assert len(done) == 3


def test_a_stopped_fleet_stops_its_rehearsals_and_hands_out_no_more() -> None:
    stopped = threading.Event()
    ran: list[str] = []

    def work(job: Job, engine: str) -> Outcome:
        ran.append(job.name)
        _thread.interrupt_main()  # Ctrl-C while this rehearsal runs
        stopped.wait(5)  # …which lasts until the fleet stops it
        return outcome(job, engine, code=ExitCode.INTERRUPTED)

    recorded: list[Outcome] = []
    with pytest.raises(KeyboardInterrupt):
        dispatch(jobs(5), ENGINES[:1], 1, work, on_stop=stopped.set, on_done=recorded.extend)
    assert stopped.is_set()
    assert ran == ["store-0"]
    # The stopped rehearsal still reports (exit 130): the index keeps it.
    assert [(o.name, o.code) for o in recorded] == [("store-0", ExitCode.INTERRUPTED)]


def test_the_exit_code_passes_only_when_every_store_passed() -> None:
    a, b = jobs(2)
    assert exit_code([outcome(a, ENGINES[0]), outcome(b, ENGINES[1])]) == ExitCode.PASSED
    assert exit_code([outcome(a, ENGINES[0]), outcome(b, ENGINES[1], code=1)]) == ExitCode.FAILED
    assert exit_code([outcome(a, ENGINES[0], code=3)]) == ExitCode.FAILED


def test_stores_of_the_same_file_name_get_folders_of_their_own() -> None:
    paths = [Path("a/shop.yaml"), Path("b/shop.yaml"), Path("outlet.yaml"), Path("c/shop.yaml")]
    assert unique_names(paths) == ["shop", "shop-2", "outlet", "shop-3"]


def test_the_index_lists_every_store_with_verdict_window_engine_and_report(
        tmp_path: Path) -> None:
    a, b, c = jobs(3)
    outcomes = [outcome(a, ENGINES[0], window="1 h 10 min", **{"from": "4.50", "to": "4.70"}),
                outcome(b, ENGINES[1], code=1, error="1 smoke check failed: page.home"),
                Outcome(c.name, str(c.scenario), ENGINES[1], 3, 0.4, {}, "")]
    html, written = index.write(outcomes, ENGINES, tmp_path)
    data = json.loads(written.read_text())
    assert (data["passed"], data["failed"], data["engines"]) == (1, 2, list(ENGINES))
    stores = {s["name"]: s for s in data["stores"]}
    assert stores["store-0"]["window"] == "1 h 10 min"
    assert stores["store-0"]["report"] == "store-0/20261202-0000-ab12/report.html"
    assert stores["store-1"]["verdict"] == "fail" and "page.home" in stores["store-1"]["error"]
    assert stores["store-2"]["verdict"] == "error" and "exit 3" in stores["store-2"]["error"]
    page = html.read_text()
    assert 'href="store-0/20261202-0000-ab12/report.html"' in page
    assert "1 h 10 min" in page and "4.50 → 4.70" in page and ENGINES[1] in page


DEMO = str(Path(__file__).resolve().parents[2] / "scenarios" / "demo.yaml")


@pytest.mark.parametrize(("arguments", "code", "words"), [
    (["--engine", "ftp://build-2"], ExitCode.BAD_INPUT, "not a Docker engine URL"),
    (["--engine", "tcp://:2375"], ExitCode.BAD_INPUT, "names no host"),
    (["--engine", "night-shift"], ExitCode.BAD_INPUT, "neither a URL nor a Docker context"),
    (["--engine", "tcp://127.0.0.1:1"], ExitCode.ENVIRONMENT, "does not answer"),
    (["--engine", "unix:///nowhere/docker.sock"], ExitCode.ENVIRONMENT, "does not answer"),
    (["--engine", "tcp://127.0.0.1:1", "--parallel", "0"], ExitCode.BAD_INPUT, "runs nothing"),
])
def test_a_bad_or_silent_engine_is_refused_before_anything_starts(
        arguments: list[str], code: ExitCode, words: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from rehearse.cli import app

    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker"))  # no contexts of the user's
    output = tmp_path / "fleet"
    result = CliRunner().invoke(app, ["fleet", DEMO, *arguments, "--output", str(output)])
    assert result.exit_code == code
    assert words in result.stderr and "hint:" in result.stderr
    assert not output.exists()  # nothing started, nothing written


def test_the_index_follows_the_stores_as_they_finish() -> None:
    seen: list[list[str]] = []
    dispatch(jobs(3), ENGINES[:1], 1, Recorder(seconds=0.01),
             on_done=lambda done: seen.append([o.name for o in done]))
    assert seen == [["store-0"], ["store-0", "store-1"], ["store-0", "store-1", "store-2"]]
