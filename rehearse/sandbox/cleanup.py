"""Find and remove what rehearsals left behind, by label. Other rehearsals (and other users)
work on the same engine at the same time: everything is judged from the list replies alone
(`sparse`), and an object that vanishes meanwhile is simply gone."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from docker.errors import DockerException

from rehearse.sandbox import engineguard, firewall, host
from rehearse.sandbox.labels import RUN, orphaned, selector

_LOG = logging.getLogger("rehearse")


def _containers(run_id: str | None) -> list[Any]:
    return list(host.client().containers.list(all=True, filters=selector(run_id), sparse=True))


def leftover_containers(run_id: str | None = None) -> list[str]:
    return [str(c.attrs.get("Names", ["?"])[0]).lstrip("/") for c in _containers(run_id)]


def orphaned_runs() -> set[str]:
    """Runs of this host whose process died (kill -9, a crash) without tearing down, and were
    not kept. An engine error means no sweep this time, never a failed rehearsal."""
    try:
        objects = [*_containers(None), *host.client().networks.list(filters=selector())]
    except DockerException as error:
        _LOG.warning("skipped the orphan sweep: %s", error)
        return set()
    found = [item.attrs.get("Labels") or {} for item in objects]
    return {labels[RUN] for labels in found if orphaned(labels)}


def remove_all(run_id: str | None = None) -> int:
    """Remove every labelled container, then network; returns how many objects went."""
    removed = remove_containers(run_id)
    try:
        removed += _at_once([n.remove for n in host.client().networks.list(
            filters=selector(run_id))])
    except DockerException as error:  # the engine went away meanwhile: what went, went
        _LOG.warning("cleaning up stopped early: %s", error)
    forget = engineguard.forget if host.engine().tunnelled else firewall.forget  # where they are
    return removed + forget(run_id)


def remove_containers(run_id: str | None) -> int:
    """A run's containers removed all at once: the teardown lasts as long as the slowest stop,
    not the sum of them."""
    try:
        found = _containers(run_id)
    except DockerException as error:
        _LOG.warning("cleaning up stopped early: %s", error)
        return 0
    return _at_once([partial(c.remove, force=True, v=True) for c in found])


def _at_once(removals: Sequence[Callable[[], object]]) -> int:
    if len(removals) <= 1:
        return sum(_gone(remove) for remove in removals)
    with ThreadPoolExecutor(max_workers=min(8, len(removals)),
                            thread_name_prefix="rehearse-teardown") as pool:
        return sum(pool.map(_gone, removals))


def _gone(remove: Callable[[], object]) -> int:
    try:
        remove()
    except DockerException:  # NotFound included: someone removed it first
        return 0
    return 1
