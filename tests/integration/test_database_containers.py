"""Start real database containers from the local images through the product's own layer."""

from __future__ import annotations

import pytest

from rehearse.catalog import Provider
from rehearse.database.engines import ENGINES
from rehearse.database.engines.base import Credentials, new_password
from rehearse.errors import EnvironmentNotReadyError
from rehearse.sandbox import cleanup, host
from rehearse.sandbox.labels import RUN, new_run_id
from rehearse.sandbox.service import ServiceSpec, run_service
from tests import images

pytestmark = pytest.mark.docker

LOCAL_IMAGES = {Provider.POSTGRESQL: images.POSTGRES, Provider.MYSQL: images.MARIADB}


@pytest.mark.parametrize("provider", list(LOCAL_IMAGES), ids=str)
def test_database_starts_answers_on_loopback_and_is_removed(provider: Provider) -> None:
    engine = ENGINES[provider]
    credentials = engine.credentials(new_password())
    run_id = new_run_id()
    spec = engine.service_spec(LOCAL_IMAGES[provider], credentials, memory="1g")
    with run_service(spec, run_id) as service:
        endpoint = service.endpoint
        assert endpoint.host == "127.0.0.1"
        bindings = host.client().api.inspect_container(service.container_id)[
            "NetworkSettings"]["Ports"][f"{engine.port}/tcp"]
        assert {b["HostIp"] for b in bindings} == {"127.0.0.1"}
        db = engine.open(endpoint, credentials)
        try:
            db.execute("CREATE TABLE Product (Id INT PRIMARY KEY, Name VARCHAR(400))")
            db.execute("INSERT INTO Product VALUES (1, 'Build your own computer')")
            assert db.query("SELECT Name FROM Product") == (
                ["name" if provider is Provider.POSTGRESQL else "Name"],
                [("Build your own computer",)])
        finally:
            db.close()
        assert cleanup.leftover_containers(run_id)
    assert cleanup.leftover_containers(run_id) == []


def test_a_service_that_never_gets_ready_is_removed_and_shows_its_log() -> None:
    run_id = new_run_id()
    spec = ServiceSpec(image=images.POSTGRES, port=5432, role="database",
                       env={"POSTGRES_PASSWORD": new_password()},
                       ready_log="this line never appears", ready_timeout=3)
    with pytest.raises(EnvironmentNotReadyError) as caught, run_service(spec, run_id):
        pass
    assert "did not become ready" in caught.value.message
    assert "| " in caught.value.message  # the log tail is attached
    assert cleanup.leftover_containers(run_id) == []


def test_a_service_that_exits_is_reported_with_its_error() -> None:
    spec = ServiceSpec(image=images.POSTGRES, port=5432, role="database", env={},
                       ready_log="ready to accept connections", ready_timeout=30)
    run_id = new_run_id()
    with pytest.raises(EnvironmentNotReadyError) as caught, run_service(spec, run_id):
        pass
    assert "POSTGRES_PASSWORD must be set" in caught.value.message
    assert cleanup.leftover_containers(run_id) == []


def test_a_missing_image_is_an_environment_error_naming_it() -> None:
    spec = ServiceSpec(image="rehearse/not-built:1", port=80, role="store", pull=False)
    with pytest.raises(EnvironmentNotReadyError) as caught, run_service(spec, new_run_id()):
        pass
    assert "rehearse/not-built:1 is not on this machine" in caught.value.message


def test_labels_identify_the_run() -> None:
    run_id = new_run_id()
    spec = ENGINES[Provider.POSTGRESQL].service_spec(
        images.POSTGRES, Credentials("nop", new_password(), "nop"), memory=None)
    with run_service(spec, run_id) as service:
        labels = host.client().containers.get(service.container_id).labels
        assert labels[RUN] == run_id


def test_a_private_network_is_joined_by_name_and_removed() -> None:
    from rehearse.sandbox.network import private_network
    from rehearse.sandbox.service import container_name

    run_id = new_run_id()
    engine = ENGINES[Provider.POSTGRESQL]
    credentials = engine.credentials(new_password())
    spec = engine.service_spec(images.POSTGRES, credentials, memory="1g")
    with private_network(run_id) as network:
        spec = ServiceSpec(**{**spec.__dict__, "network": network})
        with run_service(spec, run_id) as service:
            attached = host.client().containers.get(service.container_id)
            assert attached.name == container_name(run_id, spec)
            assert list(attached.attrs["NetworkSettings"]["Networks"]) == [network]
            db = engine.open(service.endpoint, credentials)  # the host still gets in on loopback
            assert db.query("SELECT 1")[1] == [(1,)]
            db.close()
    assert host.client().networks.list(names=[network]) == []
