"""Find and remove what rehearsals left behind, by label."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from docker.errors import DockerException

from rehearse.sandbox import host
from rehearse.sandbox.labels import selector


def leftover_containers(run_id: str | None = None) -> list[str]:
    found = host.client().containers.list(all=True, filters=selector(run_id))
    return [str(container.name) for container in found]


def remove_all(run_id: str | None = None) -> int:
    """Remove every labelled container, then network; returns how many objects went."""
    docker = host.client()
    removed = 0
    for container in docker.containers.list(all=True, filters=selector(run_id)):
        removed += _gone(partial(container.remove, force=True, v=True))
    for network in docker.networks.list(filters=selector(run_id)):
        removed += _gone(network.remove)
    return removed


def _gone(remove: Callable[[], object]) -> int:
    try:
        remove()
    except DockerException:  # NotFound included: someone removed it first
        return 0
    return 1
