"""A rehearsal's own Docker network: its containers find each other by name, and nothing else's."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

from docker.errors import DockerException

from rehearse.sandbox import firewall, host
from rehearse.sandbox.labels import is_kept, labels


def network_name(run_id: str) -> str:
    return f"rehearse-{run_id}"


@contextmanager
def private_network(run_id: str) -> Iterator[str]:
    # Internal: no route out of the sandbox; the host gets in through relays (relay.py).
    network = host.client().networks.create(
        network_name(run_id), driver="bridge", internal=True, labels=labels(run_id, "network"))
    interface = f"br-{network.id[:12]}" if network.id else ""
    blocked = bool(interface) and firewall.block_host(interface, run_id)
    try:
        yield network_name(run_id)
    finally:
        if not is_kept(run_id):
            if blocked:
                firewall.unblock_host(interface, run_id)
            with suppress(DockerException):  # already gone; the label sweep catches the rest
                network.remove()
