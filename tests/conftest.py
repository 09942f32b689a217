"""One Docker probe for the whole suite, and a guard against leftover containers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest

from tests import images

# Every Docker object this session (and the rehearsals it starts) creates carries this label, so
# the guard below judges only its own, even with other test sessions on the same engine.
os.environ.setdefault("REHEARSE_SESSION", f"pytest-{os.getpid()}")


@cache
def docker_problem() -> str | None:
    """None when Docker answers and the test images are built; otherwise why not."""
    from rehearse.errors import RehearseError
    from rehearse.sandbox import host

    try:
        docker = host.client()
    except RehearseError as error:
        return error.message
    missing = [name for name in images.ALL if not docker.images.list(name=name)]
    return f"test images missing: {', '.join(missing)} (run make images)" if missing else None


@pytest.fixture(autouse=True)
def _history_in_tmp(tmp_path_factory: pytest.TempPathFactory,
                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Every rehearsal a test runs records into a history of its own, never the user's."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data")))
    monkeypatch.delenv("REHEARSE_HISTORY_URL", raising=False)


@pytest.fixture(autouse=True)
def _needs_docker(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("docker") is None:
        yield
        return
    problem = docker_problem()
    if problem is not None:
        # Locally a skip with the reason; in CI a failure, so CI cannot pass by skipping.
        if os.environ.get("CI") == "true":
            pytest.fail(f"Docker is required under CI=true: {problem}")
        pytest.skip(f"no Docker: {problem}")
    # Only what this test created counts: a rehearsal running beside the suite is left alone.
    before = set(_labelled())
    yield
    found = _labelled()
    leftovers = sorted(found.keys() - before)
    for name in leftovers:  # containers first: a network in use cannot go
        found[name].remove(**({"force": True, "v": True} if name.startswith("c:") else {}))
    assert not leftovers, f"test left labelled containers or networks behind: {leftovers}"


def _labelled() -> dict[str, Any]:
    from rehearse.sandbox import host
    from tests.labelled import mine

    docker = host.client()
    containers = {f"c:{c.name}": c for c in docker.containers.list(all=True, filters=mine())}
    networks = {f"n:{n.name}": n for n in docker.networks.list(filters=mine())}
    return {**containers, **networks}
