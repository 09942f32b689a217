"""Remote engines for real: a second dockerd started by the test in its own network namespace,
reached over TCP (tests/second_engine.py). A rehearsal runs there end to end with nothing of its
sandbox published, and a fleet of three stores spreads over both engines. Nothing leaves the
machine: only loopback and the namespace the test made are ever addressed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import urlopen

import docker
import pytest
from typer.testing import CliRunner

from rehearse.catalog import Provider
from rehearse.cli import app
from rehearse.errors import ExitCode
from rehearse.sandbox import engineguard, host
from rehearse.sandbox.engine import CA_BUNDLES, ENGINE_VARIABLES, Engine
from rehearse.sandbox.labels import SESSION, keep, labels, new_run_id
from rehearse.sandbox.network import private_network
from rehearse.sandbox.relay import ensure_relay_image
from rehearse.sandbox.service import ServiceSpec, run_service
from rehearse.version import Version
from tests import images, second_engine
from tests.integration.test_isolation import reach
from tests.storegen import StoreShape, make_backup

pytestmark = pytest.mark.docker
LOCAL = "unix:///var/run/docker.sock"
PINNED = (*ENGINE_VARIABLES, "DOCKER_CONFIG", *CA_BUNDLES)  # what host.client may change
# What a small 4.50 → 4.60 rehearsal needs on the second engine, and nothing more.
NEEDED = ("rehearse/relay:1", "rehearse/guard:1", images.POSTGRES, f"{images.SIM}:4.60")
APP_SETTINGS = {"ConnectionStrings": {
    "ConnectionString": "Server=db.prod;Database=shop;User Id=shop;Password=prod-Zq9",
    "DataProvider": "postgresql"}}


@pytest.fixture(scope="module")
def engine2() -> Iterator[second_engine.SecondEngine]:
    problem = second_engine.problem()
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"a second engine is required under CI=true: {problem}")
        pytest.skip(problem)
    _own_images()
    with second_engine.second_engine(NEEDED) as engine:
        yield engine


def _own_images() -> None:
    """The relay and the guard, built here when missing, as rehearse does on any engine."""
    ensure_relay_image()
    engineguard.ensure_guard_image()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("store")
    make_backup(StoreShape(Version(4, 50), Provider.POSTGRESQL), folder)
    (folder / "App_Data").mkdir()
    (folder / "App_Data" / "appsettings.json").write_text(json.dumps(APP_SETTINGS))
    (folder / "App_Data" / "plugins.json").write_text('{"InstalledPlugins": []}')
    return folder


def scenario(store: Path, folder: Path, name: str) -> Path:
    """A demo-like store, kept small: one app step, no page comparison, no second start."""
    path = folder / f"{name}.yaml"
    path.write_text(f"""\
store:
  version: "4.50"
  provider: postgresql
  backup: {store / 'store.dump'}
  app_data: {store / 'App_Data'}
target: "4.60"
images:
  database: {images.POSTGRES}
  nopcommerce: "{images.SIM}:{{version}}"
  pull: false
limits: {{database_memory: 1g, store_memory: 512m}}
checks: {{store_diff: {{enabled: false}}, second_start: false}}
rollback: false
report:
  output: {folder / 'out'}
""")
    return path


def _created(engine: second_engine.SecondEngine, since: float) -> list[dict[str, str]]:
    """The containers this session's rehearsals created on the engine since `since`."""
    events = engine.client().events(since=int(since), until=int(time.time()) + 1, decode=True,
                                    filters={"type": "container", "event": "create"})
    found = [event["Actor"]["Attributes"] for event in events]
    return [a for a in found if a.get(SESSION) == os.environ["REHEARSE_SESSION"]]


def _leftovers(engine: second_engine.SecondEngine) -> list[str]:
    filters = {"label": f"{SESSION}={os.environ['REHEARSE_SESSION']}"}
    return ([str(c.name) for c in engine.client().containers.list(all=True, filters=filters)]
            + [str(n.name) for n in engine.client().networks.list(filters=filters)])


def _guard_rules(engine: second_engine.SecondEngine) -> str:
    return subprocess.run(["ip", "netns", "exec", engine.name, "iptables", "-S", "INPUT"],
                          capture_output=True, text=True, check=True).stdout


def test_a_rehearsal_runs_end_to_end_on_a_remote_engine(
        engine2: second_engine.SecondEngine, store: Path, tmp_path: Path) -> None:
    path = scenario(store, tmp_path, "remote")
    since = time.time() - 1
    done = subprocess.run([sys.executable, "-m", "rehearse", "run", str(path)],
                          env={**os.environ, "DOCKER_HOST": engine2.url}, capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == ExitCode.PASSED, done.stderr
    report = json.loads(next((tmp_path / "out").glob("*/report.json")).read_text())
    assert report["verdict"] == "pass" and [s["to"] for s in report["steps"]] == ["4.60"]
    created = _created(engine2, since)
    roles = sorted(a["io.rehearse.role"] for a in created)
    assert roles.count("door") == 1 and "database" in roles and "store-4.60" in roles
    assert roles.count("guard") >= 2  # the rule put on, and taken off, on the engine's host
    assert _leftovers(engine2) == []
    assert "rehearse-" not in _guard_rules(engine2)


def test_a_fleet_spreads_over_both_engines(engine2: second_engine.SecondEngine, store: Path,
                                           tmp_path: Path) -> None:
    paths = [str(scenario(store, tmp_path, name)) for name in ("north", "south", "outlet")]
    output = tmp_path / "fleet"
    result = CliRunner().invoke(app, ["fleet", *paths, "--engine", LOCAL, "--engine",
                                      engine2.url, "--parallel", "1", "--output", str(output)])
    assert result.exit_code == ExitCode.PASSED, result.output
    index = json.loads((output / "index.json").read_text())
    assert [s["verdict"] for s in index["stores"]] == ["pass", "pass", "pass"]
    assert all("min" in s["window"] for s in index["stores"]), index  # the window to book
    assert {s["engine"] for s in index["stores"]} == {LOCAL, engine2.url}
    for entry in index["stores"]:
        assert (output / entry["report"]).is_file()
    assert "north" in (output / "index.html").read_text()
    assert _leftovers(engine2) == []


@contextmanager
def pointed_at(environment: dict[str, str]) -> Iterator[None]:
    """This process's rehearse code on another engine for the block's length (host.client pins
    the engine's variables: all of them are put back)."""
    names = {*environment, *PINNED}
    before = {name: os.environ.get(name) for name in names}
    os.environ.update(environment)
    _forget_engine()
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        _forget_engine()


@pytest.fixture()
def on_engine2(engine2: second_engine.SecondEngine) -> Iterator[second_engine.SecondEngine]:
    with pointed_at(engine2.environment):
        yield engine2


def _forget_engine() -> None:
    for cached in (host.client, host.engine, engineguard.problem):
        cached.cache_clear()


def test_a_sandbox_on_a_remote_engine_cannot_reach_that_engines_host(
        on_engine2: second_engine.SecondEngine) -> None:
    # The engine's own API listens on the namespace's address: what a sandbox must never reach.
    api = urlsplit(on_engine2.url)
    address, port = str(api.hostname), int(api.port or 2375)
    docker = host.client()
    run_id = new_run_id()
    control = docker.containers.run(f"{images.SIM}:4.60", ["sleep", "120"], detach=True,
                                    labels=labels(run_id, "control"), network="bridge")
    try:
        assert reach(control, address, port)  # the control: the target is really there
        with private_network(run_id) as network:
            spec = ServiceSpec(image=f"{images.SIM}:4.60", port=80, role="store",
                               network=network, ready_log="Now listening on", pull=False)
            with run_service(spec, run_id) as service:
                sandboxed = docker.containers.get(service.container_id)
                assert not reach(sandboxed, address, port)
                # …while this machine gets in through the tunnel, with nothing published.
                answer = urlopen(f"http://127.0.0.1:{service.endpoint.port}/keepalive/index",
                                 timeout=10)
                assert answer.status == 200
            assert "rehearse-" in _guard_rules(on_engine2)
    finally:
        control.remove(force=True)
    assert "rehearse-" not in _guard_rules(on_engine2)
    assert _leftovers(on_engine2) == []


def test_clean_takes_a_kept_remote_sandbox_and_its_guard_rule(
        on_engine2: second_engine.SecondEngine) -> None:
    run_id = new_run_id()
    keep(run_id)  # as --keep leaves it: network, door and the rule on the engine's host
    with private_network(run_id):
        pass
    assert "rehearse-" + run_id in _guard_rules(on_engine2)
    assert _leftovers(on_engine2)
    result = CliRunner().invoke(app, ["clean", "--run", run_id])
    assert result.exit_code == ExitCode.PASSED, result.output
    assert "rehearse-" not in _guard_rules(on_engine2)
    assert _leftovers(on_engine2) == []


def test_a_tls_engine_named_by_a_context_is_tunnelled_over_tls(tmp_path: Path) -> None:
    """`docker context create` with client certificates, the engine on 2376 with --tlsverify:
    the context is honoured and the tunnel's exec sockets are TLS sockets."""
    needed = ("rehearse/relay:1", "rehearse/guard:1", f"{images.SIM}:4.60")
    _own_images()
    with second_engine.second_engine(needed, tls=True) as tls_engine:
        with pytest.raises(docker.errors.DockerException):  # no certificate, no engine
            docker.DockerClient(base_url=tls_engine.url, timeout=5).ping()
        second_engine.write_context(tmp_path / "docker", "night-shift", tls_engine)
        with pointed_at({"DOCKER_CONFIG": str(tmp_path / "docker"),
                         "DOCKER_CONTEXT": "night-shift"}):
            assert host.engine() == Engine(tls_engine.url, tunnelled=True)
            _pages_through_the_tunnel()
            assert _leftovers(tls_engine) == []


def _pages_through_the_tunnel() -> None:
    run_id = new_run_id()
    with private_network(run_id) as network:
        spec = ServiceSpec(image=f"{images.SIM}:4.60", port=80, role="store",
                           network=network, ready_log="Now listening on", pull=False)
        with run_service(spec, run_id) as service:
            base = f"http://127.0.0.1:{service.endpoint.port}"
            paths = ["/keepalive/index", "/", "/sitemap.xml"] * 6
            with ThreadPoolExecutor(4) as pool:  # connections at once, each its own exec
                statuses = list(pool.map(lambda path: urlopen(base + path, timeout=20).status,
                                         paths))
            assert statuses == [200] * len(paths)
