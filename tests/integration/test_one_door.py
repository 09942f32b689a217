"""One door per sandbox: every service reached through the rehearsal's single relay, by published
slots on a local engine, or tunnelled through the engine's API (REHEARSE_ENGINE_ACCESS=tunnel makes
the local engine behave as a remote one does) with the egress guard put on by a container."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace

import pytest

from rehearse.catalog import Provider
from rehearse.database.engines import ENGINES
from rehearse.database.engines.base import new_password
from rehearse.sandbox import firewall, host
from rehearse.sandbox.labels import ROLE, new_run_id, selector
from rehearse.sandbox.network import private_network
from rehearse.sandbox.service import run_service
from tests import images

pytestmark = pytest.mark.docker
LOCAL_IMAGES = {Provider.POSTGRESQL: images.POSTGRES, Provider.MYSQL: images.MARIADB}


@pytest.fixture(params=["published", "tunnel"])
def access(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("REHEARSE_ENGINE_ACCESS", str(request.param))
    host.engine.cache_clear()
    yield str(request.param)
    host.engine.cache_clear()


def _roles(run_id: str) -> list[str]:
    found = host.client().containers.list(all=True, filters=selector(run_id))
    return sorted(c.labels[ROLE] for c in found)


def _guard_rules(run_id: str) -> int:
    rules = firewall._run(str(firewall.find("iptables")), "-S", "INPUT").stdout
    return rules.count(f"--comment {firewall.COMMENT_PREFIX}{run_id}")


def test_both_databases_answer_through_the_one_door(access: str) -> None:
    run_id = new_run_id()
    with private_network(run_id) as network, ExitStack() as services:
        assert _guard_rules(run_id) == 1  # on this host, by iptables or by the guard container
        for provider, image in LOCAL_IMAGES.items():
            engine = ENGINES[provider]
            credentials = engine.credentials(new_password())
            spec = replace(engine.service_spec(image, credentials, memory="1g"),
                           network=network, role=f"database-{provider.value}")
            service = services.enter_context(run_service(spec, run_id))
            db = engine.open(service.endpoint, credentials)
            try:  # a server-first protocol (MySQL) and a client-first one (PostgreSQL)
                assert db.query("SELECT 40 + 2")[1] == [(42,)]
            finally:
                db.close()
        # One relay for the whole sandbox, and it publishes only when the engine is local.
        assert _roles(run_id).count("door") == 1
        door = host.client().containers.get(f"rehearse-{run_id}-door")
        assert bool(door.attrs["NetworkSettings"]["Ports"]) is (access == "published")
    assert _roles(run_id) == []
    assert _guard_rules(run_id) == 0
