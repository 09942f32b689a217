"""No way out: a sandbox container cannot reach anything beyond the rehearsal's network.

Every target here is one the test creates itself (docker-offline.md, Networking rules): a
listener container on an ordinary bridge network, and the host's own address on that bridge.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from rehearse.sandbox import firewall, host
from rehearse.sandbox.labels import labels, new_run_id
from rehearse.sandbox.network import private_network
from rehearse.sandbox.service import ServiceSpec, run_service
from tests import images

pytestmark = pytest.mark.docker
SIM = f"{images.SIM}:base"
PROBE = ("import socket,sys\n"
         "try:\n"
         "    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3).close()\n"
         "    print('connected')\n"
         "except OSError as error:\n"
         "    print('refused', error)\n")


def reach(container: Any, address: str, port: int) -> bool:
    _, output = container.exec_run(["python3", "-c", PROBE, address, str(port)])
    return bool(output.decode().startswith("connected"))


@pytest.fixture()
def outside() -> Iterator[tuple[object, str, str, int]]:
    """An ordinary bridge network with a listener on it, and a listener on its host address."""
    docker = host.client()
    run_id = new_run_id()
    network = docker.networks.create(f"rehearse-outside-{run_id}", driver="bridge",
                                      labels=labels(run_id, "outside"))
    listener = docker.containers.run(SIM, ["python3", "-m", "http.server", "8000"], detach=True,
                                     network=network.name, labels=labels(run_id, "listener"),
                                     name=f"rehearse-{run_id}-listener")
    control = docker.containers.run(SIM, ["sleep", "300"], detach=True, network=network.name,
                                    labels=labels(run_id, "control"),
                                    name=f"rehearse-{run_id}-control")
    network.reload()
    gateway = network.attrs["IPAM"]["Config"][0]["Gateway"]
    host_listener = socket.socket()
    host_listener.bind((gateway, 0))
    host_listener.listen()
    stop = threading.Event()
    threading.Thread(target=_accept, args=(host_listener, stop), daemon=True).start()
    listener.reload()
    listener_ip = listener.attrs["NetworkSettings"]["Networks"][network.name]["IPAddress"]
    try:
        yield control, listener_ip, gateway, host_listener.getsockname()[1]
    finally:
        stop.set()
        host_listener.close()
        for container in (listener, control):
            container.remove(force=True)
        network.remove()


def _accept(server: socket.socket, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            connection, _ = server.accept()
            connection.close()
        except OSError:
            return


@pytest.mark.parametrize("guard", ["iptables", "nft"])
def test_a_sandbox_container_cannot_get_out(outside: tuple[object, str, str, int], guard: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    control, listener_ip, gateway, host_port = outside
    # Cron and CI runners often have no sbin on PATH: the guard is found all the same.
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    if guard == "nft":  # a machine with nft only
        found = firewall.find
        monkeypatch.setattr(firewall, "find", lambda name: None if name == "iptables"
                            else found(name))
    # The control proves the targets are really there.
    assert reach(control, listener_ip, 8000)
    assert reach(control, gateway, host_port)
    run_id = new_run_id()
    with private_network(run_id) as network:
        spec = ServiceSpec(image=SIM, port=80, role="store", network=network,
                           env={"NOP_SIM_VERSION": "4.70"}, ready_log="Now listening on")
        with run_service(spec, run_id) as service:
            sandboxed = host.client().containers.get(service.container_id)
            assert not reach(sandboxed, listener_ip, 8000)
            assert not reach(sandboxed, gateway, host_port)
            # …while the host still gets in, through the relay on 127.0.0.1.
            with socket.create_connection(("127.0.0.1", service.endpoint.port), timeout=5):
                pass
            assert host.client().networks.get(network).attrs["Internal"] is True
    assert firewall.forget(run_id) == 0, "the run's rule outlived its network"
