"""Find and remove what rehearsals left behind, by label."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from docker.errors import DockerException

from rehearse.sandbox import firewall, host
from rehearse.sandbox.labels import (
    OWNER,
    RUN,
    forget_kept,
    kept_on_purpose,
    owner_alive,
    selector,
)


def leftover_containers(run_id: str | None = None) -> list[str]:
    found = host.client().containers.list(all=True, filters=selector(run_id))
    return [str(container.name) for container in found]


def orphaned_runs() -> set[str]:
    """Runs whose process died (kill -9, a crash) without tearing down, and were not kept."""
    docker = host.client()
    # sparse: no inspect of each one, which fails when another run removes it meanwhile
    objects = [*docker.containers.list(all=True, filters=selector(), sparse=True),
               *docker.networks.list(filters=selector())]
    orphans = set()
    for item in objects:
        found = item.attrs.get("Labels") or item.attrs.get("Config", {}).get("Labels") or {}
        run_id, who = found.get(RUN, ""), found.get(OWNER, "")
        if run_id and who and not owner_alive(who) and not kept_on_purpose(run_id):
            orphans.add(run_id)
    return orphans


def remove_all(run_id: str | None = None) -> int:
    """Remove every labelled container, then network; returns how many objects went."""
    docker = host.client()
    removed = 0
    for container in docker.containers.list(all=True, filters=selector(run_id)):
        removed += _gone(partial(container.remove, force=True, v=True))
    for network in docker.networks.list(filters=selector(run_id)):
        removed += _gone(network.remove)
    forget_kept(run_id)
    return removed + firewall.forget(run_id)


def _gone(remove: Callable[[], object]) -> int:
    try:
        remove()
    except DockerException:  # NotFound included: someone removed it first
        return 0
    return 1
