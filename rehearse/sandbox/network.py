"""A rehearsal's own Docker network: its containers find each other by name, and nothing else's."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

from docker.errors import DockerException

from rehearse.sandbox import host
from rehearse.sandbox.labels import is_kept, labels


def network_name(run_id: str) -> str:
    return f"rehearse-{run_id}"


@contextmanager
def private_network(run_id: str) -> Iterator[str]:
    network = host.client().networks.create(
        network_name(run_id), driver="bridge", labels=labels(run_id, "network"))
    try:
        yield network_name(run_id)
    finally:
        if not is_kept(run_id):
            with suppress(DockerException):  # already gone; the label sweep catches the rest
                network.remove()
