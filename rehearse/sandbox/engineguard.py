"""The egress guard on an engine of another machine (engine.py): the same DROP rule as
firewall.py, put in the engine host's network namespace by a short-lived container on the host
network with NET_ADMIN (not privileged: that is more than iptables needs, and some hosts refuse
it), and taken out the same way at teardown. An engine that refuses such a container (rootless,
a hosted service) cannot be guarded: the run is refused unless --allow-host-access."""

from __future__ import annotations

import os
from functools import cache

from docker.errors import DockerException

from rehearse.errors import EnvironmentNotReadyError
from rehearse.sandbox import host
from rehearse.sandbox.firewall import COMMENT_PREFIX
from rehearse.sandbox.labels import labels

GUARD_IMAGE = os.environ.get("REHEARSE_GUARD_IMAGE", "rehearse/guard:1")

_RULE = 'INPUT -i "$1" -m comment --comment "$2" -j DROP'
_BLOCK = f"iptables -I {_RULE}"
_UNBLOCK = f"iptables -D {_RULE}"
_PROBE = "iptables -S INPUT >/dev/null"
# Every rule whose comment starts with $1, deleted one by one; one line out per rule removed.
_FORGET = ('iptables -S INPUT | grep -e "--comment $1" | sed -n "s/^-A INPUT //p" | '
           'while read -r rule; do iptables -D INPUT $rule && echo removed; done')
WAIT_SECONDS = 60


def ensure_guard_image() -> None:
    host.build_once(GUARD_IMAGE, "iptables", "REHEARSE_GUARD_IMAGE")


def _on_engine_host(run_id: str, script: str, *args: str) -> tuple[int, str]:
    """Run `script` in the engine host's network namespace."""
    ensure_guard_image()
    docker = host.client()
    try:
        guard = docker.containers.run(
            GUARD_IMAGE, ["-c", script, "guard", *args], entrypoint=["sh"],
            cap_add=["NET_ADMIN", "NET_RAW"], network_mode="host",
            labels=labels(run_id, "guard"), detach=True, mem_limit="64m")
    except DockerException as error:
        return 1, str(error).strip().splitlines()[0]
    try:
        code = int(guard.wait(timeout=WAIT_SECONDS).get("StatusCode", 1))
        return code, guard.logs().decode(errors="replace").strip()
    except DockerException as error:
        return 1, str(error)
    finally:
        guard.remove(force=True)


@cache
def problem(run_id: str = "probe") -> str | None:
    """Why the engine's host cannot be guarded, or None when it can."""
    code, output = _on_engine_host(run_id, _PROBE)
    if code == 0:
        return None
    return f"iptables on the engine's host did not answer ({output or f'exit {code}'})"


def block_host(interface: str, run_id: str) -> bool:
    code, _ = _on_engine_host(run_id, _BLOCK, interface, f"{COMMENT_PREFIX}{run_id}")
    return code == 0


def unblock_host(interface: str, run_id: str) -> None:
    _on_engine_host(run_id, _UNBLOCK, interface, f"{COMMENT_PREFIX}{run_id}")


def forget(run_id: str | None = None) -> int:
    """Rules of runs that died before removing them, on the engine's host."""
    code, output = _on_engine_host(run_id or "sweep", _FORGET, f"{COMMENT_PREFIX}{run_id or ''}")
    return output.count("removed") if code == 0 else 0


def require(allow_host_access: bool) -> None:
    why = problem()
    if why is not None and not allow_host_access:
        raise EnvironmentNotReadyError(
            f"cannot block the sandbox from the engine host's own services: {why}",
            hint="use an engine that allows privileged containers (not rootless), with iptables "
                 "on its host, or pass --allow-host-access to rehearse without that guard")
