"""A rehearsal's own Docker network: its containers find each other by name, and nothing else's."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

from docker.errors import DockerException

from rehearse.errors import EnvironmentNotReadyError
from rehearse.sandbox import engineguard, firewall, host
from rehearse.sandbox.labels import is_kept, labels
from rehearse.sandbox.relay import sandbox_door


def network_name(run_id: str) -> str:
    return f"rehearse-{run_id}"


def guard_problem() -> str | None:
    """Why the egress guard cannot be applied where the engine runs, or None when it can."""
    if host.engine().tunnelled:
        return engineguard.problem()
    return firewall.problem()


def require_guard(allow_host_access: bool) -> None:
    """Fail closed: without the egress guard a sandbox can reach this host's services."""
    if allow_host_access:
        return
    if host.engine().tunnelled:  # the rule goes on the engine's host, not this one
        engineguard.require(allow_host_access)
        return
    why = firewall.problem()
    if why is not None:
        raise guard_missing(why)


def guard_missing(why: str) -> EnvironmentNotReadyError:
    return EnvironmentNotReadyError(
        f"cannot block the sandbox from this host's own services: {why}",
        hint="run rehearse as root with iptables or nft installed (apt-get install iptables), "
             "or pass --allow-host-access to rehearse without that guard")


@contextmanager
def private_network(run_id: str, allow_host_access: bool = False) -> Iterator[str]:
    # Internal: no route out of the sandbox; the host gets in through its door (relay.py).
    require_guard(allow_host_access)
    network = host.client().networks.create(
        network_name(run_id), driver="bridge", internal=True, labels=labels(run_id, "network"))
    interface = f"br-{network.id[:12]}" if network.id else ""
    guard = engineguard if host.engine().tunnelled else firewall
    blocked = bool(interface) and guard.block_host(interface, run_id)
    try:
        if not blocked and not allow_host_access:
            raise guard_missing(f"the rule on {interface or 'its bridge'} was refused")
        with sandbox_door(run_id, network_name(run_id)):
            yield network_name(run_id)
    finally:
        if not is_kept(run_id):
            if blocked:
                guard.unblock_host(interface, run_id)
            with suppress(DockerException):  # already gone; the label sweep catches the rest
                network.remove()
