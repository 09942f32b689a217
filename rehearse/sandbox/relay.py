"""The one door into a sandbox: a tiny relay container per rehearsal, on the rehearsal's internal
network, through which the host reaches every service by name.

Containers on an `--internal` network have no route out and get no published ports
(docker-offline.md, "Internal networks"). On an engine of this machine the relay also sits on an
ordinary bridge and publishes a few slots on 127.0.0.1; each service gets a slot, a socat listener
started in the relay by `exec` (milliseconds, where a relay container each took a start). On any
other engine the relay publishes nothing and has no route out at all: the host is tunnelled in
through the engine's API (tunnel.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from typing import Any

from docker.errors import DockerException

from rehearse.errors import EnvironmentNotReadyError
from rehearse.sandbox import host
from rehearse.sandbox.labels import is_kept, labels
from rehearse.sandbox.tunnel import Tunnel, Upstream

RELAY_IMAGE = os.environ.get("REHEARSE_RELAY_IMAGE", "rehearse/relay:1")
# The relay's own ports, one per service reached at once: the store, its database, and during
# the rollback phase a second pair (rollback.py), with room to spare.
SLOTS = tuple(range(10001, 10007))
# Start socat listening on slot $0 towards $1:$2, note its pid, return once it listens
# (/proc/net/tcp: the port in hex, state 0A LISTEN), so the first connection finds it there.
_LISTEN = ('socat TCP-LISTEN:$0,fork,reuseaddr "TCP:$1:$2" </dev/null >/dev/null 2>&1 & '
           'echo $! >/tmp/slot-$0; port=$(printf %04X $0); i=0; '
           'until grep -qs ":$port [0-9A-F:]* 0A " /proc/net/tcp /proc/net/tcp6; do '
           'i=$((i+1)); [ $i -lt 200 ] || exit 1; sleep 0.02; done')
_STOP = 'kill "$(cat /tmp/slot-$0)"; rm -f /tmp/slot-$0'
# Wait for the tunnel's first line before connecting: the service's first bytes (MySQL speaks
# first) must come after the HTTP upgrade, or the SDK's reader may swallow them.
_CONNECT = 'read -r _ && exec socat STDIO "TCP:$0:$1"'
_DOORS: dict[str, Future[Door]] = {}


def ensure_relay_image() -> None:
    host.build_once(RELAY_IMAGE, "socat", "REHEARSE_RELAY_IMAGE")


class Door:
    """A running relay; `open` gives the host a 127.0.0.1 port reaching one service."""

    def __init__(self, container: Any, tunnelled: bool, run_id: str) -> None:
        self._container = container
        self.tunnelled = tunnelled
        self._run_id = run_id
        ports = container.attrs["NetworkSettings"]["Ports"] or {}
        self._host_ports = {slot: int(ports[f"{slot}/tcp"][0]["HostPort"])
                            for slot in SLOTS if ports.get(f"{slot}/tcp")}
        self._free = list(self._host_ports)

    @contextmanager
    def open(self, target: str, port: int) -> Iterator[int]:
        if self.tunnelled:
            tunnel = Tunnel(lambda: self._upstream(target, port), name=f"tunnel to {target}")
            try:
                yield tunnel.port
            finally:
                tunnel.close()
            return
        slot = self._take(target)
        try:
            self._exec(_LISTEN, slot, target, port)
            yield self._host_ports[slot]
        finally:
            if not is_kept(self._run_id):  # --keep: the printed ports go on answering
                with suppress(DockerException, EnvironmentNotReadyError):
                    self._exec(_STOP, slot)
                self._free.append(slot)

    def remove(self) -> None:
        self._container.remove(force=True)

    def _take(self, target: str) -> int:
        if not self._free:
            raise EnvironmentNotReadyError(
                f"the sandbox's door has no free port for {target} ({len(SLOTS)} in use)",
                hint="report it: a rehearsal reaches at most four services at once")
        return self._free.pop(0)

    def _exec(self, script: str, *args: object) -> None:
        code, output = self._container.exec_run(["sh", "-c", script, *map(str, args)])
        if code:
            raise EnvironmentNotReadyError(
                f"the sandbox's door did not open ({output.decode(errors='replace').strip()})",
                hint="read the relay's log: docker logs " + str(self._container.name))

    def _upstream(self, target: str, port: int) -> Upstream:
        api = host.client().api
        exec_id = api.exec_create(self._container.id, ["sh", "-c", _CONNECT, target, str(port)],
                                  stdin=True, tty=False)["Id"]
        hijacked: Any = api.exec_start(exec_id, socket=True, tty=False)
        upstream: Upstream = getattr(hijacked, "_sock", hijacked)  # the socket under SocketIO
        upstream.sendall(b"\n")
        return upstream


@contextmanager
def sandbox_door(run_id: str, network: str, role: str = "door") -> Iterator[Future[Door]]:
    """The relay of one sandbox, for every service on `network` until the block ends. It starts
    in a thread of its own (a container start, ~0.3 s) while the first service starts beside
    it; a door opened meanwhile waits for it."""
    ensure_relay_image()
    worker = ThreadPoolExecutor(1, thread_name_prefix="relay")
    started = worker.submit(_relay_door, run_id, network, role, host.engine().tunnelled)
    worker.shutdown(wait=False)
    _DOORS[network] = started
    try:
        yield started
    finally:
        if _DOORS.get(network) is started:
            del _DOORS[network]
        # Waited for even on Ctrl-C: a relay being created now would otherwise be left behind.
        with suppress(DockerException, EnvironmentNotReadyError):
            relay = started.result()
            if not is_kept(run_id):
                relay.remove()


def _relay_door(run_id: str, network: str, role: str, tunnelled: bool) -> Door:
    relay = _start_relay(run_id, network, role, tunnelled)
    try:
        return Door(relay, tunnelled, run_id)
    except BaseException:
        with suppress(DockerException):
            relay.remove(force=True)
        raise


def _start_relay(run_id: str, network: str, role: str, tunnelled: bool) -> Any:
    # `sleep` keeps it up; the listeners and tunnels are exec'd in as services come.
    docker = host.client()
    ports = {} if tunnelled else {f"{slot}/tcp": ("127.0.0.1", None) for slot in SLOTS}
    relay = docker.containers.run(  # type: ignore[call-overload]  # None: any free port
        RELAY_IMAGE, ["infinity"], entrypoint=["sleep"], name=f"rehearse-{run_id}-{role}",
        detach=True, network=network if tunnelled else "bridge", ports=ports,
        labels=labels(run_id, role), mem_limit="64m")
    try:
        if not tunnelled:
            docker.networks.get(network).connect(relay)
        relay.reload()
    except DockerException:
        with suppress(DockerException):
            relay.remove(force=True)
        raise
    return relay


class Opening:
    """A door opened by a thread of its own while its service starts: socat resolves the
    target at each connection, so the door may listen before the container exists, and its
    `exec` (50 to 120 ms) hides behind the start. `port` waits for it; `close` has it closed
    (after it has opened) while the caller goes on and removes the container."""

    def __init__(self, run_id: str, role: str, target: str, port: int, network: str) -> None:
        self._stack = ExitStack()
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="door")
        self._port = self._worker.submit(self._stack.enter_context,
                                         door(run_id, role, target, port, network))

    def port(self) -> int:
        return self._port.result()

    def close(self) -> None:
        self._worker.submit(self._stack.close)
        self._worker.shutdown(wait=False)


@contextmanager
def door(run_id: str, role: str, target: str, port: int, network: str) -> Iterator[int]:
    """A 127.0.0.1 port on the host that reaches `target:port` inside `network`: through the
    sandbox's door, or a door of its own on a network opened without one."""
    found = _DOORS.get(network)
    if found is not None:
        with found.result().open(target, port) as opened:
            yield opened
        return
    with sandbox_door(run_id, network, f"{role}-door") as own, \
            own.result().open(target, port) as opened:
        yield opened
