"""Labels that mark every Docker object a rehearsal creates, so nothing is ever lost track of.
Everything a sweep needs to judge an object is on the object: any user, HOME or CI job on the
same engine reads the same facts."""

from __future__ import annotations

import os
import secrets
import socket
from functools import cache
from pathlib import Path

APP = "io.rehearse"
RUN = "io.rehearse.run"
ROLE = "io.rehearse.role"
# Who made it, as host:boot-id:pid: a rehearsal whose process is gone (kill -9) left orphans
# the next run on this host may sweep. The boot id tells a pid of an earlier boot from a live one.
OWNER = "io.rehearse.owner"
# `--keep`: set at creation, so no sweep ever takes a kept sandbox for an orphan.
KEEP = "io.rehearse.keep"
# Optional: which job started it (a CI job, a test session), from REHEARSE_SESSION.
SESSION = "io.rehearse.session"
BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


def new_run_id() -> str:
    return secrets.token_hex(4)


_KEEP_REQUESTED: set[str] = set()
_KEPT: set[str] = set()


def request_keep(run_id: str) -> None:
    """`--keep` was given: every object this run creates from now on carries the KEEP label."""
    _KEEP_REQUESTED.add(run_id)


def keep(run_id: str) -> None:
    """Leave this run's containers and network up when their blocks exit (teardown of --keep)."""
    _KEPT.add(run_id)


def is_kept(run_id: str) -> bool:
    return run_id in _KEPT


@cache
def boot_id() -> str:
    try:
        return BOOT_ID.read_text().strip()
    except OSError:  # not Linux: the pid alone has to do
        return "-"


def owner() -> str:
    return f"{socket.gethostname()}:{boot_id()}:{os.getpid()}"


def owner_alive(value: str) -> bool:
    """False only when the owner ran on this host and its process is gone (or its boot is)."""
    hostname, _, rest = value.partition(":")
    boot, _, pid = rest.rpartition(":")  # "host:pid" from before boot ids: boot is ""
    if hostname != socket.gethostname() or not pid.isdigit():
        return True
    if boot and boot not in ("-", boot_id()):
        return False  # the machine restarted since: that process is gone
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def orphaned(found: dict[str, str]) -> bool:
    """Labels of an object this host's sweep may take: its owner is gone, and it is not kept."""
    who = found.get(OWNER, "")
    return bool(found.get(RUN)) and bool(who) and KEEP not in found and not owner_alive(who)


def labels(run_id: str, role: str) -> dict[str, str]:
    found = {APP: "true", RUN: run_id, ROLE: role, OWNER: owner()}
    if run_id in _KEEP_REQUESTED:
        found[KEEP] = "requested"
    session = os.environ.get("REHEARSE_SESSION")
    if session:
        found[SESSION] = session
    return found


def selector(run_id: str | None = None) -> dict[str, str | list[str] | bool]:
    """A Docker `filters` value matching one run's objects, or every rehearsal's."""
    return {"label": [APP] if run_id is None else [f"{RUN}={run_id}"]}
